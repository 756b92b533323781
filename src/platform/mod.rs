//! Where a release runs: the seam every way of deploying plugs into.
//!
//! A [`Platform`] takes resolved [`Settings`] and a [`Printer`] (for status
//! lines while it works) and answers with the release model's reports
//! ([`crate::release`]); it never prints a command's result and never decides
//! how it is rendered: the commands in `ops/` do that. [`for_settings`] is the
//! one place that picks a platform; nothing else branches on `target`.
//!
//! Today there are four:
//! - [`ecs`]: an ECS service updated by a rolling deployment, followed by
//!   deployment id, rolled back by policy ([`ecs::EcsRolling`]); when the
//!   service (or `deploy.strategy`) uses blue/green, canary or linear
//!   deployments, the same platform hands the rollout to [`ecs_progressive`]
//!   (lifecycle stages, the MCP gate at the test listener, instant rollback
//!   during the bake);
//! - [`ecs_express`]: an ECS Express Mode service (`mcp launch` makes one),
//!   released through `UpdateExpressGatewayService` and followed like the
//!   rolling one ([`ecs_express::EcsExpress`]);
//! - [`local`]: containers on the local Docker engine, one per release
//!   ([`local::Local`]);
//! - [`lambda`]: an AWS Lambda function serving the image through the Lambda
//!   Web Adapter; a release is a published version, checked on the
//!   `candidate` alias's URL before the `live` alias moves ([`lambda::Lambda`]).
//!
//! A new way to run a release (ECS blue/green, canary or linear deployments
//! driven by `DescribeServiceDeployments` and lifecycle hooks; ECS Express
//! services) is one new module here that implements [`Platform`], and one arm
//! in [`for_settings`]. What the platforms share sits beside them: the release
//! model and image pipeline in `release/`, the MCP probe in `probe/`, the
//! printing of log lines in [`logs`], the log group and repository
//! `destroy --all-resources` removes on Express and Lambda in [`all_resources`].
//!
//! The methods return boxed futures so that commands can hold a
//! `Box<dyn Platform>`; each implementation writes `Box::pin(async move { … })`.

pub mod all_resources;
pub mod check;
pub mod ecs;
pub mod ecs_express;
pub mod ecs_progressive;
pub mod gate;
pub mod lambda;
pub mod local;
pub mod logs;
pub mod preview;

use anyhow::Result;
use futures_util::future::BoxFuture;

use crate::config::{Settings, TargetKind};
use crate::error::ExitStatus;
use crate::release::Report;
use crate::release::build::BuildMemo;
use crate::ui::{Output, Printer};

pub use logs::LogsRequest;

/// The URL the MCP check after a deploy goes to: `deploy.url`, or the local
/// target's own address on this machine.
pub fn check_url(settings: &Settings) -> Option<String> {
    match settings.target {
        TargetKind::Local => Some(local::engine::url(settings)),
        _ => settings.deploy.url.clone(),
    }
}

/// What an MCP client is given to reach the stage at `url`: its URL, or on a
/// Lambda stage whose URL needs SigV4 (`url_auth = "AWS_IAM"`) a signing proxy.
pub fn client_snippet(settings: &Settings, url: &str) -> String {
    let name = settings.service_or_name();
    match (settings.target, settings.lambda.url_auth) {
        (TargetKind::Lambda, crate::config::UrlAuth::AwsIam) => {
            crate::release::report::client_snippet_aws_iam(name, url, settings.region.as_deref())
        }
        _ => crate::release::report::client_snippet(name, url),
    }
}

/// What `mcp deploy` asks of a platform.
#[derive(Debug, Clone, Default)]
pub struct DeployRequest {
    /// An image already in ECR, instead of building.
    pub image: Option<String>,
    /// Tag template overriding `build.tag`.
    pub tag: Option<String>,
    /// Print the plan; change nothing.
    pub dry_run: bool,
    /// Return once the rollout has started.
    pub no_wait: bool,
    /// Start even when another deployment is in flight.
    pub force: bool,
    /// Skip the MCP check after the rollout.
    pub no_check: bool,
    /// A release that breaks the live release's contract goes through.
    pub allow_breaking: bool,
    /// A release whose monthly estimate exceeds `[cost] monthly_limit` goes through.
    pub allow_over_limit: bool,
    /// Stream the new release's logs while waiting.
    pub logs: bool,
    /// ECS blue/green, canary, linear: stop following once production
    /// traffic shifted, or once the deployment completed (`--wait-until`).
    pub wait_until: ecs_progressive::follow::WaitUntil,
}

/// What `mcp rollback` asks of a platform.
#[derive(Debug, Clone, Default)]
pub struct RollbackRequest {
    /// The release to go back to (a revision, a tag, a release number);
    /// the platform's default when `None`.
    pub to: Option<String>,
    /// Start even when another deployment is in flight.
    pub force: bool,
}

/// What `mcp restart` asks of a platform.
#[derive(Debug, Clone, Default)]
pub struct RestartRequest {
    /// Start even when another deployment is in flight.
    pub force: bool,
}

/// What [`Platform::prepare`] ends with.
pub enum Prepared {
    /// `--dry-run`: what the deploy would do.
    DryRun(Output),
    /// Everything is in place to change what runs.
    Ready(Box<dyn Ready>),
}

/// A deploy that is prepared (image built and pushed, revision registered…)
/// and can be rolled out.
pub trait Ready: Send + Sync {
    /// Change what runs and, unless `--no-wait`, see it through; on failure
    /// apply the rollback policy.
    fn roll_out<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
    ) -> BoxFuture<'a, Result<Report>>;
}

/// What runs now, as [`Platform::status`] tells it.
#[derive(Debug)]
pub struct Status {
    /// The platform's own status, printed by `mcp status`.
    pub output: Output,
    /// Non-zero when `--wait` followed a rollout that failed.
    pub exit: ExitStatus,
    /// One line of `mcp status --all`.
    pub summary: StatusLine,
}

/// The columns `mcp status --all` shows for any platform.
#[derive(Debug, Clone, Default)]
pub struct StatusLine {
    /// What runs: `family:7`, `release 3`.
    pub revision: String,
    pub running: i32,
    pub desired: i32,
    /// The rollout state in progress words (`completed`, `in progress`), if any.
    pub rollout: Option<String>,
    /// The most recent event, if the platform keeps any.
    pub last_event: Option<String>,
    /// The live image's tag, when known.
    pub tag: Option<String>,
    /// The commit the live image was built from, when known.
    pub git_sha: Option<String>,
    /// How what runs differs from what mcp.toml would deploy (`env FOO`,
    /// `secret BAR`): changed by hand since the last deploy. Empty when the
    /// platform cannot tell.
    pub config_drift: Vec<String>,
    /// Findings of the load balancer in front of it (`mcp doctor` lists them), when it has one.
    pub load_balancer_findings: Option<usize>,
    /// The monthly estimate (or why there is none), where the platform costs money.
    pub cost: Option<crate::release::cost::Cost>,
    /// Where clients reach it when the platform found out (a Lambda stage's
    /// `live` URL) and `deploy.url` does not say.
    pub url: Option<String>,
    /// With `url`: the MCP check the platform ran there to tell its status.
    /// A caller showing a check takes this one rather than checking the same
    /// URL again.
    pub check: Option<crate::probe::CheckReport>,
}

/// One way of running a release. See the module documentation.
pub trait Platform: Send + Sync {
    /// How messages name this platform ("ECS", "the local target").
    fn name(&self) -> &'static str;

    /// Whether `mcp deploy --all` may include a service on this platform.
    fn joins_fleet(&self) -> bool {
        true
    }

    /// Everything before what runs changes: the image, a new revision; or,
    /// with `--dry-run`, the plan. `builds` shares images between services
    /// of one `mcp deploy --all`.
    fn prepare<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
        builds: &'a BuildMemo,
    ) -> BoxFuture<'a, Result<Prepared>>;

    /// Put an earlier release live again, followed like a deploy.
    fn rollback<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a RollbackRequest,
    ) -> BoxFuture<'a, Result<Report>>;

    /// Start the live release again (new tasks, secrets read afresh),
    /// followed like a deploy. Platforms that cannot say so.
    fn restart<'a>(
        &'a self,
        settings: &'a Settings,
        _printer: &'a Printer,
        _request: &'a RestartRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        let name = self.name();
        let service = settings
            .service
            .as_ref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        Box::pin(async move {
            Err(
                crate::error::McpError::usage(format!("`mcp restart` is not available on {name}"))
                    .hint(format!("deploy again with `mcp deploy{service}`"))
                    .into(),
            )
        })
    }

    /// What runs now; with `wait`, first follow a rollout in flight to its end.
    fn status<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        wait: bool,
    ) -> BoxFuture<'a, Result<Status>>;

    /// The recent releases, newest first (at most `limit` where the platform
    /// keeps more).
    fn history<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        limit: usize,
    ) -> BoxFuture<'a, Result<Output>>;

    /// Print the release's log lines (see [`logs::print`]) until they end or,
    /// when following, until Ctrl-C.
    fn logs<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a LogsRequest,
    ) -> BoxFuture<'a, Result<ExitStatus>>;

    /// Run `count` copies (0: offline), waiting for them when `wait`.
    fn scale<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        count: i32,
        wait: bool,
    ) -> BoxFuture<'a, Result<Output>>;

    /// Remove what this platform runs for the service.
    fn down<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
    ) -> BoxFuture<'a, Result<Output>>;
}

/// The platform these settings deploy to: the one place that looks at `target`.
pub fn for_settings(settings: &Settings) -> Box<dyn Platform> {
    match settings.target {
        TargetKind::Ecs if settings.ecs.express => Box::new(ecs_express::EcsExpress),
        TargetKind::Ecs => Box::new(ecs::EcsRolling),
        TargetKind::Local => Box::new(local::Local),
        TargetKind::Lambda => Box::new(lambda::Lambda),
    }
}
