//! `mcp doctor` on a Lambda stage: what a deploy needs, each as a check with
//! the fix: credentials, the ECR repository, the function and its state, the
//! execution role, the `live` alias and its URL (auth as mcp.toml says, open
//! to anyone for `NONE`), a configuration changed by hand, and the cost
//! allocation tags `mcp cost` finds the function's spend by (a function made
//! by Terraform has none until a deploy puts them on).

use super::{LIVE, deploy::differences, deploy::missing_cost_tags};
use crate::aws::Clients;
use crate::aws::lambda;
use crate::config::{FILE_NAME, Settings, UrlAuth};

/// One check: its name, and what was found or (what is wrong, what to do).
pub type Check = (&'static str, Result<String, (String, String)>);

/// Checks whose failure is a warning: the stage works, but not as mcp.toml says.
pub const WARNINGS: &[&str] = &["configuration", "cost tags"];

pub async fn checks(settings: &Settings) -> Vec<Check> {
    let mut out: Vec<Check> = Vec::new();
    let clients = Clients::new(settings).await;
    let region = clients.region().unwrap_or("?").to_string();
    match clients.sts.get_caller_identity().send().await {
        Ok(identity) => out.push((
            "aws credentials",
            Ok(format!("{} in {region}", identity.arn().unwrap_or("?"))),
        )),
        Err(err) => {
            out.push((
                "aws credentials",
                Err((
                    crate::aws::describe(&err),
                    "check AWS_PROFILE / `profile` in mcp.toml, or run `aws sts get-caller-identity`".into(),
                )),
            ));
            return out;
        }
    }
    let repository = &settings.ecr.repository;
    let found = clients
        .ecr
        .describe_repositories()
        .repository_names(repository)
        .send()
        .await;
    out.push((
        "ecr repository",
        match found {
            Ok(_) => Ok(repository.clone()),
            Err(_) if settings.ecr.create => Ok(format!(
                "{repository} (created by the first deploy: `ecr.create`)"
            )),
            Err(err) => Err((
                format!("{repository}: {}", crate::aws::describe(&err)),
                format!("create it, set `[ecr] create = true` in {FILE_NAME}, or run `mcp launch`"),
            )),
        },
    ));
    let name = &settings.lambda.function;
    let function = match lambda::get_function(&clients.lambda, name, None).await {
        Ok(Some(function)) => function,
        Ok(None) => {
            out.push((
                "lambda function",
                Err((
                    format!("no function `{name}` in {region}"),
                    "`mcp launch` creates it, or set `[lambda] function` to yours".into(),
                )),
            ));
            return out;
        }
        Err(err) => {
            out.push((
                "lambda function",
                Err((crate::error::one_line(&err), String::new())),
            ));
            return out;
        }
    };
    let state = function.state.as_deref().unwrap_or("?");
    let update = function.last_update_status.as_deref().unwrap_or("?");
    out.push((
        "lambda function",
        if state == "Failed" || update == "Failed" {
            Err((
                format!(
                    "{name}: state {state}, last update {update}: {}",
                    function
                        .last_update_reason
                        .as_deref()
                        .or(function.state_reason.as_deref())
                        .unwrap_or("no reason given")
                ),
                "`mcp logs` shows the image's output; fix it and `mcp deploy` again".into(),
            ))
        } else {
            Ok(format!(
                "{name}: {state}, {} MB, {}s, {}",
                function.memory.unwrap_or(0),
                function.timeout.unwrap_or(0),
                function.architecture.as_deref().unwrap_or("?")
            ))
        },
    ));
    if let Some(role) = &function.role {
        let role_name = crate::aws::iam::role_name(role);
        out.push((
            "execution role",
            match clients.iam.get_role().role_name(role_name).send().await {
                Ok(_) => Ok(role.clone()),
                Err(err) => Err((
                    format!("{role}: {}", crate::aws::describe(&err)),
                    "the function cannot start without its role: set `[lambda] role` to one Lambda may assume and `mcp deploy`".into(),
                )),
            },
        ));
    }
    match lambda::get_alias(&clients.lambda, name, LIVE).await {
        Ok(Some(alias)) => out.push((
            "live alias",
            Ok(format!(
                "version {}{}",
                alias.version,
                alias
                    .weight
                    .map(|(v, w)| format!(" ({:.0}% on version {v}: a canary)", w * 100.0))
                    .unwrap_or_default()
            )),
        )),
        Ok(None) => out.push((
            "live alias",
            Err((
                format!("`{name}` has no `live` alias: clients have nothing to call"),
                "`mcp deploy` creates it and its URL".into(),
            )),
        )),
        Err(err) => out.push((
            "live alias",
            Err((crate::error::one_line(&err), String::new())),
        )),
    }
    match lambda::get_url(&clients.lambda, name, LIVE).await {
        Ok(Some(url)) if url.auth != settings.lambda.url_auth.name() => out.push((
            "function url",
            Err((
                format!(
                    "{} has auth {}, mcp.toml says {}",
                    url.url,
                    url.auth,
                    settings.lambda.url_auth.name()
                ),
                "`mcp deploy` sets it as mcp.toml says".into(),
            )),
        )),
        Ok(Some(url)) => {
            let public = settings.lambda.url_auth == UrlAuth::None;
            let policy = if public {
                clients
                    .lambda
                    .get_policy()
                    .function_name(name)
                    .qualifier(LIVE)
                    .send()
                    .await
                    .ok()
                    .and_then(|p| p.policy().map(str::to_string))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            out.push((
                "function url",
                if public && !policy.contains("lambda:InvokeFunctionUrl") {
                    Err((
                        format!("{} (auth NONE) has no policy letting anyone call it: every request gets 403", url.url),
                        "`mcp deploy` adds it (lambda:InvokeFunctionUrl and lambda:InvokeFunction for Principal *)".into(),
                    ))
                } else {
                    Ok(format!(
                        "{} ({}, {})",
                        url.url,
                        url.auth,
                        url.invoke_mode.as_deref().unwrap_or("BUFFERED")
                    ))
                },
            ));
        }
        Ok(None) => out.push((
            "function url",
            Err((
                "the `live` alias has no function URL".into(),
                "`mcp deploy` creates it".into(),
            )),
        )),
        Err(err) => out.push((
            "function url",
            Err((crate::error::one_line(&err), String::new())),
        )),
    }
    let drift = differences(&function, settings);
    out.push((
        "configuration",
        if drift.is_empty() {
            Ok("as mcp.toml says".into())
        } else {
            Err((
                format!("differs from mcp.toml: {}", drift.join(", ")),
                "`mcp deploy` sets it again (a change made by hand is lost then)".into(),
            ))
        },
    ));
    out.push(("cost tags", cost_tags(settings, &clients, &function).await));
    out
}

/// Whether the function carries `mcp`'s cost allocation tags with this
/// stage's values, the wording as on an ECS stage.
async fn cost_tags(
    settings: &Settings,
    clients: &Clients,
    function: &lambda::Function,
) -> Result<String, (String, String)> {
    use crate::release::cost::tags;
    let name = &function.name;
    let activate = "then activate the tags for Cost Explorer (`mcp cost` prints the command)";
    let found = match lambda::tags(&clients.lambda, &function.arn).await {
        Ok(found) => found,
        Err(_) => {
            return Err((
                format!("the tags of `{name}` cannot be read (lambda:ListTags)"),
                format!(
                    "allow lambda:ListTags on the function to the identity you run mcp as; {activate}"
                ),
            ));
        }
    };
    let missing = missing_cost_tags(settings, &found);
    if missing.is_empty() {
        return Ok(tags::ALL.join(", "));
    }
    Err((
        format!("`{name}` lacks {}", missing.join(", ")),
        format!(
            "the next `mcp deploy` tags the function (it needs lambda:TagResource: without it the deploy warns and goes on); {activate}"
        ),
    ))
}
