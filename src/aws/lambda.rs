//! AWS Lambda: the calls a Lambda stage makes, each turned into `mcp`'s terms
//! (a function's state, a published version, an alias and its weights, a
//! function URL). Errors name the call and the function, and a refused
//! permission the statement that allows it ([`super::denied`]).
//!
//! A release is a published version; what serves clients is the `live`
//! alias (its function URL), what the gate checks the `candidate` alias. A
//! version's description carries the release's tags, since Lambda tags
//! functions, not versions ([`ReleaseTags`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::types::{
    AliasRoutingConfiguration, FunctionUrlAuthType, LastUpdateStatus, State,
};

use super::denied::sdk_error;
use crate::config::{InvokeMode, UrlAuth};
use crate::error::McpError;

/// What `mcp` reads of a function (or one of its versions).
#[derive(Debug, Clone, Default)]
pub struct Function {
    pub name: String,
    pub arn: String,
    /// `$LATEST` or a version number.
    pub version: String,
    pub description: String,
    /// The image the configuration names (`…@sha256:…` once resolved).
    pub image: Option<String>,
    pub code_sha256: Option<String>,
    pub role: Option<String>,
    pub memory: Option<i32>,
    pub timeout: Option<i32>,
    pub architecture: Option<String>,
    pub environment: BTreeMap<String, String>,
    /// `Pending`, `Active`, `Inactive`, `Failed`.
    pub state: Option<String>,
    pub state_reason: Option<String>,
    /// `InProgress`, `Successful`, `Failed`.
    pub last_update_status: Option<String>,
    pub last_update_reason: Option<String>,
    pub last_modified: Option<String>,
    pub revision_id: Option<String>,
}

impl Function {
    fn from_configuration(c: &aws_sdk_lambda::types::FunctionConfiguration) -> Self {
        Function {
            name: c.function_name().unwrap_or_default().to_string(),
            arn: c.function_arn().unwrap_or_default().to_string(),
            version: c.version().unwrap_or("$LATEST").to_string(),
            description: c.description().unwrap_or_default().to_string(),
            image: None,
            code_sha256: c.code_sha256().map(str::to_string),
            role: c.role().map(str::to_string),
            memory: c.memory_size(),
            timeout: c.timeout(),
            architecture: c.architectures().first().map(|a| a.as_str().to_string()),
            environment: c
                .environment()
                .and_then(|e| e.variables())
                .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            state: c.state().map(|s| s.as_str().to_string()),
            state_reason: c.state_reason().map(str::to_string),
            last_update_status: c.last_update_status().map(|s| s.as_str().to_string()),
            last_update_reason: c.last_update_status_reason().map(str::to_string),
            last_modified: c.last_modified().map(str::to_string),
            revision_id: c.revision_id().map(str::to_string),
        }
    }
}

/// The calls whose `ResourceNotFoundException` means "not there" to `mcp`
/// (a function, an alias, a URL, a policy, a statement), as [`found`] reads them.
trait NotFound {
    fn is_not_found(&self) -> bool;
}

macro_rules! not_found {
    ($($error:ty),* $(,)?) => {$(impl NotFound for $error {
        fn is_not_found(&self) -> bool { self.is_resource_not_found_exception() }
    })*};
}

not_found!(
    aws_sdk_lambda::operation::get_function::GetFunctionError,
    aws_sdk_lambda::operation::get_alias::GetAliasError,
    aws_sdk_lambda::operation::get_function_url_config::GetFunctionUrlConfigError,
    aws_sdk_lambda::operation::get_policy::GetPolicyError,
    aws_sdk_lambda::operation::remove_permission::RemovePermissionError,
);

/// A call's answer, `None` for `ResourceNotFoundException`, else [`sdk_error`]'s error.
fn found<T, E>(
    result: Result<T, SdkError<E>>,
    action: &str,
    name: &str,
    doing: impl Into<String>,
) -> Result<Option<T>>
where
    E: NotFound + ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(err) if err.as_service_error().is_some_and(NotFound::is_not_found) => Ok(None),
        Err(err) => Err(sdk_error(err, action, name, doing)),
    }
}

/// The function (or `qualifier`'s version of it), `None` when Lambda does not know it.
pub async fn get_function(
    client: &aws_sdk_lambda::Client,
    name: &str,
    qualifier: Option<&str>,
) -> Result<Option<Function>> {
    let answer = found(
        client
            .get_function()
            .function_name(name)
            .set_qualifier(qualifier.map(str::to_string))
            .send()
            .await,
        "lambda:GetFunction",
        name,
        format!("reading Lambda function `{name}`"),
    )?;
    Ok(answer.map(|out| {
        let mut function = out
            .configuration()
            .map(Function::from_configuration)
            .unwrap_or_default();
        function.image = out
            .code()
            .and_then(|c| c.resolved_image_uri().or(c.image_uri()).map(str::to_string));
        function
    }))
}

/// Point `$LATEST` at `image` (pinned by digest), built for `architecture`.
pub async fn update_code(
    client: &aws_sdk_lambda::Client,
    name: &str,
    image: &str,
    architecture: crate::config::LambdaArchitecture,
) -> Result<()> {
    client
        .update_function_code()
        .function_name(name)
        .image_uri(image)
        .architectures(aws_sdk_lambda::types::Architecture::from(
            architecture.name(),
        ))
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                e,
                "lambda:UpdateFunctionCode",
                name,
                format!("updating the code of Lambda function `{name}`"),
            )
        })?;
    Ok(())
}

/// What the function's configuration should be, from mcp.toml.
#[derive(Debug, Clone)]
pub struct Configuration {
    pub memory: i32,
    pub timeout: i32,
    pub environment: BTreeMap<String, String>,
    pub role: Option<String>,
}

/// Set memory, timeout, environment (and the role when given) of `$LATEST`.
pub async fn update_configuration(
    client: &aws_sdk_lambda::Client,
    name: &str,
    config: &Configuration,
) -> Result<()> {
    client
        .update_function_configuration()
        .function_name(name)
        .memory_size(config.memory)
        .timeout(config.timeout)
        .set_role(config.role.clone())
        .environment(
            aws_sdk_lambda::types::Environment::builder()
                .set_variables(Some(config.environment.clone().into_iter().collect()))
                .build(),
        )
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                e,
                "lambda:UpdateFunctionConfiguration",
                name,
                format!("updating the configuration of Lambda function `{name}`"),
            )
        })?;
    Ok(())
}

/// How an update ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Done,
    /// `LastUpdateStatus` (or `State`) `Failed`, with Lambda's reason.
    Failed(String),
}

/// Wait for the function's last update (and its creation) to settle.
pub async fn wait_settled(
    client: &aws_sdk_lambda::Client,
    name: &str,
    timeout: Duration,
) -> Result<Settled> {
    let deadline = Instant::now() + timeout;
    loop {
        let out = client
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    e,
                    "lambda:GetFunctionConfiguration",
                    name,
                    format!("reading Lambda function `{name}`"),
                )
            })?;
        let reason = |r: Option<&str>, code: Option<String>| match (code, r) {
            (Some(code), Some(r)) => format!("{code}: {r}"),
            (None, Some(r)) => r.to_string(),
            (Some(code), None) => code,
            (None, None) => "no reason given".into(),
        };
        if out.state() == Some(&State::Failed) {
            return Ok(Settled::Failed(reason(
                out.state_reason(),
                out.state_reason_code().map(|c| c.as_str().to_string()),
            )));
        }
        match out.last_update_status() {
            Some(LastUpdateStatus::Failed) => {
                return Ok(Settled::Failed(reason(
                    out.last_update_status_reason(),
                    out.last_update_status_reason_code()
                        .map(|c| c.as_str().to_string()),
                )));
            }
            Some(LastUpdateStatus::Successful) | None if out.state() != Some(&State::Pending) => {
                return Ok(Settled::Done);
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(McpError::new(format!(
                "Lambda function `{name}` was still updating after {}s",
                timeout.as_secs()
            ))
            .hint("see `mcp status`; raise `deploy.timeout` if updates take longer")
            .into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Publish `$LATEST` as a new version (Lambda gives back the last one when nothing changed).
pub async fn publish_version(
    client: &aws_sdk_lambda::Client,
    name: &str,
    description: &str,
) -> Result<Function> {
    let out = client
        .publish_version()
        .function_name(name)
        .description(description)
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                e,
                "lambda:PublishVersion",
                name,
                format!("publishing a version of Lambda function `{name}`"),
            )
        })?;
    Ok(Function {
        name: out.function_name().unwrap_or(name).to_string(),
        arn: out.function_arn().unwrap_or_default().to_string(),
        version: out.version().unwrap_or_default().to_string(),
        description: out.description().unwrap_or_default().to_string(),
        code_sha256: out.code_sha256().map(str::to_string),
        ..Function::default()
    })
}

/// The published versions (without `$LATEST`), oldest first.
pub async fn versions(client: &aws_sdk_lambda::Client, name: &str) -> Result<Vec<Function>> {
    let mut all = Vec::new();
    let mut marker = None;
    loop {
        let out = client
            .list_versions_by_function()
            .function_name(name)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    e,
                    "lambda:ListVersionsByFunction",
                    name,
                    format!("listing the versions of Lambda function `{name}`"),
                )
            })?;
        all.extend(
            out.versions()
                .iter()
                .map(Function::from_configuration)
                .filter(|f| f.version != "$LATEST"),
        );
        marker = out.next_marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    all.sort_by_key(|f| f.version.parse::<u64>().unwrap_or(0));
    Ok(all)
}

/// An alias: the version it serves and, during a canary, the other one's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    pub version: String,
    /// `(version, weight 0–1)` of the additional version, if any.
    pub weight: Option<(String, f64)>,
    pub revision_id: Option<String>,
}

/// The alias, `None` when missing.
pub async fn get_alias(
    client: &aws_sdk_lambda::Client,
    name: &str,
    alias: &str,
) -> Result<Option<Alias>> {
    let answer = found(
        client
            .get_alias()
            .function_name(name)
            .name(alias)
            .send()
            .await,
        "lambda:GetAlias",
        name,
        format!("reading alias `{alias}` of Lambda function `{name}`"),
    )?;
    Ok(answer.map(|out| Alias {
        version: out.function_version().unwrap_or_default().to_string(),
        weight: out
            .routing_config()
            .and_then(|r| r.additional_version_weights())
            .and_then(|w| w.iter().next().map(|(v, w)| (v.clone(), *w))),
        revision_id: out.revision_id().map(str::to_string),
    }))
}

fn routing(weight: Option<(&str, f64)>) -> AliasRoutingConfiguration {
    let mut builder = AliasRoutingConfiguration::builder();
    // No weight: an empty map drops the alias's weights (omitting it keeps them).
    builder = builder.set_additional_version_weights(Some(
        weight
            .map(|(v, w)| [(v.to_string(), w)].into_iter().collect())
            .unwrap_or_default(),
    ));
    builder.build()
}

/// Point `alias` at `version` (creating it when `create`), with `weight` of
/// another version during a canary, or none.
pub async fn set_alias(
    client: &aws_sdk_lambda::Client,
    name: &str,
    alias: &str,
    version: &str,
    weight: Option<(&str, f64)>,
    create: bool,
) -> Result<()> {
    if create {
        client
            .create_alias()
            .function_name(name)
            .name(alias)
            .function_version(version)
            .description(format!("mcp: the {alias} release"))
            .routing_config(routing(weight))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                sdk_error(
                    e,
                    "lambda:CreateAlias",
                    name,
                    format!("creating alias `{alias}` of Lambda function `{name}`"),
                )
            })
    } else {
        client
            .update_alias()
            .function_name(name)
            .name(alias)
            .function_version(version)
            .routing_config(routing(weight))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                sdk_error(
                    e,
                    "lambda:UpdateAlias",
                    name,
                    format!(
                        "moving alias `{alias}` of Lambda function `{name}` to version {version}"
                    ),
                )
            })
    }
}

/// A function URL's configuration.
#[derive(Debug, Clone)]
pub struct Url {
    pub url: String,
    pub auth: String,
    pub invoke_mode: Option<String>,
}

/// The URL of `qualifier` (an alias), `None` when it has none.
pub async fn get_url(
    client: &aws_sdk_lambda::Client,
    name: &str,
    qualifier: &str,
) -> Result<Option<Url>> {
    let answer = found(
        client
            .get_function_url_config()
            .function_name(name)
            .qualifier(qualifier)
            .send()
            .await,
        "lambda:GetFunctionUrlConfig",
        name,
        format!("reading the URL of `{name}:{qualifier}`"),
    )?;
    Ok(answer.map(|out| Url {
        url: out.function_url().to_string(),
        auth: out.auth_type().as_str().to_string(),
        invoke_mode: out.invoke_mode().map(|m| m.as_str().to_string()),
    }))
}

fn auth_type(auth: UrlAuth) -> FunctionUrlAuthType {
    match auth {
        UrlAuth::None => FunctionUrlAuthType::None,
        UrlAuth::AwsIam => FunctionUrlAuthType::AwsIam,
    }
}

fn invoke_mode(mode: InvokeMode) -> aws_sdk_lambda::types::InvokeMode {
    match mode {
        InvokeMode::ResponseStream => aws_sdk_lambda::types::InvokeMode::ResponseStream,
        InvokeMode::Buffered => aws_sdk_lambda::types::InvokeMode::Buffered,
    }
}

/// Create the URL of `qualifier`, or bring an existing one to `auth` and `mode`.
pub async fn put_url(
    client: &aws_sdk_lambda::Client,
    name: &str,
    qualifier: &str,
    auth: UrlAuth,
    mode: InvokeMode,
    existing: Option<&Url>,
) -> Result<Url> {
    let (url, out_auth, out_mode) = match existing {
        None => {
            let out = client
                .create_function_url_config()
                .function_name(name)
                .qualifier(qualifier)
                .auth_type(auth_type(auth))
                .invoke_mode(invoke_mode(mode))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        e,
                        "lambda:CreateFunctionUrlConfig",
                        name,
                        format!("creating the URL of `{name}:{qualifier}`"),
                    )
                })?;
            (
                out.function_url().to_string(),
                out.auth_type().as_str().to_string(),
                out.invoke_mode().map(|m| m.as_str().to_string()),
            )
        }
        Some(existing) => {
            let out = client
                .update_function_url_config()
                .function_name(name)
                .qualifier(qualifier)
                .auth_type(auth_type(auth))
                .invoke_mode(invoke_mode(mode))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        e,
                        "lambda:UpdateFunctionUrlConfig",
                        name,
                        format!("updating the URL of `{name}:{qualifier}`"),
                    )
                })?;
            (
                Some(out.function_url())
                    .filter(|u| !u.is_empty())
                    .unwrap_or(&existing.url)
                    .to_string(),
                out.auth_type().as_str().to_string(),
                out.invoke_mode().map(|m| m.as_str().to_string()),
            )
        }
    };
    Ok(Url {
        url,
        auth: out_auth,
        invoke_mode: out_mode,
    })
}

/// The statement ids `mcp` files for a public (`NONE`) URL of `qualifier`.
fn public_statement_ids(qualifier: &str) -> [(String, &'static str); 2] {
    [
        (
            format!("mcp-public-url-{qualifier}"),
            "lambda:InvokeFunctionUrl",
        ),
        (
            format!("mcp-public-invoke-via-url-{qualifier}"),
            "lambda:InvokeFunction",
        ),
    ]
}

/// Let anyone call the `NONE` URL of `qualifier`: `lambda:InvokeFunctionUrl`
/// (with `FunctionUrlAuthType NONE`) and `lambda:InvokeFunction`, both of
/// which URLs made since October 2025 need. Already there: nothing to do.
pub async fn allow_public(
    client: &aws_sdk_lambda::Client,
    name: &str,
    qualifier: &str,
) -> Result<bool> {
    let policy = found(
        client
            .get_policy()
            .function_name(name)
            .qualifier(qualifier)
            .send()
            .await,
        "lambda:GetPolicy",
        name,
        format!("reading the policy of `{name}:{qualifier}`"),
    )?
    .map(|out| out.policy().unwrap_or_default().to_string())
    .unwrap_or_default();
    let mut added = false;
    for (sid, action) in public_statement_ids(qualifier) {
        if policy.contains(&format!("\"{sid}\"")) {
            continue;
        }
        let mut call = client
            .add_permission()
            .function_name(name)
            .qualifier(qualifier)
            .statement_id(&sid)
            .action(action)
            .principal("*");
        if action == "lambda:InvokeFunctionUrl" {
            call = call.function_url_auth_type(FunctionUrlAuthType::None);
        } else {
            // Only through the URL: not the Invoke API for every AWS account.
            call = call.invoked_via_function_url(true);
        }
        call.send().await.map_err(|e| {
            sdk_error(
                e,
                "lambda:AddPermission",
                name,
                format!("letting anyone call the URL of `{name}:{qualifier}` ({action})"),
            )
        })?;
        added = true;
    }
    Ok(added)
}

/// Take back the public statements of `qualifier` (its URL is `AWS_IAM` now);
/// `true` when there were any.
pub async fn revoke_public(
    client: &aws_sdk_lambda::Client,
    name: &str,
    qualifier: &str,
) -> Result<bool> {
    let mut removed = false;
    let ids = public_statement_ids(qualifier)
        .into_iter()
        .map(|(sid, _)| sid)
        .chain([format!("mcp-public-invoke-{qualifier}")]);
    for sid in ids {
        let gone = found(
            client
                .remove_permission()
                .function_name(name)
                .qualifier(qualifier)
                .statement_id(&sid)
                .send()
                .await,
            "lambda:RemovePermission",
            name,
            format!("taking back the public statement `{sid}` of `{name}:{qualifier}`"),
        )?;
        removed |= gone.is_some();
    }
    Ok(removed)
}

/// Reserve `count` concurrent requests for the function.
pub async fn reserve_concurrency(
    client: &aws_sdk_lambda::Client,
    name: &str,
    count: u32,
) -> Result<()> {
    client
        .put_function_concurrency()
        .function_name(name)
        .reserved_concurrent_executions(i32::try_from(count).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                e,
                "lambda:PutFunctionConcurrency",
                name,
                format!("reserving {count} concurrent requests for `{name}`"),
            )
        })?;
    Ok(())
}

/// The function's tags.
pub async fn tags(client: &aws_sdk_lambda::Client, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = client.list_tags().resource(arn).send().await.map_err(|e| {
        sdk_error(
            e,
            "lambda:ListTags",
            arn,
            format!("reading the tags of `{arn}`"),
        )
    })?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

/// Put `tags` on the function `arn` (the other tags it carries stay); `doing`
/// says what for, in the error.
pub async fn tag(
    lambda: &aws_sdk_lambda::Client,
    arn: &str,
    tags: impl IntoIterator<Item = (String, String)>,
    doing: &str,
) -> Result<()> {
    lambda
        .tag_resource()
        .resource(arn)
        .set_tags(Some(tags.into_iter().collect()))
        .send()
        .await
        .map_err(|e| sdk_error(e, "lambda:TagResource", arn, doing.to_string()))?;
    Ok(())
}

/// What a version's description carries: the release's tags, as
/// `mcp tag=<image tag> git=<sha> by=<who> at=<time>` (≤ 256 characters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseTags {
    pub tag: Option<String>,
    pub git_sha: Option<String>,
    pub deployed_by: Option<String>,
    pub deployed_at: Option<String>,
}

impl ReleaseTags {
    /// The description text.
    pub fn describe(&self) -> String {
        let mut out = String::from("mcp");
        for (key, value) in [
            ("tag", &self.tag),
            ("git", &self.git_sha),
            ("by", &self.deployed_by),
            ("at", &self.deployed_at),
        ] {
            if let Some(value) = value {
                let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                out.push_str(&format!(" {key}={value}"));
            }
        }
        out.chars().take(256).collect()
    }

    /// Read back from a description; `None` when `mcp` did not write it.
    pub fn parse(description: &str) -> Option<Self> {
        let rest = description.strip_prefix("mcp")?;
        let mut tags = ReleaseTags::default();
        for word in rest.split_whitespace() {
            let Some((key, value)) = word.split_once('=') else {
                continue;
            };
            let value = Some(value.to_string());
            match key {
                "tag" => tags.tag = value,
                "git" => tags.git_sha = value,
                "by" => tags.deployed_by = value,
                "at" => tags.deployed_at = value,
                _ => {}
            }
        }
        Some(tags)
    }
}

/// The one-minute sums of an `AWS/Lambda` metric of one version behind
/// `alias` since `since`, oldest first: Lambda reports
/// `{FunctionName, Resource=NAME:ALIAS, ExecutedVersion}`.
pub async fn version_datapoints(
    client: &aws_sdk_cloudwatch::Client,
    name: &str,
    alias: &str,
    version: &str,
    metric: &str,
    since: std::time::SystemTime,
) -> Result<Vec<(std::time::SystemTime, f64)>> {
    use aws_sdk_cloudwatch::types::{Dimension, Statistic};
    let dimension = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
    let out = client
        .get_metric_statistics()
        .namespace("AWS/Lambda")
        .metric_name(metric)
        .dimensions(dimension("FunctionName", name))
        .dimensions(dimension("Resource", &format!("{name}:{alias}")))
        .dimensions(dimension("ExecutedVersion", version))
        .start_time(since.into())
        .end_time((std::time::SystemTime::now() + Duration::from_secs(60)).into())
        .period(60)
        .statistics(Statistic::Sum)
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                e,
                "cloudwatch:GetMetricStatistics",
                name,
                format!("reading {metric} of `{name}` version {version}"),
            )
        })?;
    let mut points: Vec<(std::time::SystemTime, f64)> = out
        .datapoints()
        .iter()
        .filter_map(|d| {
            let at = std::time::SystemTime::try_from(*d.timestamp()?).ok()?;
            Some((at, d.sum()?))
        })
        .collect();
    points.sort_by_key(|(at, _)| *at);
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_tags_read_back_what_they_write() {
        let tags = ReleaseTags {
            tag: Some("abc1234".into()),
            git_sha: Some("abc1234def".into()),
            deployed_by: Some("arn:aws:iam::1:user/ci bot".into()),
            deployed_at: Some("2026-12-07T23:00:00Z".into()),
        };
        let text = tags.describe();
        assert_eq!(
            text,
            "mcp tag=abc1234 git=abc1234def by=arn:aws:iam::1:user/cibot at=2026-12-07T23:00:00Z"
        );
        let back = ReleaseTags::parse(&text).unwrap();
        assert_eq!(back.git_sha.as_deref(), Some("abc1234def"));
        assert_eq!(back.tag.as_deref(), Some("abc1234"));
        assert!(ReleaseTags::parse("made by hand").is_none());
    }
}
