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
complete -c mcp -n "__fish_mcp_needs_command" -f -a "build" -d 'Build the image (linux/amd64 by default) and tag it locally'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "push" -d 'Build the image when needed and push it to ECR; prints the image by digest'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "deploy" -d 'Build, push, register a new revision, roll it out, follow it, roll back on failure'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "rollback" -d 'Put an earlier release live again (default: the last one that completed)'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "restart" -d 'Start the live release again (new tasks, secrets read afresh), followed like a deploy'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "status" -d 'Show what runs: revision, image, tasks, rollout, recent events'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "history" -d 'List the service\'s recent releases, newest first'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "cost" -d 'What the service really cost, from Cost Explorer (by mcp\'s cost allocation tags)'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "scale" -d 'Set how many tasks a service runs (0 takes it offline) and wait for it'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "secrets" -d 'Store secrets in Secrets Manager and reference them from mcp.toml'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "down" -d 'Remove the local target\'s containers (stages with `target = "local"`)'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "logs" -d 'Print the service\'s container logs from CloudWatch Logs; `-f` to follow'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "check" -d 'Check the MCP server at `deploy.url`: health path, MCP (every revision), tools/list, sessions, OAuth'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "launch" -d 'From this directory\'s Dockerfile to a checked MCP URL on a new ECS Express service'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "destroy" -d 'Delete what `mcp launch` made: an Express service, or a Lambda stage\'s function, aliases, URLs and role (asks first; --yes outside a terminal)'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "previews" -d 'List the project\'s preview deployments (`mcp deploy --preview`); `prune` deletes old ones'
complete -c mcp -n "__fish_mcp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcp -n "__fish_mcp_using_subcommand init" -l name -d 'Project name (default: the git remote\'s repository name, else the directory name)' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l cluster -d 'ECS cluster' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l service -d 'ECS service (default: the project name)' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l repository -d 'ECR repository (default: the project name)' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l container -d 'Container in the task definition whose image is replaced' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l url -d 'Public URL of the MCP endpoint, for checks after a deploy' -r
complete -c mcp -n "__fish_mcp_using_subcommand init" -l dockerfile -d 'Dockerfile (default: detected in the current directory)' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand init" -l from-service -d 'Read cluster, service, region, container, ECR repository and log group from a live service' -r
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
complete -c mcp -n "__fish_mcp_using_subcommand config" -l all -d 'Resolve the settings of every `[services.<NAME>]`'
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
complete -c mcp -n "__fish_mcp_using_subcommand build" -l tag -d 'Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})' -r
complete -c mcp -n "__fish_mcp_using_subcommand build" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand build" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand build" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand build" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand build" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand build" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand build" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand build" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand build" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand build" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand build" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand push" -l tag -d 'Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})' -r
complete -c mcp -n "__fish_mcp_using_subcommand push" -l image -d 'Use an image already in ECR (built by another CI step) instead of building: it is checked to exist' -r
complete -c mcp -n "__fish_mcp_using_subcommand push" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand push" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand push" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand push" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand push" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand push" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand push" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand push" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand push" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand push" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand push" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -s j -l jobs -d 'How many services build, push and roll out at once' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l image -d 'Deploy an image already in ECR (built by another CI step) instead of building' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l tag -d 'Image tag (a template like `build.tag`)' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l cluster -d 'ECS cluster (overrides `ecs.cluster`) [env: MCP_CLUSTER]' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l timeout -d 'How long the rollout may take, e.g. 15m (overrides `deploy.timeout`) [env: MCP_TIMEOUT]' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l wait-until -d 'Blue/green, canary, linear: return once production traffic is all on the new release (`shifted`), or once the bake is over too (`complete`)' -r -f -a "shifted\t''
complete\t''"
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l preview -d 'Deploy a preview: its own Express service (local: container) and URL, named after the service and NAME; in GitHub Actions NAME defaults to pr-<number> or the branch' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l all -d 'Deploy every `[services.<NAME>]`'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l dry-run -d 'Print the plan and the task-definition changes; change nothing'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l no-wait -d 'Return once the rollout has started (follow it later with `mcp status --wait`)'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l force -d 'Start even while another deployment of the service is in progress, or while the load balancer\'s set-up breaks MCP clients (`mcp doctor` lists it)'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l no-check -d 'Skip the MCP check of `deploy.url` after the rollout'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l allow-breaking -d 'Let a release that breaks the live release\'s contract through (listed as warnings)'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l allow-over-limit -d 'Let a release whose monthly estimate exceeds `[cost] monthly_limit` through (said so)'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l logs -d 'Print the new tasks\' log lines while the rollout runs'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand deploy" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l to -d 'The release to return to: a revision number or an image tag (default: the last that completed)' -r
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l timeout -d 'How long the rollout may take (overrides `deploy.timeout`)' -r
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l force -d 'Start even while another deployment of the service is in progress'
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand restart" -l timeout -d 'How long the rollout may take (overrides `deploy.timeout`)' -r
complete -c mcp -n "__fish_mcp_using_subcommand restart" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand restart" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand restart" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand restart" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand restart" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand restart" -l force -d 'Start even while another deployment of the service is in progress'
complete -c mcp -n "__fish_mcp_using_subcommand restart" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand restart" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand restart" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand restart" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand restart" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand restart" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand status" -l stages -d 'Every service in every stage (the top level and each `[stages.<NAME>]`), or the stages listed (`--stages staging,production`, in promotion order): release, tasks, MCP check, drift; exit 1 unless every row is healthy' -r
complete -c mcp -n "__fish_mcp_using_subcommand status" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand status" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand status" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand status" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand status" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand status" -l all -d 'One line per `[services.<NAME>]`: revision, tasks, rollout, last event'
complete -c mcp -n "__fish_mcp_using_subcommand status" -l wait -d 'Follow a deployment in progress to its end (exit codes as for deploy)'
complete -c mcp -n "__fish_mcp_using_subcommand status" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand status" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand status" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand status" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand status" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand status" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand history" -l limit -d 'How many releases to list' -r
complete -c mcp -n "__fish_mcp_using_subcommand history" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand history" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand history" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand history" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand history" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand history" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand history" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand history" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand history" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand history" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand history" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l since -d 'How far back: 30d, 7d, 90d' -r
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l by -d 'Split the spend by day or by AWS service' -r -f -a "day\t''
service\t''"
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand cost" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l stages -d 'Every stage, one row each (instead of the selected stage\'s)'
complete -c mcp -n "__fish_mcp_using_subcommand cost" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand cost" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand cost" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand cost" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand cost" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand cost" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand scale" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand scale" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand scale" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand scale" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand scale" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand scale" -l no-wait -d 'Return once ECS has the new count, without waiting for the tasks'
complete -c mcp -n "__fish_mcp_using_subcommand scale" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand scale" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand scale" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand scale" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand scale" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand scale" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -f -a "set" -d 'Store NAME\'s value (read from stdin, not echoed) and reference it in [secrets]'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -f -a "list" -d 'List the secrets under this service\'s prefix: names, ARNs, last changed (never values)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -f -a "rm" -d 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and not __fish_seen_subcommand_from set list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -l service -d 'The `[services.<NAME>]` it belongs to' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -l service -d 'The `[services.<NAME>]` whose secrets to list' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l service -d 'The `[services.<NAME>]` it belongs to' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store NAME\'s value (read from stdin, not echoed) and reference it in [secrets]'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the secrets under this service\'s prefix: names, ARNs, last changed (never values)'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml'
complete -c mcp -n "__fish_mcp_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcp -n "__fish_mcp_using_subcommand down" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand down" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand down" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand down" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand down" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand down" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand down" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand down" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand down" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand down" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand down" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l since -d 'Start this long ago, or at this time [default: 10m]' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l until -d 'End this long ago, or at this time [default: now]' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l filter -d 'Only events matching this CloudWatch filter pattern, e.g. `ERROR` or `"connection refused"`' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l task -d 'Only this task\'s logs (a task id or ARN)' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l revision -d 'Only the logs of tasks that ran this task-definition revision (running or recently stopped)' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l log-group -d 'Read this log group instead of the one in the task definition' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand logs" -s f -l follow -d 'Keep printing new events until Ctrl-C, including those of tasks started later'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l live -d 'Follow with CloudWatch Logs Live Tail instead of polling (new events only; billed per minute of session, and sampled above 500 events per second)'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l raw -d 'Write the log text as the server wrote it, control characters and all (they are shown escaped otherwise, also through a pipe)'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand logs" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand check" -l url -d 'MCP endpoint to check (overrides `deploy.url`) [env: MCP_URL]' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l timeout -d 'How long each step may take, e.g. 10s' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l protocol -d 'Speak only this MCP revision, e.g. 2025-11-25 (overrides `deploy.protocol`; default: negotiate) [env: MCP_PROTOCOL]' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l health-path -d 'Health path to GET first (overrides `deploy.health_path`; \'\' skips it)' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l call -d 'Call a tool after tools/list: `TOOL` or `TOOL={"id":1}` (repeatable; replaces `[[check.calls]]`); only the calls named are made' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l save-contract -d 'Write the server\'s contract (tools, prompts, resources) to FILE as sorted JSON' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand check" -l baseline -d 'Compare the contract with SOURCE (a running server\'s http(s) URL or a --save-contract file); breaking changes fail' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand check" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand check" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand check" -l allow-breaking -d 'List breaking contract changes as warnings instead of failing'
complete -c mcp -n "__fish_mcp_using_subcommand check" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand check" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand check" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand check" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand check" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand check" -s V -l version -d 'Print version'
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
complete -c mcp -n "__fish_mcp_using_subcommand launch" -l name -d 'Service name (also the ECR repository\'s and the project\'s; default: `name` in mcp.toml, else the directory\'s name)' -r
complete -c mcp -n "__fish_mcp_using_subcommand launch" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand launch" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand launch" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand launch" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand launch" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand launch" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand launch" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand launch" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand launch" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand launch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcp -n "__fish_mcp_using_subcommand launch" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -l preview -d 'Delete the preview NAME instead (with --all-resources its log group; images and roles stay); in GitHub Actions NAME defaults to pr-<number> or the branch' -r
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -l all-resources -d 'Also delete the log group and ECR repository (never the Express IAM roles)'
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand destroy" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -l check -d 'Run the MCP check against each preview\'s URL'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -f -a "prune" -d 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and not __fish_seen_subcommand_from prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l older-than -d 'Delete previews last deployed longer ago than this, e.g. 7d' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l keep -d 'Never delete these previews (comma-separated names)' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l config -d 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]' -r -F
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l stage -d 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -s o -l output -d 'Output format: text for people, json for programs [env: MCP_OUTPUT]' -r -f -a "text\t''
json\t''"
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l region -d 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l profile -d 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]' -r
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l dry-run -d 'Show what would be deleted; delete nothing'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print only errors and data'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'More detail on stderr (repeat for more)'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -l no-progress -d 'No spinners or progress bars, even on a terminal'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -s y -l yes -d 'Answer yes to every question (needed for confirmations outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand previews; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "init" -d 'Write a commented mcp.toml for this project'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "config" -d 'Print every resolved setting and where it came from'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "doctor" -d 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "build" -d 'Build the image (linux/amd64 by default) and tag it locally'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "push" -d 'Build the image when needed and push it to ECR; prints the image by digest'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "deploy" -d 'Build, push, register a new revision, roll it out, follow it, roll back on failure'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "rollback" -d 'Put an earlier release live again (default: the last one that completed)'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "restart" -d 'Start the live release again (new tasks, secrets read afresh), followed like a deploy'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "status" -d 'Show what runs: revision, image, tasks, rollout, recent events'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "history" -d 'List the service\'s recent releases, newest first'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "cost" -d 'What the service really cost, from Cost Explorer (by mcp\'s cost allocation tags)'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "scale" -d 'Set how many tasks a service runs (0 takes it offline) and wait for it'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "secrets" -d 'Store secrets in Secrets Manager and reference them from mcp.toml'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "down" -d 'Remove the local target\'s containers (stages with `target = "local"`)'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "logs" -d 'Print the service\'s container logs from CloudWatch Logs; `-f` to follow'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "check" -d 'Check the MCP server at `deploy.url`: health path, MCP (every revision), tools/list, sessions, OAuth'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "completions" -d 'Print a shell completion script'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "launch" -d 'From this directory\'s Dockerfile to a checked MCP URL on a new ECS Express service'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "destroy" -d 'Delete what `mcp launch` made: an Express service, or a Lambda stage\'s function, aliases, URLs and role (asks first; --yes outside a terminal)'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "previews" -d 'List the project\'s preview deployments (`mcp deploy --preview`); `prune` deletes old ones'
complete -c mcp -n "__fish_mcp_using_subcommand help; and not __fish_seen_subcommand_from init config doctor build push deploy rollback restart status history cost scale secrets down logs check completions launch destroy previews help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcp -n "__fish_mcp_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "set" -d 'Store NAME\'s value (read from stdin, not echoed) and reference it in [secrets]'
complete -c mcp -n "__fish_mcp_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "list" -d 'List the secrets under this service\'s prefix: names, ARNs, last changed (never values)'
complete -c mcp -n "__fish_mcp_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "rm" -d 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml'
complete -c mcp -n "__fish_mcp_using_subcommand help; and __fish_seen_subcommand_from previews" -f -a "prune" -d 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)'
