
use builtin;
use str;

set edit:completion:arg-completer[mcp] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mcp'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mcp'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write a commented mcp.toml for this project'
            cand config 'Print every resolved setting and where it came from'
            cand doctor 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy'
            cand build 'Build the image (linux/amd64 by default) and tag it locally'
            cand push 'Build the image when needed and push it to ECR; prints the image by digest'
            cand deploy 'Build, push, register a new revision, roll it out, follow it, roll back on failure'
            cand rollback 'Put an earlier release live again (default: the last one that completed)'
            cand status 'Show what runs: revision, image, tasks, rollout, recent events'
            cand history 'List the service''s recent releases, newest first'
            cand check 'Check the MCP server at `deploy.url`: health path, MCP handshake, tools/list'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp;init'= {
            cand --name 'Project name (default: the git remote''s repository name, else the directory name)'
            cand --cluster 'ECS cluster'
            cand --service 'ECS service (default: the project name)'
            cand --repository 'ECR repository (default: the project name)'
            cand --container 'Container in the task definition whose image is replaced'
            cand --url 'Public URL of the MCP endpoint, for checks after a deploy'
            cand --dockerfile 'Dockerfile (default: detected in the current directory)'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --force 'Overwrite an existing mcp.toml'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;config'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;doctor'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;build'= {
            cand --tag 'Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;push'= {
            cand --tag 'Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})'
            cand --image 'Use an image already in ECR (built by another CI step) instead of building: it is checked to exist'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;deploy'= {
            cand --image 'Deploy an image already in ECR (built by another CI step) instead of building'
            cand --tag 'Image tag (a template like `build.tag`)'
            cand --cluster 'ECS cluster (overrides `ecs.cluster`) [env: MCP_CLUSTER]'
            cand --timeout 'How long the rollout may take, e.g. 15m (overrides `deploy.timeout`) [env: MCP_TIMEOUT]'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --dry-run 'Print the plan and the task-definition changes; change nothing'
            cand --no-wait 'Return once the rollout has started (follow it later with `mcp status --wait`)'
            cand --force 'Start even while another deployment of the service is in progress'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;rollback'= {
            cand --to 'The release to return to: a revision number or an image tag (default: the last that completed)'
            cand --timeout 'How long the rollout may take (overrides `deploy.timeout`)'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --force 'Start even while another deployment of the service is in progress'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;status'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --wait 'Follow a deployment in progress to its end (exit codes as for deploy)'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;history'= {
            cand --limit 'How many releases to list'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;check'= {
            cand --url 'MCP endpoint to check (overrides `deploy.url`) [env: MCP_URL]'
            cand --timeout 'How long each step may take, e.g. 10s'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;completions'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -q 'Print only errors and data'
            cand --quiet 'Print only errors and data'
            cand -v 'More detail on stderr (repeat for more)'
            cand --verbose 'More detail on stderr (repeat for more)'
            cand --no-progress 'No spinners or progress bars, even on a terminal'
            cand -y 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand --yes 'Answer yes to every question (needed for confirmations outside a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp;help'= {
            cand init 'Write a commented mcp.toml for this project'
            cand config 'Print every resolved setting and where it came from'
            cand doctor 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy'
            cand build 'Build the image (linux/amd64 by default) and tag it locally'
            cand push 'Build the image when needed and push it to ECR; prints the image by digest'
            cand deploy 'Build, push, register a new revision, roll it out, follow it, roll back on failure'
            cand rollback 'Put an earlier release live again (default: the last one that completed)'
            cand status 'Show what runs: revision, image, tasks, rollout, recent events'
            cand history 'List the service''s recent releases, newest first'
            cand check 'Check the MCP server at `deploy.url`: health path, MCP handshake, tools/list'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp;help;init'= {
        }
        &'mcp;help;config'= {
        }
        &'mcp;help;doctor'= {
        }
        &'mcp;help;build'= {
        }
        &'mcp;help;push'= {
        }
        &'mcp;help;deploy'= {
        }
        &'mcp;help;rollback'= {
        }
        &'mcp;help;status'= {
        }
        &'mcp;help;history'= {
        }
        &'mcp;help;check'= {
        }
        &'mcp;help;completions'= {
        }
        &'mcp;help;help'= {
        }
    ]
    $completions[$command]
}
