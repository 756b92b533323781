
use builtin;
use str;

set edit:completion:arg-completer[mcp-deploy] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mcp-deploy'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mcp-deploy'= {
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
            cand restart 'Start the live release again (new tasks, secrets read afresh), followed like a deploy'
            cand status 'Show what runs: revision, image, tasks, rollout, recent events'
            cand history 'List the service''s recent releases, newest first'
            cand cost 'What the service really cost, from Cost Explorer (by mcp''s cost allocation tags)'
            cand scale 'Set how many tasks a service runs (0 takes it offline) and wait for it'
            cand secrets 'Store secrets in Secrets Manager and reference them from mcp.toml'
            cand down 'Remove the local target''s containers (stages with `target = "local"`)'
            cand logs 'Print the service''s container logs from CloudWatch Logs; `-f` to follow'
            cand check 'Check the MCP server at `deploy.url`: health path, MCP (every revision), tools/list, sessions, OAuth'
            cand completions 'Print a shell completion script'
            cand launch 'From this directory''s Dockerfile to a checked MCP URL on a new ECS Express service'
            cand destroy 'Delete what `mcp launch` made: an Express service, or a Lambda stage''s function, aliases, URLs and role (asks first; --yes outside a terminal)'
            cand previews 'List the project''s preview deployments (`mcp deploy --preview`); `prune` deletes old ones'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp-deploy;init'= {
            cand --name 'Project name (default: the git remote''s repository name, else the directory name)'
            cand --cluster 'ECS cluster'
            cand --service 'ECS service (default: the project name)'
            cand --repository 'ECR repository (default: the project name)'
            cand --container 'Container in the task definition whose image is replaced'
            cand --url 'Public URL of the MCP endpoint, for checks after a deploy'
            cand --dockerfile 'Dockerfile (default: detected in the current directory)'
            cand --from-service 'Read cluster, service, region, container, ECR repository and log group from a live service'
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
        &'mcp-deploy;config'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --all 'Resolve the settings of every `[services.<NAME>]`'
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
        &'mcp-deploy;doctor'= {
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
        &'mcp-deploy;build'= {
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
        &'mcp-deploy;push'= {
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
        &'mcp-deploy;deploy'= {
            cand -j 'How many services build, push and roll out at once'
            cand --jobs 'How many services build, push and roll out at once'
            cand --image 'Deploy an image already in ECR (built by another CI step) instead of building'
            cand --tag 'Image tag (a template like `build.tag`)'
            cand --cluster 'ECS cluster (overrides `ecs.cluster`) [env: MCP_CLUSTER]'
            cand --timeout 'How long the rollout may take, e.g. 15m (overrides `deploy.timeout`) [env: MCP_TIMEOUT]'
            cand --wait-until 'Blue/green, canary, linear: return once production traffic is all on the new release (`shifted`), or once the bake is over too (`complete`)'
            cand --preview 'Deploy a preview: its own Express service (local: container) and URL, named after the service and NAME; in GitHub Actions NAME defaults to pr-<number> or the branch'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --all 'Deploy every `[services.<NAME>]`'
            cand --dry-run 'Print the plan and the task-definition changes; change nothing'
            cand --no-wait 'Return once the rollout has started (follow it later with `mcp status --wait`)'
            cand --force 'Start even while another deployment of the service is in progress, or while the load balancer''s set-up breaks MCP clients (`mcp doctor` lists it)'
            cand --no-check 'Skip the MCP check of `deploy.url` after the rollout'
            cand --allow-breaking 'Let a release that breaks the live release''s contract through (listed as warnings)'
            cand --allow-over-limit 'Let a release whose monthly estimate exceeds `[cost] monthly_limit` through (said so)'
            cand --logs 'Print the new tasks'' log lines while the rollout runs'
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
        &'mcp-deploy;rollback'= {
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
        &'mcp-deploy;restart'= {
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
        &'mcp-deploy;status'= {
            cand --stages 'Every service in every stage (the top level and each `[stages.<NAME>]`), or the stages listed (`--stages staging,production`, in promotion order): release, tasks, MCP check, drift; exit 1 unless every row is healthy'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --all 'One line per `[services.<NAME>]`: revision, tasks, rollout, last event'
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
        &'mcp-deploy;history'= {
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
        &'mcp-deploy;cost'= {
            cand --since 'How far back: 30d, 7d, 90d'
            cand --by 'Split the spend by day or by AWS service'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --stages 'Every stage, one row each (instead of the selected stage''s)'
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
        &'mcp-deploy;scale'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --no-wait 'Return once ECS has the new count, without waiting for the tasks'
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
        &'mcp-deploy;secrets'= {
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
            cand set 'Store NAME''s value (read from stdin, not echoed) and reference it in [secrets]'
            cand list 'List the secrets under this service''s prefix: names, ARNs, last changed (never values)'
            cand rm 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp-deploy;secrets;set'= {
            cand --service 'The `[services.<NAME>]` it belongs to'
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
        &'mcp-deploy;secrets;list'= {
            cand --service 'The `[services.<NAME>]` whose secrets to list'
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
        &'mcp-deploy;secrets;rm'= {
            cand --service 'The `[services.<NAME>]` it belongs to'
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
        &'mcp-deploy;secrets;help'= {
            cand set 'Store NAME''s value (read from stdin, not echoed) and reference it in [secrets]'
            cand list 'List the secrets under this service''s prefix: names, ARNs, last changed (never values)'
            cand rm 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp-deploy;secrets;help;set'= {
        }
        &'mcp-deploy;secrets;help;list'= {
        }
        &'mcp-deploy;secrets;help;rm'= {
        }
        &'mcp-deploy;secrets;help;help'= {
        }
        &'mcp-deploy;down'= {
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
        &'mcp-deploy;logs'= {
            cand --since 'Start this long ago, or at this time [default: 10m]'
            cand --until 'End this long ago, or at this time [default: now]'
            cand --filter 'Only events matching this CloudWatch filter pattern, e.g. `ERROR` or `"connection refused"`'
            cand --task 'Only this task''s logs (a task id or ARN)'
            cand --revision 'Only the logs of tasks that ran this task-definition revision (running or recently stopped)'
            cand --log-group 'Read this log group instead of the one in the task definition'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand -f 'Keep printing new events until Ctrl-C, including those of tasks started later'
            cand --follow 'Keep printing new events until Ctrl-C, including those of tasks started later'
            cand --live 'Follow with CloudWatch Logs Live Tail instead of polling (new events only; billed per minute of session, and sampled above 500 events per second)'
            cand --raw 'Write the log text as the server wrote it, control characters and all (they are shown escaped otherwise, also through a pipe)'
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
        &'mcp-deploy;check'= {
            cand --url 'MCP endpoint to check (overrides `deploy.url`) [env: MCP_URL]'
            cand --timeout 'How long each step may take, e.g. 10s'
            cand --protocol 'Speak only this MCP revision, e.g. 2025-11-25 (overrides `deploy.protocol`; default: negotiate) [env: MCP_PROTOCOL]'
            cand --health-path 'Health path to GET first (overrides `deploy.health_path`; '''' skips it)'
            cand --call 'Call a tool after tools/list: `TOOL` or `TOOL={"id":1}` (repeatable; replaces `[[check.calls]]`); only the calls named are made'
            cand --save-contract 'Write the server''s contract (tools, prompts, resources) to FILE as sorted JSON'
            cand --baseline 'Compare the contract with SOURCE (a running server''s http(s) URL or a --save-contract file); breaking changes fail'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --allow-breaking 'List breaking contract changes as warnings instead of failing'
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
        &'mcp-deploy;completions'= {
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
        &'mcp-deploy;launch'= {
            cand --name 'Service name (also the ECR repository''s and the project''s; default: `name` in mcp.toml, else the directory''s name)'
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
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcp-deploy;destroy'= {
            cand --preview 'Delete the preview NAME instead (with --all-resources its log group; images and roles stay); in GitHub Actions NAME defaults to pr-<number> or the branch'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --all-resources 'Also delete the log group and ECR repository (never the Express IAM roles)'
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
        &'mcp-deploy;previews'= {
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --check 'Run the MCP check against each preview''s URL'
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
            cand prune 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp-deploy;previews;prune'= {
            cand --older-than 'Delete previews last deployed longer ago than this, e.g. 7d'
            cand --keep 'Never delete these previews (comma-separated names)'
            cand --config 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]'
            cand --stage 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]'
            cand -o 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --output 'Output format: text for people, json for programs [env: MCP_OUTPUT]'
            cand --region 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]'
            cand --profile 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]'
            cand --dry-run 'Show what would be deleted; delete nothing'
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
        &'mcp-deploy;previews;help'= {
            cand prune 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp-deploy;previews;help;prune'= {
        }
        &'mcp-deploy;previews;help;help'= {
        }
        &'mcp-deploy;help'= {
            cand init 'Write a commented mcp.toml for this project'
            cand config 'Print every resolved setting and where it came from'
            cand doctor 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy'
            cand build 'Build the image (linux/amd64 by default) and tag it locally'
            cand push 'Build the image when needed and push it to ECR; prints the image by digest'
            cand deploy 'Build, push, register a new revision, roll it out, follow it, roll back on failure'
            cand rollback 'Put an earlier release live again (default: the last one that completed)'
            cand restart 'Start the live release again (new tasks, secrets read afresh), followed like a deploy'
            cand status 'Show what runs: revision, image, tasks, rollout, recent events'
            cand history 'List the service''s recent releases, newest first'
            cand cost 'What the service really cost, from Cost Explorer (by mcp''s cost allocation tags)'
            cand scale 'Set how many tasks a service runs (0 takes it offline) and wait for it'
            cand secrets 'Store secrets in Secrets Manager and reference them from mcp.toml'
            cand down 'Remove the local target''s containers (stages with `target = "local"`)'
            cand logs 'Print the service''s container logs from CloudWatch Logs; `-f` to follow'
            cand check 'Check the MCP server at `deploy.url`: health path, MCP (every revision), tools/list, sessions, OAuth'
            cand completions 'Print a shell completion script'
            cand launch 'From this directory''s Dockerfile to a checked MCP URL on a new ECS Express service'
            cand destroy 'Delete what `mcp launch` made: an Express service, or a Lambda stage''s function, aliases, URLs and role (asks first; --yes outside a terminal)'
            cand previews 'List the project''s preview deployments (`mcp deploy --preview`); `prune` deletes old ones'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcp-deploy;help;init'= {
        }
        &'mcp-deploy;help;config'= {
        }
        &'mcp-deploy;help;doctor'= {
        }
        &'mcp-deploy;help;build'= {
        }
        &'mcp-deploy;help;push'= {
        }
        &'mcp-deploy;help;deploy'= {
        }
        &'mcp-deploy;help;rollback'= {
        }
        &'mcp-deploy;help;restart'= {
        }
        &'mcp-deploy;help;status'= {
        }
        &'mcp-deploy;help;history'= {
        }
        &'mcp-deploy;help;cost'= {
        }
        &'mcp-deploy;help;scale'= {
        }
        &'mcp-deploy;help;secrets'= {
            cand set 'Store NAME''s value (read from stdin, not echoed) and reference it in [secrets]'
            cand list 'List the secrets under this service''s prefix: names, ARNs, last changed (never values)'
            cand rm 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml'
        }
        &'mcp-deploy;help;secrets;set'= {
        }
        &'mcp-deploy;help;secrets;list'= {
        }
        &'mcp-deploy;help;secrets;rm'= {
        }
        &'mcp-deploy;help;down'= {
        }
        &'mcp-deploy;help;logs'= {
        }
        &'mcp-deploy;help;check'= {
        }
        &'mcp-deploy;help;completions'= {
        }
        &'mcp-deploy;help;launch'= {
        }
        &'mcp-deploy;help;destroy'= {
        }
        &'mcp-deploy;help;previews'= {
            cand prune 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)'
        }
        &'mcp-deploy;help;previews;prune'= {
        }
        &'mcp-deploy;help;help'= {
        }
    ]
    $completions[$command]
}
