
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mcp-deploy' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mcp-deploy'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mcp-deploy' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented mcp.toml for this project')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print every resolved setting and where it came from')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy')
            [CompletionResult]::new('build', 'build', [CompletionResultType]::ParameterValue, 'Build the image (linux/amd64 by default) and tag it locally')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Build the image when needed and push it to ECR; prints the image by digest')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Build, push, register a new revision, roll it out, follow it, roll back on failure')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Put an earlier release live again (default: the last one that completed)')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Start the live release again (new tasks, secrets read afresh), followed like a deploy')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs: revision, image, tasks, rollout, recent events')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the service''s recent releases, newest first')
            [CompletionResult]::new('cost', 'cost', [CompletionResultType]::ParameterValue, 'What the service really cost, from Cost Explorer (by mcp''s cost allocation tags)')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Set how many tasks a service runs (0 takes it offline) and wait for it')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'Store secrets in Secrets Manager and reference them from mcp.toml')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Remove the local target''s containers (stages with `target = "local"`)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print the service''s container logs from CloudWatch Logs; `-f` to follow')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the MCP server at `deploy.url`: health path, MCP (every revision), tools/list, sessions, OAuth')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('launch', 'launch', [CompletionResultType]::ParameterValue, 'From this directory''s Dockerfile to a checked MCP URL on a new ECS Express service')
            [CompletionResult]::new('destroy', 'destroy', [CompletionResultType]::ParameterValue, 'Delete what `mcp launch` made: an Express service, or a Lambda stage''s function, aliases, URLs and role (asks first; --yes outside a terminal)')
            [CompletionResult]::new('previews', 'previews', [CompletionResultType]::ParameterValue, 'List the project''s preview deployments (`mcp deploy --preview`); `prune` deletes old ones')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcp-deploy;init' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Project name (default: the git remote''s repository name, else the directory name)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'ECS cluster')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'ECS service (default: the project name)')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'ECR repository (default: the project name)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Container in the task definition whose image is replaced')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Public URL of the MCP endpoint, for checks after a deploy')
            [CompletionResult]::new('--dockerfile', '--dockerfile', [CompletionResultType]::ParameterName, 'Dockerfile (default: detected in the current directory)')
            [CompletionResult]::new('--from-service', '--from-service', [CompletionResultType]::ParameterName, 'Read cluster, service, region, container, ECR repository and log group from a live service')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing mcp.toml')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Resolve the settings of every `[services.<NAME>]`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;doctor' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;build' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;push' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Use an image already in ECR (built by another CI step) instead of building: it is checked to exist')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;deploy' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'How many services build, push and roll out at once')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many services build, push and roll out at once')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Deploy an image already in ECR (built by another CI step) instead of building')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Image tag (a template like `build.tag`)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'ECS cluster (overrides `ecs.cluster`) [env: MCP_CLUSTER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long the rollout may take, e.g. 15m (overrides `deploy.timeout`) [env: MCP_TIMEOUT]')
            [CompletionResult]::new('--wait-until', '--wait-until', [CompletionResultType]::ParameterName, 'Blue/green, canary, linear: return once production traffic is all on the new release (`shifted`), or once the bake is over too (`complete`)')
            [CompletionResult]::new('--preview', '--preview', [CompletionResultType]::ParameterName, 'Deploy a preview: its own Express service (local: container) and URL, named after the service and NAME; in GitHub Actions NAME defaults to pr-<number> or the branch')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Deploy every `[services.<NAME>]`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and the task-definition changes; change nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once the rollout has started (follow it later with `mcp status --wait`)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Start even while another deployment of the service is in progress, or while the load balancer''s set-up breaks MCP clients (`mcp doctor` lists it)')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Skip the MCP check of `deploy.url` after the rollout')
            [CompletionResult]::new('--allow-breaking', '--allow-breaking', [CompletionResultType]::ParameterName, 'Let a release that breaks the live release''s contract through (listed as warnings)')
            [CompletionResult]::new('--allow-over-limit', '--allow-over-limit', [CompletionResultType]::ParameterName, 'Let a release whose monthly estimate exceeds `[cost] monthly_limit` through (said so)')
            [CompletionResult]::new('--logs', '--logs', [CompletionResultType]::ParameterName, 'Print the new tasks'' log lines while the rollout runs')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;rollback' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The release to return to: a revision number or an image tag (default: the last that completed)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long the rollout may take (overrides `deploy.timeout`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Start even while another deployment of the service is in progress')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;restart' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long the rollout may take (overrides `deploy.timeout`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Start even while another deployment of the service is in progress')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;status' {
            [CompletionResult]::new('--stages', '--stages', [CompletionResultType]::ParameterName, 'Every service in every stage (the top level and each `[stages.<NAME>]`), or the stages listed (`--stages staging,production`, in promotion order): release, tasks, MCP check, drift; exit 1 unless every row is healthy')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'One line per `[services.<NAME>]`: revision, tasks, rollout, last event')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Follow a deployment in progress to its end (exit codes as for deploy)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;history' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many releases to list')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;cost' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'How far back: 30d, 7d, 90d')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Split the spend by day or by AWS service')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--stages', '--stages', [CompletionResultType]::ParameterName, 'Every stage, one row each (instead of the selected stage''s)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;scale' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once ECS has the new count, without waiting for the tasks')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;secrets' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store NAME''s value (read from stdin, not echoed) and reference it in [secrets]')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the secrets under this service''s prefix: names, ARNs, last changed (never values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcp-deploy;secrets;set' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The `[services.<NAME>]` it belongs to')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;secrets;list' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The `[services.<NAME>]` whose secrets to list')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;secrets;rm' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The `[services.<NAME>]` it belongs to')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;secrets;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store NAME''s value (read from stdin, not echoed) and reference it in [secrets]')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the secrets under this service''s prefix: names, ARNs, last changed (never values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcp-deploy;secrets;help;set' {
            break
        }
        'mcp-deploy;secrets;help;list' {
            break
        }
        'mcp-deploy;secrets;help;rm' {
            break
        }
        'mcp-deploy;secrets;help;help' {
            break
        }
        'mcp-deploy;down' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;logs' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start this long ago, or at this time [default: 10m]')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End this long ago, or at this time [default: now]')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Only events matching this CloudWatch filter pattern, e.g. `ERROR` or `"connection refused"`')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Only this task''s logs (a task id or ARN)')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Only the logs of tasks that ran this task-definition revision (running or recently stopped)')
            [CompletionResult]::new('--log-group', '--log-group', [CompletionResultType]::ParameterName, 'Read this log group instead of the one in the task definition')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing new events until Ctrl-C, including those of tasks started later')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new events until Ctrl-C, including those of tasks started later')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Follow with CloudWatch Logs Live Tail instead of polling (new events only; billed per minute of session, and sampled above 500 events per second)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Write the log text as the server wrote it, control characters and all (they are shown escaped otherwise, also through a pipe)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;check' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'MCP endpoint to check (overrides `deploy.url`) [env: MCP_URL]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each step may take, e.g. 10s')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'Speak only this MCP revision, e.g. 2025-11-25 (overrides `deploy.protocol`; default: negotiate) [env: MCP_PROTOCOL]')
            [CompletionResult]::new('--health-path', '--health-path', [CompletionResultType]::ParameterName, 'Health path to GET first (overrides `deploy.health_path`; '''' skips it)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call a tool after tools/list: `TOOL` or `TOOL={"id":1}` (repeatable; replaces `[[check.calls]]`); only the calls named are made')
            [CompletionResult]::new('--save-contract', '--save-contract', [CompletionResultType]::ParameterName, 'Write the server''s contract (tools, prompts, resources) to FILE as sorted JSON')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Compare the contract with SOURCE (a running server''s http(s) URL or a --save-contract file); breaking changes fail')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--allow-breaking', '--allow-breaking', [CompletionResultType]::ParameterName, 'List breaking contract changes as warnings instead of failing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;launch' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Service name (also the ECR repository''s and the project''s; default: `name` in mcp.toml, else the directory''s name)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;destroy' {
            [CompletionResult]::new('--preview', '--preview', [CompletionResultType]::ParameterName, 'Delete the preview NAME instead (with --all-resources its log group; images and roles stay); in GitHub Actions NAME defaults to pr-<number> or the branch')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--all-resources', '--all-resources', [CompletionResultType]::ParameterName, 'Also delete the log group and ECR repository (never the Express IAM roles)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;previews' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Run the MCP check against each preview''s URL')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcp-deploy;previews;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Delete previews last deployed longer ago than this, e.g. 7d')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Never delete these previews (comma-separated names)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for programs [env: MCP_OUTPUT]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted; delete nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and data')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No spinners or progress bars, even on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every question (needed for confirmations outside a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcp-deploy;previews;help' {
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcp-deploy;previews;help;prune' {
            break
        }
        'mcp-deploy;previews;help;help' {
            break
        }
        'mcp-deploy;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented mcp.toml for this project')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print every resolved setting and where it came from')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check that Docker, AWS credentials, ECR and ECS are ready for a deploy')
            [CompletionResult]::new('build', 'build', [CompletionResultType]::ParameterValue, 'Build the image (linux/amd64 by default) and tag it locally')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Build the image when needed and push it to ECR; prints the image by digest')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Build, push, register a new revision, roll it out, follow it, roll back on failure')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Put an earlier release live again (default: the last one that completed)')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Start the live release again (new tasks, secrets read afresh), followed like a deploy')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what runs: revision, image, tasks, rollout, recent events')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the service''s recent releases, newest first')
            [CompletionResult]::new('cost', 'cost', [CompletionResultType]::ParameterValue, 'What the service really cost, from Cost Explorer (by mcp''s cost allocation tags)')
            [CompletionResult]::new('scale', 'scale', [CompletionResultType]::ParameterValue, 'Set how many tasks a service runs (0 takes it offline) and wait for it')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'Store secrets in Secrets Manager and reference them from mcp.toml')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Remove the local target''s containers (stages with `target = "local"`)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print the service''s container logs from CloudWatch Logs; `-f` to follow')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the MCP server at `deploy.url`: health path, MCP (every revision), tools/list, sessions, OAuth')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('launch', 'launch', [CompletionResultType]::ParameterValue, 'From this directory''s Dockerfile to a checked MCP URL on a new ECS Express service')
            [CompletionResult]::new('destroy', 'destroy', [CompletionResultType]::ParameterValue, 'Delete what `mcp launch` made: an Express service, or a Lambda stage''s function, aliases, URLs and role (asks first; --yes outside a terminal)')
            [CompletionResult]::new('previews', 'previews', [CompletionResultType]::ParameterValue, 'List the project''s preview deployments (`mcp deploy --preview`); `prune` deletes old ones')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcp-deploy;help;init' {
            break
        }
        'mcp-deploy;help;config' {
            break
        }
        'mcp-deploy;help;doctor' {
            break
        }
        'mcp-deploy;help;build' {
            break
        }
        'mcp-deploy;help;push' {
            break
        }
        'mcp-deploy;help;deploy' {
            break
        }
        'mcp-deploy;help;rollback' {
            break
        }
        'mcp-deploy;help;restart' {
            break
        }
        'mcp-deploy;help;status' {
            break
        }
        'mcp-deploy;help;history' {
            break
        }
        'mcp-deploy;help;cost' {
            break
        }
        'mcp-deploy;help;scale' {
            break
        }
        'mcp-deploy;help;secrets' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store NAME''s value (read from stdin, not echoed) and reference it in [secrets]')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the secrets under this service''s prefix: names, ARNs, last changed (never values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml')
            break
        }
        'mcp-deploy;help;secrets;set' {
            break
        }
        'mcp-deploy;help;secrets;list' {
            break
        }
        'mcp-deploy;help;secrets;rm' {
            break
        }
        'mcp-deploy;help;down' {
            break
        }
        'mcp-deploy;help;logs' {
            break
        }
        'mcp-deploy;help;check' {
            break
        }
        'mcp-deploy;help;completions' {
            break
        }
        'mcp-deploy;help;launch' {
            break
        }
        'mcp-deploy;help;destroy' {
            break
        }
        'mcp-deploy;help;previews' {
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete previews last deployed before --older-than, or all but --keep (asks first; --yes outside a terminal)')
            break
        }
        'mcp-deploy;help;previews;prune' {
            break
        }
        'mcp-deploy;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
