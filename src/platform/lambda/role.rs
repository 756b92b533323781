//! The execution role of a function `mcp launch` makes, and where the
//! function lives ([`Place`]): looked at before anything changes, so launch
//! can say what it will create and ask first.
//!
//! The role mcp makes is the function's own (`<function>-mcp-lambda`): it
//! trusts `lambda.amazonaws.com` for this account only (`aws:SourceAccount`,
//! the trust policy `aws::iam` writes) and carries two inline policies, never
//! a managed one: [`LOGS_POLICY`], the three logs actions on exactly
//! `/aws/lambda/<function>`, and with `[secrets]` [`SECRETS_POLICY`],
//! `secretsmanager:GetSecretValue` / `ssm:GetParameter(s)` on exactly the
//! references it names (SSM paths as parameter ARNs). It is tagged
//! [`TAG_LAUNCHED_BY`] and [`TAG_FUNCTION`], which is what `mcp destroy`
//! goes by. A role the user names (`lambda.role`) is only read: Lambda must
//! be able to assume it, and mcp changes nothing on it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Result;
use serde_json::json;

use crate::aws::denied::sdk_error;
use crate::aws::iam::{self, RoleSpec};
use crate::aws::{Clients, express, sts};
use crate::config::Settings;
use crate::error::McpError;
use crate::ui::Printer;

/// Lambda's service principal: who the execution role must trust.
pub const PRINCIPAL: &str = "lambda.amazonaws.com";
/// On the function and the role mcp made: the `mcp` version that launched them.
pub const TAG_LAUNCHED_BY: &str = crate::platform::ecs_express::TAG_LAUNCHED_BY;
/// On the role mcp made: the function it was made for.
pub const TAG_FUNCTION: &str = "mcp:function";
/// The inline policy that lets the function write its logs.
pub const LOGS_POLICY: &str = "mcp-logs";
/// The inline policy that lets the function read its `[secrets]`.
pub const SECRETS_POLICY: &str = "mcp-secrets";

/// Where the stage's function lives.
#[derive(Debug, Clone)]
pub struct Place {
    pub region: String,
    pub account: String,
    pub partition: &'static str,
    pub function: String,
}

impl Place {
    /// The region from settings, the account from `sts:GetCallerIdentity`.
    pub async fn resolve(settings: &Settings, clients: &Clients) -> Result<Place> {
        let (region, account) = sts::region_and_account(clients).await?;
        Ok(Place {
            partition: express::partition(&region),
            region,
            account,
            function: settings.lambda.function.clone(),
        })
    }

    /// Where an existing function lives, read from its ARN
    /// (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME`) without asking
    /// STS; `None` when the ARN is not of that shape.
    pub fn of_function(settings: &Settings, arn: &str) -> Option<Place> {
        let parts: Vec<&str> = arn.split(':').collect();
        let [_, _, "lambda", region, account, "function", ..] = parts[..] else {
            return None;
        };
        if region.is_empty() || account.is_empty() {
            return None;
        }
        Some(Place {
            partition: express::partition(region),
            region: region.to_string(),
            account: account.to_string(),
            function: settings.lambda.function.clone(),
        })
    }

    /// The function's log group.
    pub fn log_group(&self) -> String {
        format!("/aws/lambda/{}", self.function)
    }

    /// The ARN of a role of this account.
    pub fn role_arn(&self, name: &str) -> String {
        format!("arn:{}:iam::{}:role/{name}", self.partition, self.account)
    }
}

/// The name of the role mcp makes for `function` (IAM allows 64 characters).
pub fn default_role_name(function: &str) -> String {
    const SUFFIX: &str = "-mcp-lambda";
    let keep: String = function.chars().take(64 - SUFFIX.len()).collect();
    format!("{keep}{SUFFIX}")
}

/// The logs policy: the three actions on exactly the function's log group.
pub fn logs_policy(place: &Place) -> String {
    let group = format!(
        "arn:{}:logs:{}:{}:log-group:{}",
        place.partition,
        place.region,
        place.account,
        place.log_group()
    );
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "WriteTheLogsOfOneFunction",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [group.clone(), format!("{group}:*")],
        }],
    })
    .to_string()
}

/// What the function's `[secrets]` references are, as IAM resources:
/// `(Secrets Manager secret ARNs, SSM parameter ARNs, references neither)`.
pub fn secret_resources(
    secrets: &BTreeMap<String, String>,
    place: &Place,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut managed = BTreeSet::new();
    let mut parameters = BTreeSet::new();
    let mut other = Vec::new();
    for (name, reference) in secrets {
        if let Some(path) = reference.strip_prefix('/') {
            parameters.insert(format!(
                "arn:{}:ssm:{}:{}:parameter/{path}",
                place.partition, place.region, place.account
            ));
            continue;
        }
        let parts: Vec<&str> = reference.split(':').collect();
        match parts.get(2) {
            // `…:secret:NAME` with ECS's optional `:json-key:stage:id` left off.
            Some(&"secretsmanager") if parts.len() >= 7 => {
                managed.insert(parts[..7].join(":"));
            }
            Some(&"ssm") => {
                parameters.insert(reference.clone());
            }
            _ => other.push(name.clone()),
        }
    }
    (
        managed.into_iter().collect(),
        parameters.into_iter().collect(),
        other,
    )
}

/// The secrets policy for `[secrets]`, `None` when there is nothing to read.
pub fn secrets_policy(settings: &Settings, place: &Place) -> Option<String> {
    let (managed, parameters, _) = secret_resources(&settings.secrets, place);
    let mut statements = Vec::new();
    if !managed.is_empty() {
        statements.push(json!({
            "Sid": "ReadTheSecretsOfOneFunction",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": managed,
        }));
    }
    if !parameters.is_empty() {
        statements.push(json!({
            "Sid": "ReadTheParametersOfOneFunction",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters"],
            "Resource": parameters,
        }));
    }
    (!statements.is_empty())
        .then(|| json!({ "Version": "2012-10-17", "Statement": statements }).to_string())
}

/// One inline policy to write (`Some(document)`) or remove (`None`).
#[derive(Debug, Clone)]
pub struct PolicyChange {
    pub name: &'static str,
    pub document: Option<String>,
    pub line: String,
}

/// The execution role: found, or to be made.
#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    /// `None` until made.
    pub arn: Option<String>,
    /// mcp made it (or makes it now) for this function: its policies are mcp's to keep.
    pub ours: bool,
    pub changes: Vec<PolicyChange>,
}

impl Role {
    /// What making it ready would change, one line each.
    pub fn lines(&self, place: &Place) -> Vec<String> {
        let mut lines = Vec::new();
        if self.arn.is_none() {
            lines.push(format!(
                "IAM role `{}` (the execution role of Lambda function `{}`), trusting {PRINCIPAL} for account {} only",
                self.name, place.function, place.account
            ));
        }
        lines.extend(self.changes.iter().map(|c| c.line.clone()));
        lines
    }
}

/// The role's tags (`iam:ListRoleTags`).
pub async fn role_tags(
    clients: &Clients,
    name: &str,
    arn: &str,
) -> Result<HashMap<String, String>> {
    let out = clients
        .iam
        .list_role_tags()
        .role_name(name)
        .send()
        .await
        .map_err(|err| {
            sdk_error(
                err,
                "iam:ListRoleTags",
                arn,
                format!("reading the tags of IAM role `{name}`"),
            )
        })?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

/// Is this role the one mcp made for `function`?
pub fn made_for(tags: &HashMap<String, String>, function: &str) -> bool {
    tags.contains_key(TAG_LAUNCHED_BY)
        && tags.get(TAG_FUNCTION).map(String::as_str) == Some(function)
}

/// Look at the execution role: `[lambda] role`'s (read only, unless mcp made
/// it for this function), or the one mcp makes. Refused when Lambda could
/// not assume it, or when the role of mcp's name trusts anyone else.
pub async fn look_role(clients: &Clients, settings: &Settings, place: &Place) -> Result<Role> {
    let given = settings.lambda.role.as_deref();
    if let Some(given) = given.filter(|g| g.starts_with("arn:"))
        && let Some(theirs) = iam::arn_account(given).filter(|a| *a != place.account)
    {
        return Err(McpError::usage(format!(
            "`lambda.role` is {given}, a role of account {theirs}, but the function is in account {} (your credentials): Lambda cannot be handed a role of another account",
            place.account
        ))
        .hint("name a role of this account, or remove `lambda.role` and `mcp launch` makes one")
        .into());
    }
    let name = given
        .map(|g| iam::role_name(g).to_string())
        .unwrap_or_else(|| default_role_name(&place.function));
    let expected_arn = given
        .filter(|g| g.starts_with("arn:"))
        .map(str::to_string)
        .unwrap_or_else(|| place.role_arn(&name));
    // `lambda.role` naming mcp's own role (what launch records): mcp's to
    // make again, after `mcp destroy` removed it.
    let mcp_named = name == default_role_name(&place.function);
    let Some((arn, trust)) = iam::get_role(&clients.iam, &name, &expected_arn).await? else {
        if given.is_some() && !mcp_named {
            return Err(McpError::usage(format!(
                "IAM role `{name}` (`lambda.role`) does not exist in account {}",
                place.account
            ))
            .hint("create it (trusting lambda.amazonaws.com), or remove `lambda.role` and `mcp launch` makes one for the function")
            .into());
        }
        let changes = policy_changes(clients, settings, place, &name, None).await?;
        return Ok(Role {
            name,
            arn: None,
            ours: true,
            changes,
        });
    };
    let trust = iam::read_trust(&trust, PRINCIPAL).map_err(|why| {
        McpError::usage(format!(
            "the trust policy of IAM role {arn} cannot be read ({why}); mcp does not hand Lambda a role it cannot check"
        ))
        .hint("check it in the IAM console")
    })?;
    if !trust.trusts_principal {
        return Err(McpError::usage(format!(
            "IAM role {arn}{} does not trust {PRINCIPAL}: Lambda cannot assume it",
            if given.is_some() {
                " (`lambda.role`)"
            } else {
                ""
            }
        ))
        .hint(format!(
            "let {PRINCIPAL} assume it (its trust relationships in the IAM console), or {}",
            if given.is_some() {
                "remove `lambda.role` and `mcp launch` makes a role for the function"
            } else {
                "delete it and `mcp launch` makes it anew"
            }
        ))
        .into());
    }
    let ours = made_for(&role_tags(clients, &name, &arn).await?, &place.function);
    let mcps = given.is_none() || mcp_named;
    if mcps && !trust.others.is_empty() {
        return Err(McpError::usage(format!(
            "IAM role {arn} trusts {} besides {PRINCIPAL}: mcp does not give it the function's logs and secrets",
            trust.others.join(", ")
        ))
        .hint(format!(
            "remove them from its trust policy (`aws iam update-assume-role-policy --role-name {name}`), or set `lambda.role` to a role of your own"
        ))
        .into());
    }
    // A role mcp did not make and the user named: read only.
    let changes = if mcps || ours {
        policy_changes(clients, settings, place, &name, Some(&arn)).await?
    } else {
        Vec::new()
    };
    Ok(Role {
        name,
        arn: Some(arn),
        ours: ours || mcps,
        changes,
    })
}

/// The inline policies the role lacks (or holds but should not).
async fn policy_changes(
    clients: &Clients,
    settings: &Settings,
    place: &Place,
    role: &str,
    arn: Option<&str>,
) -> Result<Vec<PolicyChange>> {
    let (managed, parameters, _) = secret_resources(&settings.secrets, place);
    let mut reads: Vec<String> = Vec::new();
    if !managed.is_empty() {
        reads.push(format!(
            "secretsmanager:GetSecretValue on {}",
            managed.join(", ")
        ));
    }
    if !parameters.is_empty() {
        reads.push(format!("ssm:GetParameter(s) on {}", parameters.join(", ")));
    }
    let wanted = [
        (
            LOGS_POLICY,
            Some(logs_policy(place)),
            format!(
                "logs:CreateLogGroup, CreateLogStream, PutLogEvents on log group {} only",
                place.log_group()
            ),
        ),
        (
            SECRETS_POLICY,
            secrets_policy(settings, place),
            format!("{} only", reads.join("; ")),
        ),
    ];
    let mut changes = Vec::new();
    for (name, document, what) in wanted {
        let held = match arn {
            Some(arn) => iam::inline_policy(&clients.iam, role, arn, name).await?,
            None => None,
        };
        match (&document, &held) {
            (Some(want), Some(have)) if iam::same_policy(have, want) => {}
            (Some(_), _) => changes.push(PolicyChange {
                name,
                document,
                line: format!("inline policy `{name}` on IAM role `{role}`: {what}"),
            }),
            (None, Some(_)) => changes.push(PolicyChange {
                name,
                document: None,
                line: format!(
                    "remove inline policy `{name}` from IAM role `{role}` (`[secrets]` is empty)"
                ),
            }),
            (None, None) => {}
        }
    }
    Ok(changes)
}

/// Make the role ready: created (tagged as mcp's) when missing, its policies
/// written. Its ARN, and whether it was created now (IAM takes a moment
/// before Lambda can assume a new role).
pub async fn make_role(
    clients: &Clients,
    printer: &Printer,
    place: &Place,
    role: &Role,
    made: &mut Vec<String>,
) -> Result<(String, bool)> {
    let (arn, fresh) = match &role.arn {
        Some(arn) => (arn.clone(), false),
        None => {
            crate::cancel::check("before creating the execution role")?;
            let spec = RoleSpec {
                name: role.name.clone(),
                given_arn: None,
                key: "lambda.role",
                principal: PRINCIPAL,
                policy_arn: "no managed policy (its inline policies `mcp-logs`, `mcp-secrets`)",
                purpose: "Execution role of one Lambda function: writes its logs, reads its [secrets]",
                secrets: None,
            };
            let arn = iam::create(&clients.iam, &spec, &place.account).await?;
            made.push(format!("IAM role {arn}"));
            let tag = |k: &str, v: &str| aws_sdk_iam::types::Tag::builder().key(k).value(v).build();
            clients
                .iam
                .tag_role()
                .role_name(&role.name)
                .tags(tag(TAG_LAUNCHED_BY, env!("CARGO_PKG_VERSION"))?)
                .tags(tag(TAG_FUNCTION, &place.function)?)
                .send()
                .await
                .map_err(|err| {
                    sdk_error(
                        err,
                        "iam:TagRole",
                        &arn,
                        format!("tagging IAM role `{}` as made by mcp", role.name),
                    )
                })?;
            printer.status("Created", format!("IAM role {arn} (trusts {PRINCIPAL})"));
            (arn, true)
        }
    };
    for change in &role.changes {
        crate::cancel::check("before changing the execution role's policies")?;
        match &change.document {
            Some(document) => {
                iam::put_inline_policy(&clients.iam, &role.name, &arn, change.name, document)
                    .await?;
                printer.status("Allowed", change.line.clone());
            }
            None => {
                clients
                    .iam
                    .delete_role_policy()
                    .role_name(&role.name)
                    .policy_name(change.name)
                    .send()
                    .await
                    .map_err(|err| {
                        sdk_error(
                            err,
                            "iam:DeleteRolePolicy",
                            &arn,
                            format!(
                                "removing inline policy `{}` from IAM role `{}`",
                                change.name, role.name
                            ),
                        )
                    })?;
                printer.status(
                    "Removed",
                    format!("inline policy `{}` from {}", change.name, role.name),
                );
            }
        }
    }
    Ok((arn, fresh))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn place() -> Place {
        Place {
            region: "eu-west-1".into(),
            account: "123456789012".into(),
            partition: "aws",
            function: "echo".into(),
        }
    }

    #[test]
    fn the_logs_policy_names_exactly_the_function_log_group() {
        let doc: Value = serde_json::from_str(&logs_policy(&place())).unwrap();
        let statement = &doc["Statement"][0];
        assert_eq!(
            statement["Resource"],
            json!([
                "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/echo",
                "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/echo:*"
            ])
        );
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
    }

    /// Guards issue 29 item 4: the role reads exactly the references, SSM paths as parameter ARNs.
    #[test]
    fn secret_references_become_exact_resources() {
        let secrets: BTreeMap<String, String> = [
            (
                "A",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/a-AbCdEf",
            ),
            (
                "B",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/b-123456:password::",
            ),
            ("C", "/prod/mcp/echo/c"),
            ("D", "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/d"),
            ("E", "arn:aws:s3:::bucket"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (managed, parameters, other) = secret_resources(&secrets, &place());
        assert_eq!(
            managed,
            [
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/a-AbCdEf",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/b-123456"
            ]
        );
        assert_eq!(
            parameters,
            [
                "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/d",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/mcp/echo/c"
            ]
        );
        assert_eq!(other, ["E"]);
    }

    #[test]
    fn a_function_arn_says_where_it_lives() {
        let file = crate::config::file::parse(
            std::path::Path::new("/p/mcp.toml"),
            "name = \"echo\"\ntarget = \"lambda\"\n",
        )
        .unwrap();
        let inputs = crate::config::Inputs {
            cwd: "/p".into(),
            ..Default::default()
        };
        let settings = crate::config::resolve(Some(&file), &inputs).unwrap();
        let place = Place::of_function(
            &settings,
            "arn:aws:lambda:eu-west-1:123456789012:function:echo",
        )
        .unwrap();
        assert_eq!(
            (
                place.region.as_str(),
                place.account.as_str(),
                place.partition
            ),
            ("eu-west-1", "123456789012", "aws")
        );
        assert_eq!(place.function, "echo");
        assert!(Place::of_function(&settings, "").is_none());
        assert!(Place::of_function(&settings, "arn:aws:iam::123456789012:role/echo").is_none());
    }

    #[test]
    fn role_names_fit_iam() {
        assert_eq!(default_role_name("echo"), "echo-mcp-lambda");
        assert_eq!(default_role_name(&"f".repeat(64)).len(), 64);
    }
}
