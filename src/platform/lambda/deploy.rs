//! `mcp deploy` on a Lambda stage: build and push the image (the adapter
//! added when the image has none, see `release::lambda_image`), then roll
//! out: configuration, code, publish, and the release steps of [`super::release`].
//!
//! The function's environment is `[env]`, the adapter's settings
//! (`AWS_LWA_PORT`, `AWS_LWA_READINESS_CHECK_PATH`, `AWS_LWA_INVOKE_MODE`),
//! and for each `[secrets]` entry `NAME_SECRET_ARN` = its reference: a secret
//! value never goes into the configuration, which every
//! `lambda:GetFunctionConfiguration` reader sees. The server reads the value
//! at start (the AWS Parameters and Secrets Lambda Extension, or the SDK).
//!
//! A deploy also puts `mcp`'s cost allocation tags on the function when it
//! lacks them ([`ensure_cost_tags`]), as an ECS deploy does on its service.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Result;
use futures_util::future::BoxFuture;

use super::release::{self, Candidate};
use super::{LIVE, revision};
use crate::aws::Clients;
use crate::aws::lambda::{self, Configuration, ReleaseTags, Settled};
use crate::config::Settings;
use crate::error::McpError;
use crate::platform::{DeployRequest, Prepared};
use crate::release::build::{self, BuildMemo};
use crate::release::cost::tags as cost_tags;
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, ImageRef, Report};
use crate::ui::{Output, Printer};

/// The environment variable that carries the reference of secret `name`.
pub fn secret_variable(name: &str) -> String {
    format!("{name}_SECRET_ARN")
}

/// The function's environment as mcp.toml makes it (see the module docs):
/// the adapter's settings are the image's (one source, `adapter_env`).
pub fn environment(settings: &Settings) -> BTreeMap<String, String> {
    let mut env = settings.env.clone();
    for (key, value) in crate::release::lambda_image::adapter_env(settings) {
        env.entry(key.to_string()).or_insert(value);
    }
    for (name, reference) in &settings.secrets {
        env.insert(secret_variable(name), reference.clone());
    }
    env
}

/// A `[secrets]` reference a Lambda function can read: ECS's `:json-key:stage:id`
/// suffix on a Secrets Manager ARN is ECS's to resolve, not Lambda's.
fn check_secret_references(settings: &Settings) -> Result<()> {
    for (name, reference) in &settings.secrets {
        if reference.starts_with("arn:")
            && reference.contains(":secretsmanager:")
            && reference.split(':').count() > 7
        {
            return Err(McpError::usage(format!(
                "`secrets.{name}` names a key inside the secret (ECS's `:json-key:stage:id` suffix), which Lambda does not resolve"
            ))
            .hint(format!(
                "write the secret's ARN alone; the server gets it in {} and reads the key from the secret's JSON",
                secret_variable(name)
            ))
            .into());
        }
    }
    Ok(())
}

/// The configuration mcp.toml asks for.
/// A role given by name becomes an ARN of the function's account (Lambda takes ARNs only).
fn configuration(settings: &Settings, function: &lambda::Function) -> Configuration {
    let lambda = &settings.lambda;
    let role = lambda.role.as_ref().map(|role| {
        if role.starts_with("arn:") {
            return role.clone();
        }
        // arn:<partition>:lambda:<region>:<account>:function:<name>
        let parts: Vec<&str> = function.arn.split(':').collect();
        match (parts.get(1), parts.get(4)) {
            (Some(partition), Some(account)) => {
                format!("arn:{partition}:iam::{account}:role/{role}")
            }
            _ => role.clone(),
        }
    });
    Configuration {
        memory: i32::try_from(lambda.memory).unwrap_or(i32::MAX),
        timeout: i32::try_from(lambda.timeout.as_secs().max(1)).unwrap_or(900),
        environment: environment(settings),
        role,
    }
}

/// What of the function's configuration differs from mcp.toml's, as `key` words.
pub fn differences(function: &lambda::Function, settings: &Settings) -> Vec<String> {
    let want = configuration(settings, function);
    let mut out = Vec::new();
    if function.architecture.as_deref() != Some(settings.lambda.architecture.name()) {
        out.push("architecture".to_string());
    }
    if function.memory != Some(want.memory) {
        out.push("memory".to_string());
    }
    if function.timeout != Some(want.timeout) {
        out.push("timeout".to_string());
    }
    if let Some(role) = &want.role
        && function
            .role
            .as_deref()
            .is_none_or(|r| crate::aws::iam::role_name(r) != crate::aws::iam::role_name(role))
    {
        out.push("role".to_string());
    }
    let names: std::collections::BTreeSet<&String> = want
        .environment
        .keys()
        .chain(function.environment.keys())
        .collect();
    for name in names {
        if want.environment.get(name) != function.environment.get(name) {
            out.push(format!("env {name}"));
        }
    }
    out
}

pub async fn prepare(
    settings: &Settings,
    printer: &Printer,
    request: &DeployRequest,
    builds: &BuildMemo,
) -> Result<Prepared> {
    if request.no_wait {
        return Err(McpError::usage(
            "--no-wait is for ECS deploys: a Lambda deploy ends when the gate has judged the new version",
        )
        .hint("leave out --no-wait")
        .into());
    }
    let started = Instant::now();
    check_secret_references(settings)?;
    // A token on an `AWS_IAM` stage is refused before anything changes.
    crate::probe::Options::from_settings(settings)?;
    let clients = Clients::new(settings).await;
    let function = super::function(&clients, settings).await?;
    let live = lambda::get_alias(&clients.lambda, &function.name, LIVE).await?;
    // `[cost] monthly_limit`: the estimate of what mcp.toml sets, on today's traffic.
    let cost = super::cost::guard(
        settings,
        &clients,
        printer,
        request.allow_over_limit,
        "this deploy",
    )
    .await?;
    if request.dry_run {
        let mut lines = vec![
            format!(
                "function   {} ({})",
                function.name,
                clients.region().unwrap_or("?")
            ),
            format!(
                "live       {}",
                live.as_ref()
                    .map(|a| format!("version {}", a.version))
                    .unwrap_or_else(|| "none yet (the alias is created)".into())
            ),
            format!(
                "image      {}",
                request
                    .image
                    .clone()
                    .unwrap_or_else(|| format!("built and pushed to {}", settings.ecr.repository))
            ),
        ];
        let changes = differences(&function, settings);
        if !changes.is_empty() {
            lines.push(format!("configure  {}", changes.join(", ")));
        }
        lines.push(cost.line());
        lines.push(format!(
            "then       publish a version, check it on the `candidate` URL, move `live`{}",
            if settings.deploy.progressive.strategy == Some(crate::config::Strategy::Canary) {
                " by canary weights"
            } else {
                ""
            }
        ));
        return Ok(Prepared::DryRun(Output::new(Plan { plan: lines })));
    }
    ensure_cost_tags(settings, &clients, printer, &function).await;
    if settings.deploy.url.is_none()
        && !request.no_check
        && let Some(url) = super::live_url(&clients, settings).await?
    {
        // What clients use now, before anything changes (`deploy.url` set: the command did it).
        crate::platform::check::remember_live_contract(
            settings,
            printer,
            &url,
            request.allow_breaking,
        )
        .await;
    }
    let (image, git_sha) = match &request.image {
        Some(image) => (ImageRef::parse_pinned(image)?, None),
        None => {
            let pushed =
                build::build_and_push(settings, printer, &clients, request.tag.as_deref(), builds)
                    .await?;
            (pushed.image, pushed.git_sha)
        }
    };
    Ok(Prepared::Ready(Box::new(Ready {
        clients,
        function,
        live_version: live.map(|a| a.version),
        image,
        git_sha,
        started,
    })))
}

/// The cost allocation tags `tags` (a function's) lack, or carry with another value.
pub fn missing_cost_tags(settings: &Settings, tags: &BTreeMap<String, String>) -> Vec<String> {
    cost_tags::missing(settings, |key, value| {
        tags.get(key).map(String::as_str) == Some(value)
    })
}

/// What [`tag_for_cost`] did.
#[derive(Debug, PartialEq)]
enum CostTagging {
    /// The function carried them already: nothing was called.
    AsWanted,
    Tagged,
    /// Not tagged: the warning to print.
    Refused(String),
}

/// Tag the function for Cost Explorer when not yet so (a function made by
/// Terraform has no `mcp:` tags), so that `mcp cost` finds its spend.
async fn tag_for_cost(
    settings: &Settings,
    client: &aws_sdk_lambda::Client,
    function: &lambda::Function,
) -> CostTagging {
    // Unreadable: tag anyway (TagResource keeps the function's other tags).
    let tags = lambda::tags(client, &function.arn)
        .await
        .unwrap_or_default();
    if missing_cost_tags(settings, &tags).is_empty() {
        return CostTagging::AsWanted;
    }
    let wanted = cost_tags::of(settings)
        .into_iter()
        .map(|(key, value)| (key.to_string(), value));
    let doing = format!("tagging `{}` for cost allocation", function.name);
    match lambda::tag(client, &function.arn, wanted, &doing).await {
        Ok(()) => CostTagging::Tagged,
        Err(err) => CostTagging::Refused(format!(
            "the function is not tagged for cost allocation ({}): `mcp cost` cannot find its spend",
            crate::error::one_line(&err)
        )),
    }
}

/// [`tag_for_cost`], said. Best effort, as on ECS: a deploy goes on without
/// the tags, with a warning.
async fn ensure_cost_tags(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    function: &lambda::Function,
) {
    match tag_for_cost(settings, &clients.lambda, function).await {
        CostTagging::AsWanted => {}
        CostTagging::Tagged => printer.status(
            "Tagged",
            format!(
                "{} for cost allocation ({})",
                function.name,
                cost_tags::ALL.join(", ")
            ),
        ),
        CostTagging::Refused(warning) => printer.warn(warning),
    }
}

/// What `--dry-run` prints: one line a step.
#[derive(Debug, serde::Serialize)]
struct Plan {
    plan: Vec<String>,
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for line in &self.plan {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// An image in ECR, ready to become the function's next version.
struct Ready {
    clients: Clients,
    function: lambda::Function,
    live_version: Option<String>,
    image: ImageRef,
    git_sha: Option<String>,
    started: Instant,
}

impl crate::platform::Ready for Ready {
    fn roll_out<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        Box::pin(roll_out(settings, printer, self, request))
    }
}

/// A report for this function, before its outcome is known.
pub fn report(settings: &Settings, version: &str, started: Instant) -> Report {
    let mut report = Report::new(
        DeployStatus::Succeeded,
        "lambda".into(),
        settings.lambda.function.clone(),
        revision(settings, version),
    );
    report.stage = settings.stage.clone();
    report.duration_s = seconds_since(started);
    report
}

/// Who deploys: the caller's ARN, else the user name.
pub async fn deployed_by(clients: &Clients) -> Option<String> {
    match clients.sts.get_caller_identity().send().await {
        Ok(out) => out.arn().map(str::to_string),
        Err(_) => std::env::var("USER").ok(),
    }
}

async fn roll_out(
    settings: &Settings,
    printer: &Printer,
    ready: &Ready,
    request: &DeployRequest,
) -> Result<Report> {
    let Ready {
        clients,
        function,
        live_version,
        image,
        git_sha,
        started,
    } = ready;
    let name = &function.name;
    let client = &clients.lambda;
    let previous = live_version.clone();
    let failed_update = |reason: String| {
        let mut report = report(settings, "$LATEST", *started);
        report.image = Some(image.clone());
        report.previous_revision = previous.as_deref().map(|v| revision(settings, v));
        report.live_revision = previous.as_deref().map(|v| revision(settings, v));
        report.status = if previous.is_some() {
            DeployStatus::RolledBack
        } else {
            DeployStatus::Failed
        };
        report.reason = Some(reason);
        report.next = Some(format!(
            "`live` was not touched{}; see `mcp logs` for the function's output",
            previous
                .as_deref()
                .map(|v| format!(" and still serves version {v}"))
                .unwrap_or_default()
        ));
        report
    };

    // The role mcp made may read exactly the `[secrets]` of this release.
    grant_secrets(clients, settings, printer, function).await?;
    // The configuration first, so the version published below carries it.
    let changes = differences(function, settings);
    if !changes.is_empty() {
        printer.status("Configuring", format!("{name}: {}", changes.join(", ")));
        wait(client, settings, name).await?;
        lambda::update_configuration(client, name, &configuration(settings, function)).await?;
        if let Settled::Failed(reason) = wait(client, settings, name).await? {
            return Ok(failed_update(format!(
                "Lambda refused the configuration: {reason}"
            )));
        }
    }
    // By digest alone: what Lambda resolves and keeps, whatever the tag does later.
    let uri = match &image.digest {
        Some(digest) => format!("{}@{digest}", image.name()),
        None => image.to_string(),
    };
    printer.status("Updating", format!("{name} to {uri}"));
    lambda::update_code(client, name, &uri, settings.lambda.architecture).await?;
    if let Settled::Failed(reason) = wait(client, settings, name).await? {
        printer.warn(format!("Lambda could not update {name}: {reason}"));
        return Ok(failed_update(format!("the update failed: {reason}")));
    }
    let tags = ReleaseTags {
        tag: image.tag.clone(),
        git_sha: git_sha.clone(),
        deployed_by: deployed_by(clients).await,
        deployed_at: Some(
            jiff::Timestamp::now()
                .round(jiff::Unit::Second)?
                .to_string(),
        ),
    };
    let published = lambda::publish_version(client, name, &tags.describe()).await?;
    let version = published.version.clone();
    printer.status("Published", format!("version {version} of {name}"));
    let mut report = report(settings, &version, *started);
    report.image = Some(image.clone());
    report.digest = image.digest.clone();
    report.previous_revision = previous.as_deref().map(|v| revision(settings, v));
    report.strategy = settings.deploy.progressive.strategy;
    if previous.as_deref() == Some(version.as_str()) {
        printer.status(
            "Unchanged",
            format!("version {version} is live already: nothing new to publish"),
        );
        // A canary's weight left on `live` (an interrupted deploy) goes.
        if lambda::get_alias(client, name, LIVE)
            .await?
            .is_some_and(|a| a.weight.is_some())
        {
            lambda::set_alias(client, name, LIVE, &version, None, false).await?;
            printer.status(
                "Cleared",
                format!("the canary weight on `live`: version {version} serves all"),
            );
        }
        report.live_revision = Some(report.revision.clone());
        report.client_url = super::live_url(clients, settings).await?;
        report.duration_s = seconds_since(*started);
        return Ok(report);
    }
    let candidate = Candidate {
        version: version.clone(),
        previous,
        check: !request.no_check,
    };
    release::release(settings, printer, clients, &candidate, &mut report).await?;
    report.duration_s = seconds_since(*started);
    Ok(report)
}

/// When the function's execution role is the one `mcp launch` made for it,
/// bring its inline policies to this release's `[secrets]` (a role of yours
/// is yours: `mcp doctor` and the server's own errors say what it lacks).
async fn grant_secrets(
    clients: &Clients,
    settings: &Settings,
    printer: &Printer,
    function: &lambda::Function,
) -> Result<()> {
    use super::role;
    let Some(arn) = &function.role else {
        return Ok(());
    };
    let name = crate::aws::iam::role_name(arn);
    if name != role::default_role_name(&settings.lambda.function) {
        return Ok(());
    }
    let tags = role::role_tags(clients, name, arn).await?;
    if !role::made_for(&tags, &settings.lambda.function) {
        return Ok(());
    }
    // Where the function lives is in its ARN: the deploy asks STS once, for its author.
    let place = match role::Place::of_function(settings, &function.arn) {
        Some(place) => place,
        None => role::Place::resolve(settings, clients).await?,
    };
    let mut ours = settings.clone();
    ours.lambda.role = Some(arn.clone());
    let found = role::look_role(clients, &ours, &place).await?;
    if found.changes.is_empty() {
        return Ok(());
    }
    role::make_role(clients, printer, &place, &found, &mut Vec::new()).await?;
    Ok(())
}

/// Wait for the function's pending update, bounded by `deploy.timeout`.
async fn wait(client: &aws_sdk_lambda::Client, settings: &Settings, name: &str) -> Result<Settled> {
    lambda::wait_settled(client, name, settings.deploy.timeout).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::mock_client;
    use aws_sdk_lambda::Client;
    use aws_sdk_lambda::operation::list_tags::ListTagsOutput;
    use aws_sdk_lambda::operation::tag_resource::{TagResourceError, TagResourceOutput};
    use aws_smithy_mocks::{RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:weather";

    fn settings() -> Settings {
        let file = crate::config::file::parse(
            std::path::Path::new("/p/mcp.toml"),
            "name = \"weather\"\ntarget = \"lambda\"\n[stages.prod]\n",
        )
        .unwrap();
        crate::config::resolve(
            Some(&file),
            &crate::config::Inputs {
                cwd: "/p".into(),
                stage: Some("prod".into()),
                ..Default::default()
            },
        )
        .unwrap()
    }

    fn function() -> lambda::Function {
        lambda::Function {
            name: "weather".into(),
            arn: ARN.into(),
            ..lambda::Function::default()
        }
    }

    fn listed(tags: &[(&str, &str)]) -> ListTagsOutput {
        ListTagsOutput::builder()
            .set_tags(Some(
                tags.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ))
            .build()
    }

    /// Guards the Lambda deploy's cost tags: a function with the stage's tags
    /// is not tagged again (no TagResource), one lacking them or carrying
    /// another stage's gets all three, and a refused TagResource is the
    /// warning that names the permission, not an error.
    #[tokio::test]
    async fn cost_tags_are_put_on_when_missing_or_wrong_and_a_refusal_is_a_warning() {
        let settings = settings();
        let ours = [
            ("mcp:project", "weather"),
            ("mcp:service", "weather"),
            ("mcp:stage", "prod"),
            ("team", "data"),
        ];
        let list = mock!(Client::list_tags).then_output(move || listed(&ours));
        let client = mock_client!(aws_sdk_lambda, RuleMode::Sequential, &[&list]);
        assert_eq!(
            tag_for_cost(&settings, &client, &function()).await,
            CostTagging::AsWanted
        );

        let staging = [("mcp:project", "weather"), ("mcp:stage", "staging")];
        let list = mock!(Client::list_tags).then_output(move || listed(&staging));
        let tag = mock!(Client::tag_resource)
            .match_requests(|r| {
                r.resource() == Some(ARN)
                    && r.tags().is_some_and(|t| {
                        t.len() == 3
                            && t.get("mcp:project").map(String::as_str) == Some("weather")
                            && t.get("mcp:service").map(String::as_str) == Some("weather")
                            && t.get("mcp:stage").map(String::as_str) == Some("prod")
                    })
            })
            .then_output(|| TagResourceOutput::builder().build());
        let client = mock_client!(aws_sdk_lambda, RuleMode::Sequential, &[&list, &tag]);
        assert_eq!(
            tag_for_cost(&settings, &client, &function()).await,
            CostTagging::Tagged
        );
        assert_eq!(tag.num_calls(), 1);

        let list = mock!(Client::list_tags).then_output(|| listed(&[]));
        let refused = mock!(Client::tag_resource).then_error(|| {
            TagResourceError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: lambda:TagResource on resource: arn:aws:lambda:us-east-1:123456789012:function:weather because no identity-based policy allows the lambda:TagResource action")
                    .build(),
            )
        });
        let client = mock_client!(aws_sdk_lambda, RuleMode::Sequential, &[&list, &refused]);
        let CostTagging::Refused(warning) = tag_for_cost(&settings, &client, &function()).await
        else {
            panic!("a refusal is a warning");
        };
        assert!(
            warning.starts_with(
                "the function is not tagged for cost allocation (AWS refused `lambda:TagResource`"
            ),
            "{warning}"
        );
        assert!(
            warning.ends_with("`mcp cost` cannot find its spend"),
            "{warning}"
        );
    }
}
