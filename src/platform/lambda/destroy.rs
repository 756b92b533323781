//! `mcp destroy` on a Lambda stage: what `mcp launch` made, and nothing else.
//!
//! Only a function that carries mcp's launch tag is removed (one made
//! otherwise is refused, as Express destroy refuses a service it did not
//! make): its function URLs, its aliases, the function with all its
//! versions, and the execution role mcp made for it (only a role tagged as
//! made for this function; its inline and attached policies go first). With
//! `--all-resources` also the log group `/aws/lambda/<function>` and the ECR
//! repository. The plan is shown first and needs a yes (or `--yes`).
//!
//! A destroy that stopped half-way is finished by running it again: each
//! step looks first, and "already gone" counts as done.

use std::fmt;

use anyhow::Result;
use serde::Serialize;

use super::launch::{TAG_LAUNCHED_BY, TAG_ROLE};
use super::role::{self, Place};
use crate::aws::Clients;
use crate::aws::denied::sdk_error;
use crate::aws::iam;
use crate::aws::lambda;
use crate::config::{FILE_NAME, Settings};
use crate::error::McpError;
use crate::platform::all_resources::AllResources;
use crate::ui::Printer;

/// What a destroy removes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// The function's ARN, when there is one to delete.
    pub function: Option<String>,
    /// The qualifiers (aliases) with a function URL, and the URL.
    pub urls: Vec<(String, String)>,
    pub aliases: Vec<String>,
    /// The published versions, which go with the function.
    pub versions: usize,
    /// The execution role mcp made for the function.
    pub role: Option<String>,
    /// With `--all-resources`: its log group and ECR repository.
    #[serde(flatten)]
    pub all: AllResources,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.function.is_none() && self.role.is_none() && self.all.is_empty()
    }

    /// One line per thing that will go.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (alias, url) in &self.urls {
            lines.push(format!("function URL of `{alias}` ({url})"));
        }
        if !self.aliases.is_empty() {
            lines.push(format!("aliases {}", self.aliases.join(", ")));
        }
        if let Some(function) = &self.function {
            lines.push(format!(
                "Lambda function {function} and its {} published version{}",
                self.versions,
                if self.versions == 1 { "" } else { "s" }
            ));
        }
        if let Some(role) = &self.role {
            lines.push(format!(
                "IAM role {role} (made by mcp launch for this function) and its policies"
            ));
        }
        lines.extend(self.all.lines());
        lines
    }
}

/// What `mcp destroy` did on a Lambda stage.
#[derive(Debug, Clone, Serialize)]
pub struct DestroyReport {
    /// `destroyed`, or `nothing` when there was nothing to remove.
    pub status: &'static str,
    pub region: String,
    pub function: String,
    pub removed: Plan,
}

impl fmt::Display for DestroyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.removed.lines() {
            writeln!(f, "removed {line}")?;
        }
        Ok(())
    }
}

/// Look at what there is to remove; changes nothing. Refused when the
/// function was not made by `mcp launch`.
pub async fn plan(
    clients: &Clients,
    settings: &Settings,
    place: &Place,
    all_resources: bool,
) -> Result<Plan> {
    let name = &place.function;
    let mut plan = Plan::default();
    let function = lambda::get_function(&clients.lambda, name, None).await?;
    let mut role_name = None;
    if let Some(function) = &function {
        let tags = lambda::tags(&clients.lambda, &function.arn).await?;
        if !tags.contains_key(TAG_LAUNCHED_BY) {
            return Err(McpError::usage(format!(
                "`mcp destroy` removes functions made by `mcp launch`; Lambda function `{name}` does not carry its `{TAG_LAUNCHED_BY}` tag"
            ))
            .hint("a function you made yourself is yours to remove (SAM, CDK, Terraform, the console); `[lambda] reserved_concurrency = 0` and `mcp deploy` stop it answering")
            .into());
        }
        role_name = tags.get(TAG_ROLE).cloned();
        plan.function = Some(function.arn.clone());
        plan.versions = lambda::versions(&clients.lambda, name).await?.len();
        plan.aliases = aliases(clients, name).await?;
        for alias in &plan.aliases {
            if let Some(url) = lambda::get_url(&clients.lambda, name, alias).await? {
                plan.urls.push((alias.clone(), url.url));
            }
        }
    }
    // The role: the one the function names as mcp's, else the one of
    // `lambda.role` or mcp's name (a launch that stopped before the function);
    // only when its tags say mcp made it for this function.
    let candidate = role_name.unwrap_or_else(|| {
        settings
            .lambda
            .role
            .as_deref()
            .map(|r| iam::role_name(r).to_string())
            .unwrap_or_else(|| role::default_role_name(name))
    });
    let arn = place.role_arn(&candidate);
    if let Some((arn, _)) = iam::get_role(&clients.iam, &candidate, &arn).await?
        && role::made_for(&role::role_tags(clients, &candidate, &arn).await?, name)
    {
        plan.role = Some(arn);
    }
    if all_resources {
        plan.all = AllResources::find(clients, place.log_group(), &settings.ecr.repository).await?;
    }
    Ok(plan)
}

/// The function's aliases.
async fn aliases(clients: &Clients, name: &str) -> Result<Vec<String>> {
    let mut all = Vec::new();
    let mut marker = None;
    loop {
        let out = clients
            .lambda
            .list_aliases()
            .function_name(name)
            .set_marker(marker)
            .send()
            .await
            .map_err(|err| {
                sdk_error(
                    err,
                    "lambda:ListAliases",
                    name,
                    format!("listing the aliases of Lambda function `{name}`"),
                )
            })?;
        all.extend(
            out.aliases()
                .iter()
                .filter_map(|a| a.name().map(str::to_string)),
        );
        marker = out.next_marker().map(str::to_string);
        if marker.is_none() {
            return Ok(all);
        }
    }
}

/// Is this a "not found" answer (already gone: what we wanted)?
fn gone<E: aws_sdk_lambda::error::ProvideErrorMetadata>(err: &E) -> bool {
    matches!(
        err.code(),
        Some("ResourceNotFoundException" | "NoSuchEntity" | "NoSuchEntityException")
    )
}

/// Remove what the plan names, in order: URLs, aliases, the function, the role, logs, images.
pub async fn execute(
    clients: &Clients,
    printer: &Printer,
    place: &Place,
    plan: &Plan,
) -> Result<()> {
    let name = &place.function;
    for (alias, _) in &plan.urls {
        crate::cancel::check("before deleting a function URL")?;
        match clients
            .lambda
            .delete_function_url_config()
            .function_name(name)
            .qualifier(alias)
            .send()
            .await
        {
            Ok(_) => printer.status("Deleted", format!("function URL of `{alias}`")),
            Err(err) if err.as_service_error().is_some_and(gone) => {}
            Err(err) => {
                return Err(sdk_error(
                    err,
                    "lambda:DeleteFunctionUrlConfig",
                    name,
                    format!("deleting the URL of `{name}:{alias}`"),
                ));
            }
        }
    }
    for alias in &plan.aliases {
        crate::cancel::check("before deleting an alias")?;
        match clients
            .lambda
            .delete_alias()
            .function_name(name)
            .name(alias)
            .send()
            .await
        {
            Ok(_) => printer.status("Deleted", format!("alias `{alias}` of {name}")),
            Err(err) if err.as_service_error().is_some_and(gone) => {}
            Err(err) => {
                return Err(sdk_error(
                    err,
                    "lambda:DeleteAlias",
                    name,
                    format!("deleting alias `{alias}` of Lambda function `{name}`"),
                ));
            }
        }
    }
    if let Some(arn) = &plan.function {
        crate::cancel::check("before deleting the function")?;
        // Unqualified: the function and every version.
        match clients
            .lambda
            .delete_function()
            .function_name(name)
            .send()
            .await
        {
            Ok(_) => printer.status("Deleted", format!("Lambda function {name} (all versions)")),
            Err(err) if err.as_service_error().is_some_and(gone) => {}
            Err(err) => {
                return Err(sdk_error(
                    err,
                    "lambda:DeleteFunction",
                    arn,
                    format!("deleting Lambda function `{name}`"),
                ));
            }
        }
    }
    if let Some(arn) = &plan.role {
        crate::cancel::check("before deleting the execution role")?;
        delete_role(clients, iam::role_name(arn), arn).await?;
        printer.status("Deleted", format!("IAM role {arn}"));
    }
    plan.all
        .remove(clients, printer, &place.region, &place.account)
        .await
}

/// The role's inline policies deleted, its managed ones detached, then the role.
async fn delete_role(clients: &Clients, name: &str, arn: &str) -> Result<()> {
    let inline = clients
        .iam
        .list_role_policies()
        .role_name(name)
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                e,
                "iam:ListRolePolicies",
                arn,
                format!("listing the policies of IAM role `{name}`"),
            )
        })?;
    for policy in inline.policy_names() {
        clients
            .iam
            .delete_role_policy()
            .role_name(name)
            .policy_name(policy)
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    e,
                    "iam:DeleteRolePolicy",
                    arn,
                    format!("deleting inline policy `{policy}` of IAM role `{name}`"),
                )
            })?;
    }
    let attached = clients
        .iam
        .list_attached_role_policies()
        .role_name(name)
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                e,
                "iam:ListAttachedRolePolicies",
                arn,
                format!("listing the policies of IAM role `{name}`"),
            )
        })?;
    for policy in attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
    {
        clients
            .iam
            .detach_role_policy()
            .role_name(name)
            .policy_arn(policy)
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    e,
                    "iam:DetachRolePolicy",
                    arn,
                    format!("detaching {policy} from IAM role `{name}`"),
                )
            })?;
    }
    match clients.iam.delete_role().role_name(name).send().await {
        Ok(_) => Ok(()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            Ok(())
        }
        Err(err) => Err(sdk_error(
            err,
            "iam:DeleteRole",
            arn,
            format!("deleting IAM role `{name}`"),
        )),
    }
}

/// Plan, ask (or `--yes`), remove; the report of what went.
pub async fn destroy(
    settings: &Settings,
    printer: &Printer,
    all_resources: bool,
) -> Result<DestroyReport> {
    let clients = Clients::new(settings).await;
    let place = Place::resolve(settings, &clients).await?;
    let plan = plan(&clients, settings, &place, all_resources).await?;
    let report = DestroyReport {
        status: if plan.is_empty() {
            "nothing"
        } else {
            "destroyed"
        },
        region: place.region.clone(),
        function: place.function.clone(),
        removed: plan.clone(),
    };
    if plan.is_empty() {
        printer.status(
            "Nothing",
            format!(
                "to remove: no Lambda function `{}` or role made by mcp launch in {}",
                place.function, place.region
            ),
        );
        return Ok(report);
    }
    let command = if all_resources {
        "mcp destroy --all-resources"
    } else {
        "mcp destroy"
    };
    crate::platform::ecs_express::consent(
        printer,
        "mcp destroy will delete:",
        &plan.lines(),
        command,
    )?;
    execute(&clients, printer, &place, &plan).await?;
    if !all_resources {
        printer.note(format!(
            "kept: the log group {} and the ECR repository `{}` (`--all-resources` removes them); `[lambda]` stays in {FILE_NAME}",
            place.log_group(),
            settings.ecr.repository
        ));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards `mcp destroy -o json`: the log group and repository, shared
    /// with Express in `AllResources`, keep their keys beside the function's.
    #[test]
    fn the_plan_keeps_its_json_keys() {
        let plan = Plan {
            function: Some("arn:aws:lambda:eu-west-1:123456789012:function:echo".into()),
            all: AllResources {
                log_group: Some("/aws/lambda/echo".into()),
                repository: None,
            },
            ..Plan::default()
        };
        let json = serde_json::to_value(&plan).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "function",
                "urls",
                "aliases",
                "versions",
                "role",
                "log_group",
                "repository"
            ]
        );
        assert_eq!(json["log_group"], "/aws/lambda/echo");
        assert!(json["repository"].is_null());
    }
}
