# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mcp_global_optspecs
    string join \n config= stage= o/output= region= profile= q/quiet v/verbose no-progress y/yes h/help V/version
end

function __fish_mcp_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mcp_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mcp_using_subcommand
    set -l cmd (__fish_mcp_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mcp -n "__fish_mcp_needs_command" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_needs_command" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_needs_command" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_needs_command" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_needs_command" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_needs_command" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_needs_command" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_needs_command" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_needs_command" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_needs_command" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "init" -d 'Write a commented mcp.toml for this project'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "config" -d 'Print every resolved setting and where it came from'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "doctor" -d 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcp -n "__fish_mcp_using_subcommand init" -l name -d 'Project name (default: the git remote\'s repository name, else the directory name)' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l cluster -d 'ECS cluster' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l service -d 'ECS service (default: the project name)' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l repository -d 'ECR repository (default: the project name)' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l container -d 'Container in the task definition whose image is replaced' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l url -d 'Public URL of the MCP endpoint, for checks after a deploy' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l dockerfile -d 'Dockerfile (default: detected in the current directory)' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand init" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand init" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand init" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l force -d 'Overwrite an existing mcp.toml'
complete -c mcp -n "__fish_mcp_using_subcommand init" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand init" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand init" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand init" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand init" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand init" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand config" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand config" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand config" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand config" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand config" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand config" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand config" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand config" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand config" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand config" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand config" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand completions" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand completions" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand completions" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand completions" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand completions" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand completions" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand completions" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand completions" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand completions" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand completions" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor completions help" -f -a "init" -d 'Write a commented mcp.toml for this project'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor completions help" -f -a "config" -d 'Print every resolved setting and where it came from'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor completions help" -f -a "doctor" -d 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
