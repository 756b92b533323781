//! The command line, as clap types only. Doc comments are the `--help` text.
//! Nothing here does work: `lib.rs` turns these into settings and calls `ops`.

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::ui::OutputFormat;

/// Ship MCP servers to AWS: build, push to ECR, deploy to ECS Fargate, follow the rollout, roll back.
#[derive(Debug, Parser)]
#[command(name = "mcp", version, propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Settings come from mcp.toml (found by walking up from the working directory).\n\
Precedence: flag > MCP_* environment variable > stage > mcp.toml > default.\n\
Exit codes: 0 ok, 1 error, 2 usage or configuration error, 3 deploy failed and was rolled back,\n\
4 deploy failed and was not rolled back, 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,

    /// The subcommand's name as typed (`deploy`), for messages about it.
    #[arg(skip)]
    pub command_name: String,
}

/// The name this binary was invoked under: `mcp`, or `mcp-deploy` when it is
/// installed under its second name beside the MCP Python SDK's own `mcp`
/// (issue 19). The file name of argv[0], without a Windows `.exe`.
pub fn invoked_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|arg0| {
            let name = Path::new(&arg0).file_name()?.to_string_lossy().into_owned();
            Some(
                name.strip_suffix(".exe")
                    .map(str::to_string)
                    .unwrap_or(name),
            )
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "mcp".to_string())
}

/// The clap command under `name`, so help, usage, `--version`, errors and
/// completions say `mcp-deploy …` when that is what the user typed.
pub fn command_named(name: &str) -> clap::Command {
    // clap takes a `&'static str` name unless its `string` feature is on; the
    // name is built once or twice per process, so leaking it costs nothing.
    let name: &'static str = Box::leak(name.to_string().into_boxed_str());
    Cli::command().name(name).bin_name(name)
}

/// Parse the process's arguments under the name it was invoked as.
pub fn parse() -> Cli {
    let matches = command_named(&invoked_name()).get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    cli.command_name = matches.subcommand_name().unwrap_or_default().to_string();
    cli
}

/// Options every command takes; `--help` lists them apart, after the command's own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Configuration file to use instead of looking for mcp.toml [env: MCP_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Stage to apply from `[stages.<NAME>]` [env: MCP_STAGE]
    #[arg(long, global = true, value_name = "NAME")]
    pub stage: Option<String>,

    /// Output format: text for people, json for programs [env: MCP_OUTPUT]
    #[arg(long, short = 'o', global = true, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// AWS region (overrides `region` in mcp.toml) [env: MCP_REGION]
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// AWS named profile (overrides `profile` in mcp.toml) [env: MCP_PROFILE]
    #[arg(long, global = true, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Print only errors and data
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More detail on stderr (repeat for more)
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// No spinners or progress bars, even on a terminal
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Answer yes to every question (needed for confirmations outside a terminal)
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented mcp.toml for this project
    #[command(after_help = "Examples:
  mcp init                                      Detect the Dockerfile and ask for the rest
  mcp init --from-service prod/weather          Read cluster, service, region, ... from a live service
  mcp init --name weather --cluster prod --url https://weather.example.com/mcp")]
    Init(InitArgs),

    /// Print every resolved setting and where it came from
    Config(ConfigArgs),

    /// Check that Docker, AWS credentials, ECR and ECS are ready for a deploy
    Doctor(DoctorArgs),

    /// Build the image (linux/amd64 by default) and tag it locally
    Build(BuildArgs),

    /// Build the image when needed and push it to ECR; prints the image by digest
    Push(PushArgs),

    /// Build, push, register a new revision, roll it out, follow it, roll back on failure
    #[command(after_help = "Examples:
  mcp deploy                                    Build, push and roll out the service in mcp.toml
  mcp deploy --stage local                      Run it as a container on this machine instead
  mcp deploy --stage production --dry-run       Show the plan and the task-definition changes
  mcp deploy --all --output json > deploy.json  Every [services.<NAME>]; the report for CI")]
    Deploy(DeployArgs),

    /// Put an earlier release live again (default: the last one that completed)
    #[command(after_help = "Examples:
  mcp rollback                                  Back to the last release that completed
  mcp rollback --to 41                          Back to task-definition revision 41
  mcp rollback --stage local --to 2             Local release 2 (`mcp history` lists them)")]
    Rollback(RollbackArgs),

    /// Start the live release again (new tasks, secrets read afresh), followed like a deploy
    Restart(RestartArgs),

    /// Show what runs: revision, image, tasks, rollout, recent events
    Status(StatusArgs),

    /// List the service's recent releases, newest first
    History(HistoryArgs),

    /// What the service really cost, from Cost Explorer (by mcp's cost allocation tags)
    Cost(CostArgs),

    /// Set how many tasks a service runs (0 takes it offline) and wait for it
    #[command(override_usage = "mcp scale [OPTIONS] [SERVICE] COUNT")]
    Scale(ScaleArgs),

    /// Store secrets in Secrets Manager and reference them from mcp.toml
    #[command(subcommand)]
    Secrets(SecretsCommand),

    /// Remove the local target's containers (stages with `target = "local"`)
    Down(DownArgs),
    /// Print the service's container logs from CloudWatch Logs; `-f` to follow
    Logs(LogsArgs),
    /// Check the MCP server at `deploy.url`: health path, MCP (every revision), tools/list, sessions, OAuth
    #[command(after_help = "Examples:
  mcp check                                     Check `deploy.url` of mcp.toml
  mcp check --url http://127.0.0.1:8080/mcp     Check a server running on this machine
  mcp check --stage production --timeout 30s    A slow endpoint, with more time per step")]
    Check(CheckArgs),

    /// Print a shell completion script
    Completions(CompletionsArgs),

    /// From this directory's Dockerfile to a checked MCP URL on a new ECS Express service
    #[command(
        long_about = "Make an ECS Express service from this directory's Dockerfile and end with a checked MCP URL.\n\n\
Creates what is missing: the ECR repository, the image, the IAM task execution and Express \
infrastructure roles (asks first; --yes outside a terminal), a log group and the Express service \
(container port deploy.port, health check deploy.health_path, [env], [secrets]). Waits for its URL, \
runs the MCP check against <url>/mcp and writes cluster, service, `express = true` and deploy.url \
into mcp.toml. Run again on a launched project it changes nothing; after a launch that stopped \
half-way it carries on from there.\n\n\
On a `target = \"lambda\"` stage: the ECR repository, the image with the Lambda Web Adapter, the \
function's own execution role (`<function>-mcp-lambda`, inline policies for its logs and [secrets]; \
asks first), the function, its aliases and URLs, gated like a deploy; writes target and [lambda] \
function/role into the stage."
    )]
    Launch(LaunchArgs),

    /// Delete what `mcp launch` made: an Express service, or a Lambda stage's function, aliases, URLs and role (asks first; --yes outside a terminal)
    Destroy(DestroyArgs),

    /// List the project's preview deployments (`mcp deploy --preview`); `prune` deletes old ones
    #[command(after_help = "Examples:
  mcp previews --check                          Every preview, its URL and its MCP verdict
  mcp previews prune --older-than 7d --yes      Delete previews not deployed for a week")]
    Previews(PreviewsArgs),
}

#[derive(Debug, Args)]
pub struct LaunchArgs {
    /// Service name (also the ECR repository's and the project's; default: `name` in mcp.toml,
    /// else the directory's name)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The `[services.<NAME>]` to destroy
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// Also delete the log group and ECR repository (never the Express IAM roles)
    #[arg(long)]
    pub all_resources: bool,

    /// Delete the preview NAME instead (with --all-resources its log group; images and
    /// roles stay); in GitHub Actions NAME defaults to pr-<number> or the branch
    #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "")]
    pub preview: Option<String>,
}

#[derive(Debug, Args)]
pub struct PreviewsArgs {
    #[command(subcommand)]
    pub command: Option<PreviewsCommand>,

    /// Run the MCP check against each preview's URL
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Subcommand)]
pub enum PreviewsCommand {
    /// Delete previews last deployed before --older-than, or all but --keep (asks first; --yes
    /// outside a terminal)
    Prune(PruneArgs),
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Delete previews last deployed longer ago than this, e.g. 7d
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,

    /// Never delete these previews (comma-separated names)
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub keep: Vec<String>,

    /// Show what would be deleted; delete nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// The `[services.<NAME>]` to take down
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Store NAME's value (read from stdin, not echoed) and reference it in [secrets]
    Set(SecretArgs),
    /// List the secrets under this service's prefix: names, ARNs, last changed (never values)
    List(SecretsListArgs),
    /// Delete NAME (recoverable for 7 days) and remove its reference from mcp.toml
    Rm(SecretArgs),
}

#[derive(Debug, Args)]
pub struct SecretArgs {
    /// The environment variable name the container sees, e.g. API_KEY
    pub name: String,

    /// The `[services.<NAME>]` it belongs to
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
}

#[derive(Debug, Args)]
pub struct SecretsListArgs {
    /// The `[services.<NAME>]` whose secrets to list
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// `[SERVICE] COUNT`: the `[services.<NAME>]` to scale (optional) and the number of tasks
    #[arg(value_names = ["SERVICE", "COUNT"], num_args = 1..=2, required = true)]
    pub args: Vec<String>,

    /// Return once ECS has the new count, without waiting for the tasks
    #[arg(long)]
    pub no_wait: bool,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Deploy these `[services.<NAME>]` (several roll out in parallel)
    #[arg(value_name = "SERVICE")]
    pub services: Vec<String>,

    /// Deploy every `[services.<NAME>]`
    #[arg(long, conflicts_with = "services")]
    pub all: bool,

    /// How many services build, push and roll out at once
    #[arg(long, short = 'j', default_value_t = 4, value_name = "N")]
    pub jobs: usize,

    /// Deploy an image already in ECR (built by another CI step) instead of building
    #[arg(long, value_name = "URI")]
    pub image: Option<String>,

    /// Image tag (a template like `build.tag`)
    #[arg(long, value_name = "TAG", conflicts_with = "image")]
    pub tag: Option<String>,

    /// ECS cluster (overrides `ecs.cluster`) [env: MCP_CLUSTER]
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// How long the rollout may take, e.g. 15m (overrides `deploy.timeout`) [env: MCP_TIMEOUT]
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Print the plan and the task-definition changes; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Return once the rollout has started (follow it later with `mcp status --wait`)
    #[arg(long)]
    pub no_wait: bool,

    /// Start even while another deployment of the service is in progress, or
    /// while the load balancer's set-up breaks MCP clients (`mcp doctor` lists it)
    #[arg(long)]
    pub force: bool,

    /// Skip the MCP check of `deploy.url` after the rollout
    #[arg(long)]
    pub no_check: bool,

    /// Let a release that breaks the live release's contract through (listed as warnings)
    #[arg(long)]
    pub allow_breaking: bool,

    /// Let a release whose monthly estimate exceeds `[cost] monthly_limit` through (said so)
    #[arg(long)]
    pub allow_over_limit: bool,

    /// Print the new tasks' log lines while the rollout runs
    #[arg(long)]
    pub logs: bool,

    /// Blue/green, canary, linear: return once production traffic is all on the new
    /// release (`shifted`), or once the bake is over too (`complete`)
    #[arg(long, value_name = "WHEN", default_value = "shifted")]
    pub wait_until: WaitUntilArg,

    /// Deploy a preview: its own Express service (local: container) and URL, named after the
    /// service and NAME; in GitHub Actions NAME defaults to pr-<number> or the branch
    #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "")]
    pub preview: Option<String>,
}

/// `--wait-until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaitUntilArg {
    Shifted,
    Complete,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// Roll back this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// The release to return to: a revision number or an image tag (default: the last that completed)
    #[arg(long, value_name = "REVISION|TAG")]
    pub to: Option<String>,

    /// How long the rollout may take (overrides `deploy.timeout`)
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Start even while another deployment of the service is in progress
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Restart this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// How long the rollout may take (overrides `deploy.timeout`)
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Start even while another deployment of the service is in progress
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Show this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// One line per `[services.<NAME>]`: revision, tasks, rollout, last event
    #[arg(long, conflicts_with_all = ["service", "wait"])]
    pub all: bool,

    /// Follow a deployment in progress to its end (exit codes as for deploy)
    #[arg(long)]
    pub wait: bool,

    /// Every service in every stage (the top level and each `[stages.<NAME>]`), or
    /// the stages listed (`--stages staging,production`, in promotion order): release,
    /// tasks, MCP check, drift; exit 1 unless every row is healthy
    #[arg(
        long,
        value_name = "STAGES",
        value_delimiter = ',',
        num_args = 0..=1,
        require_equals = false,
        conflicts_with_all = ["service", "wait", "all"]
    )]
    pub stages: Option<Vec<String>>,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    /// Show this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// Every stage, one row each (instead of the selected stage's)
    #[arg(long)]
    pub stages: bool,

    /// How far back: 30d, 7d, 90d
    #[arg(long, value_name = "DURATION", default_value = "30d")]
    pub since: String,

    /// Split the spend by day or by AWS service
    #[arg(long, value_enum)]
    pub by: Option<CostByArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CostByArg {
    Day,
    Service,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// How many releases to list
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

#[derive(Debug, Args)]
#[command(
    after_help = "The log group, region and stream prefix come from the `awslogs` options of the \
container in the live task definition. TIME is a duration ago (30s, 10m, 2h, 1d) or an RFC 3339 \
time (2025-05-01T12:00:00Z). Each line: time, task id, message; with `--output json` one object \
per line with timestamp, stream, task and message.

Examples:
  mcp logs --since 1h --filter ERROR            The last hour's errors
  mcp logs -f                                   Follow, including tasks started later
  mcp logs --revision 42 -o json | jq -r .message
                                                One revision's messages, for a script"
)]
pub struct LogsArgs {
    /// Read the logs of this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// Start this long ago, or at this time [default: 10m]
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// End this long ago, or at this time [default: now]
    #[arg(long, value_name = "TIME", conflicts_with = "follow")]
    pub until: Option<String>,

    /// Only events matching this CloudWatch filter pattern, e.g. `ERROR` or `"connection refused"`
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,

    /// Only this task's logs (a task id or ARN)
    #[arg(long, value_name = "ID", conflicts_with = "revision")]
    pub task: Option<String>,

    /// Only the logs of tasks that ran this task-definition revision (running or recently stopped)
    #[arg(long, value_name = "N")]
    pub revision: Option<u32>,

    /// Keep printing new events until Ctrl-C, including those of tasks started later
    #[arg(long, short = 'f')]
    pub follow: bool,

    /// Follow with CloudWatch Logs Live Tail instead of polling (new events only; billed per
    /// minute of session, and sampled above 500 events per second)
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub live: bool,

    /// Read this log group instead of the one in the task definition
    #[arg(long, value_name = "NAME")]
    pub log_group: Option<String>,

    /// Write the log text as the server wrote it, control characters and all
    /// (they are shown escaped otherwise, also through a pipe)
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// MCP endpoint to check (overrides `deploy.url`) [env: MCP_URL]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// How long each step may take, e.g. 10s
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub timeout: String,

    /// Speak only this MCP revision, e.g. 2025-11-25 (overrides `deploy.protocol`; default: negotiate) [env: MCP_PROTOCOL]
    #[arg(long, value_name = "REVISION")]
    pub protocol: Option<String>,

    /// Health path to GET first (overrides `deploy.health_path`; '' skips it)
    #[arg(long, value_name = "PATH")]
    pub health_path: Option<String>,

    /// Call a tool after tools/list: `TOOL` or `TOOL={"id":1}` (repeatable; replaces `[[check.calls]]`); only the calls named are made
    #[arg(long = "call", value_name = "TOOL[=JSON]")]
    pub calls: Vec<String>,

    /// Write the server's contract (tools, prompts, resources) to FILE as sorted JSON
    #[arg(long, value_name = "FILE")]
    pub save_contract: Option<PathBuf>,

    /// Compare the contract with SOURCE (a running server's http(s) URL or a --save-contract file); breaking changes fail
    #[arg(long, value_name = "SOURCE")]
    pub baseline: Option<String>,

    /// List breaking contract changes as warnings instead of failing
    #[arg(long)]
    pub allow_breaking: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Build this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// Push this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// Image tag (a template like `build.tag`: {git_sha}, {timestamp}, {stage}, {name})
    #[arg(long, value_name = "TAG", conflicts_with = "image")]
    pub tag: Option<String>,

    /// Use an image already in ECR (built by another CI step) instead of building: it is checked to exist
    #[arg(long, value_name = "URI")]
    pub image: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project name (default: the git remote's repository name, else the directory name)
    #[arg(long)]
    pub name: Option<String>,

    /// ECS cluster
    #[arg(long)]
    pub cluster: Option<String>,

    /// ECS service (default: the project name)
    #[arg(long)]
    pub service: Option<String>,

    /// ECR repository (default: the project name)
    #[arg(long)]
    pub repository: Option<String>,

    /// Container in the task definition whose image is replaced
    #[arg(long)]
    pub container: Option<String>,

    /// Public URL of the MCP endpoint, for checks after a deploy
    #[arg(long)]
    pub url: Option<String>,

    /// Dockerfile (default: detected in the current directory)
    #[arg(long, value_name = "PATH")]
    pub dockerfile: Option<PathBuf>,

    /// Overwrite an existing mcp.toml
    #[arg(long)]
    pub force: bool,

    /// Read cluster, service, region, container, ECR repository and log group from a live service
    #[arg(long, value_name = "CLUSTER/SERVICE")]
    pub from_service: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Resolve the settings of this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,

    /// Resolve the settings of every `[services.<NAME>]`
    #[arg(long, conflicts_with = "service")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Check this `[services.<NAME>]`
    #[arg(value_name = "SERVICE")]
    pub service: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// clap's own consistency checks (conflicting names, bad defaults, …),
    /// which it otherwise runs only for the arguments a user happens to pass.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
