//! IAM: the two roles an ECS Express service needs, found or made, and read
//! before they are trusted.
//!
//! Express takes a task execution role (ECS pulls the image, writes logs and
//! reads `[secrets]` with it) and an infrastructure role (ECS makes the load
//! balancer, target group, security groups and scaling policies with it). Both
//! are ordinary roles with an AWS managed policy attached and a trust policy
//! for the ECS service principal. Looking is separate from making, so `mcp
//! launch` can say what it will create and ask before it does.
//!
//! A role is found by name, and a name proves nothing about who made the role
//! (issue 26 item 14). So what IAM holds is read before it is used:
//!
//! * its trust policy lets the ECS service principal assume it and nobody
//!   else ([`read_trust`]); a role that also trusts another account, a user or
//!   everyone is refused, naming them, before the managed policy is attached
//!   or the role is handed to ECS (either would give them what ECS may do);
//! * the same check runs after CreateRole, and after `EntityAlreadyExists`
//!   (another run made the role between our look and our create): whatever
//!   holds the name then is read, never assumed to be ours;
//! * a role given as an ARN keeps its account: one of another account is
//!   refused (IAM cannot pass a role across accounts), never swapped for the
//!   role of the same name in the caller's account;
//! * the trust policies mcp writes carry `aws:SourceAccount` (and, for the
//!   tasks' principal, `aws:SourceArn`), so ECS acting for another account
//!   cannot assume them (the confused deputy);
//! * the execution role reads `[secrets]` through an inline policy of its own
//!   ([`SecretsGrant`]): `secretsmanager:GetSecretValue` on the service's
//!   secret-name prefix only, never a wider managed policy on a shared role.

use anyhow::Result;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::denied::sdk_error;
use crate::error::McpError;

/// One role Express needs, and how to make it.
#[derive(Debug, Clone)]
pub struct RoleSpec {
    /// The role's name (the last part of its ARN).
    pub name: String,
    /// The ARN the setting gave, when it gave an ARN rather than a name.
    pub given_arn: Option<String>,
    /// The mcp.toml key that names the role (`ecs.execution_role`).
    pub key: &'static str,
    /// The service principal its trust policy must allow.
    pub principal: &'static str,
    /// The AWS managed policy it carries.
    pub policy_arn: &'static str,
    /// What it is for, in the words of a status line.
    pub purpose: &'static str,
    /// The execution role's read access to the service's secrets, when it
    /// has `[secrets]` (filled in by the look, see [`SecretsGrant::read`]).
    pub secrets: Option<SecretsGrant>,
}

/// The execution role's service principal.
pub const TASKS_PRINCIPAL: &str = "ecs-tasks.amazonaws.com";
/// The infrastructure role's service principal.
pub const ECS_PRINCIPAL: &str = "ecs.amazonaws.com";
/// Pull from ECR, write CloudWatch Logs (secrets: see [`SecretsGrant`]).
pub const EXECUTION_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
/// What Express makes on the service's behalf: ALB, target groups, security groups, scaling.
pub const INFRASTRUCTURE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices";

impl RoleSpec {
    /// The trust policy mcp writes: the principal may assume the role when it
    /// acts for `account` (`aws:SourceAccount`; for tasks also
    /// `aws:SourceArn`, any ECS resource of the account in any region, since
    /// one role serves every region). Without them ECS acting for another
    /// account's resources could be led to assume it.
    pub fn trust_policy(&self, account: &str) -> String {
        let mut condition = json!({ "StringEquals": { "aws:SourceAccount": account } });
        if self.principal == TASKS_PRINCIPAL {
            condition["ArnLike"] = json!({ "aws:SourceArn": format!("arn:*:ecs:*:{account}:*") });
        }
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "Service": self.principal },
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }],
        })
        .to_string()
    }

    fn arn_in(&self, account: &str) -> String {
        self.given_arn
            .clone()
            .unwrap_or_else(|| format!("arn:aws:iam::{account}:role/{}", self.name))
    }

    /// What would change: one line each (empty: nothing).
    pub fn changes(&self, state: &RoleState) -> Vec<String> {
        let mut lines = Vec::new();
        match state {
            RoleState::Ready { .. } => {}
            RoleState::NeedsPolicy { .. } => lines.push(format!(
                "attach {} to IAM role `{}`",
                self.policy_arn, self.name
            )),
            RoleState::Missing => lines.push(format!(
                "IAM role `{}` ({}), trusting {} for your account only, with {}",
                self.name, self.purpose, self.principal, self.policy_arn
            )),
        }
        if let Some(grant) = self.secrets.as_ref().filter(|g| !g.in_place) {
            lines.push(grant.describe());
        }
        lines
    }
}

/// What IAM holds for a [`RoleSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleState {
    /// The role exists with its policy attached.
    Ready { arn: String },
    /// The role exists; its managed policy is not attached.
    NeedsPolicy { arn: String },
    /// No role of that name.
    Missing,
}

/// The name of a role given as a name or an ARN (`arn:…:role/path/name`).
pub fn role_name(name_or_arn: &str) -> &str {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
    } else {
        name_or_arn
    }
}

/// The account of an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// Who a trust policy lets assume its role.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Trust {
    /// An Allow statement lets the expected service principal assume it.
    pub trusts_principal: bool,
    /// Everyone else an Allow statement lets assume it (`AWS arn:…`,
    /// `Service …`, `every principal (*)`), in the policy's order.
    pub others: Vec<String>,
}

/// IAM answers policy documents URL-encoded; a simulator may not.
pub fn decode_policy(document: &str) -> String {
    if document.trim_start().starts_with('{') {
        document.to_string()
    } else {
        percent_encoding::percent_decode_str(document)
            .decode_utf8_lossy()
            .into_owned()
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Does the statement's action let its principals take the role? A wildcard
/// or `NotAction` counts as yes: this check must not be talked around.
fn lets_assume(statement: &Value) -> bool {
    if statement.get("NotAction").is_some() {
        return true;
    }
    strings(statement.get("Action")).iter().any(|action| {
        let action = action.to_ascii_lowercase();
        action == "*"
            || action.starts_with("sts:assumerole")
            || (action.starts_with("sts:") && action.contains(['*', '?']))
    })
}

/// A principal as a person reads it, with the account when it names one.
fn describe_principal(kind: &str, id: &str) -> String {
    if kind == "AWS" {
        if id == "*" {
            return "AWS * (anyone)".to_string();
        }
        let account = if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
            Some(id)
        } else {
            arn_account(id)
        };
        if let Some(account) = account {
            return format!("AWS {id} (account {account})");
        }
    }
    format!("{kind} {id}")
}

/// Read a trust policy (URL-encoded or not) against the one principal it
/// should trust. `Err` when it is not a policy document mcp can read.
pub fn read_trust(document: &str, principal: &str) -> Result<Trust, String> {
    let doc: Value = serde_json::from_str(&decode_policy(document)).map_err(|e| e.to_string())?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return Err("it has no Statement".to_string()),
    };
    let mut trust = Trust::default();
    for statement in &statements {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow")
            || !lets_assume(statement)
        {
            continue;
        }
        match statement.get("Principal") {
            Some(Value::String(any)) => trust.others.push(format!("every principal ({any})")),
            Some(Value::Object(map)) => {
                for (kind, ids) in map {
                    for id in strings(Some(ids)) {
                        if kind == "Service" && id == principal {
                            trust.trusts_principal = true;
                        } else {
                            trust.others.push(describe_principal(kind, &id));
                        }
                    }
                }
            }
            _ => {}
        }
        if let Some(not) = statement.get("NotPrincipal") {
            trust
                .others
                .push(format!("every principal but NotPrincipal {not}"));
        }
    }
    Ok(trust)
}

/// The role IAM holds is fit for `spec`: it trusts the service principal and
/// no one else. Refused otherwise, naming who it trusts and what to do.
fn check_trust(spec: &RoleSpec, arn: &str, document: &str, account: &str) -> Result<()> {
    let what_mcp_writes = format!(
        "mcp writes a trust policy allowing only {} (for account {account})",
        spec.principal
    );
    let own_role = format!(
        "or set `{} = \"NAME\"` in mcp.toml to a role of this service's own (mcp creates it; {what_mcp_writes})",
        spec.key
    );
    let trust = read_trust(document, spec.principal).map_err(|why| {
        McpError::usage(format!(
            "the trust policy of IAM role {arn} cannot be read ({why}); mcp does not use a role it cannot check"
        ))
        .hint(format!("check it in the IAM console, {own_role}"))
    })?;
    if !trust.others.is_empty() {
        return Err(McpError::usage(format!(
            "IAM role {arn} trusts {} besides {}: mcp does not attach {} to it or hand it to ECS",
            trust.others.join(", "),
            spec.principal,
            spec.policy_arn
        ))
        .hint(format!(
            "whoever it trusts could assume it and act with what ECS may do in your account; if that is not meant, remove them from its trust policy (`aws iam update-assume-role-policy --role-name {}`), {own_role}",
            spec.name
        ))
        .into());
    }
    if !trust.trusts_principal {
        return Err(McpError::usage(format!(
            "IAM role {arn} does not trust {}: ECS could not assume it",
            spec.principal
        ))
        .hint(format!(
            "let {} assume it (its trust relationships in the IAM console), {own_role}",
            spec.principal
        ))
        .into());
    }
    Ok(())
}

/// A role of another account: refused, before anything is made.
fn check_account(spec: &RoleSpec, account: &str) -> Result<()> {
    let Some(given) = &spec.given_arn else {
        return Ok(());
    };
    match arn_account(given) {
        Some(theirs) if theirs != account => Err(McpError::usage(format!(
            "`{}` is {given}, a role of account {theirs}, but mcp launches into account {account} (your credentials): ECS cannot be handed a role of another account",
            spec.key
        ))
        .hint(format!(
            "name a role of account {account} (or just a name: mcp finds or creates it there), or run with credentials of account {theirs}"
        ))
        .into()),
        _ => Ok(()),
    }
}

/// Look the role up: refused when it is another account's or trusts anyone
/// but its service principal; else whether its managed policy is attached.
pub async fn inspect(
    iam: &aws_sdk_iam::Client,
    spec: &RoleSpec,
    account: &str,
) -> Result<RoleState> {
    check_account(spec, account)?;
    let Some((arn, document)) = get_role(iam, &spec.name, &spec.arn_in(account)).await? else {
        return Ok(RoleState::Missing);
    };
    if let Some(given) = spec.given_arn.as_deref().filter(|g| *g != arn) {
        return Err(McpError::usage(format!(
            "`{}` is {given}, but the IAM role named `{}` is {arn}",
            spec.key, spec.name
        ))
        .hint(format!(
            "set `{}` to {arn}, or to a role of another name",
            spec.key
        ))
        .into());
    }
    check_trust(spec, &arn, &document, account)?;
    let mut marker = None;
    loop {
        let out = iam
            .list_attached_role_policies()
            .role_name(&spec.name)
            .set_marker(marker)
            .send()
            .await
            .map_err(|err| {
                sdk_error(
                    err,
                    "iam:ListAttachedRolePolicies",
                    &arn,
                    format!("listing the policies of IAM role `{}`", spec.name),
                )
            })?;
        if out
            .attached_policies()
            .iter()
            .any(|p| p.policy_arn() == Some(spec.policy_arn))
        {
            return Ok(RoleState::Ready { arn });
        }
        marker = out.marker().map(str::to_string);
        if !out.is_truncated() || marker.is_none() {
            return Ok(RoleState::NeedsPolicy { arn });
        }
    }
}

/// Create the role with its trust policy; its ARN. What holds the name then
/// is read again and checked like any role found: after our own create, and
/// above all after `EntityAlreadyExists`, when someone else made a role of
/// that name between our look and our create.
pub async fn create(iam: &aws_sdk_iam::Client, spec: &RoleSpec, account: &str) -> Result<String> {
    let created = match iam
        .create_role()
        .role_name(&spec.name)
        .assume_role_policy_document(spec.trust_policy(account))
        .description(format!("{} (created by mcp launch)", spec.purpose))
        .send()
        .await
    {
        Ok(out) => out.role().map(|r| r.arn().to_string()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_entity_already_exists_exception()) =>
        {
            return match inspect(iam, spec, account).await? {
                RoleState::Ready { arn } | RoleState::NeedsPolicy { arn } => Ok(arn),
                RoleState::Missing => Err(McpError::new(format!(
                    "IAM answered that role `{}` exists, then that it does not: another run is changing it",
                    spec.name
                ))
                .hint("run `mcp launch` again once the other run is done")
                .into()),
            };
        }
        Err(err) => {
            return Err(sdk_error(
                err,
                "iam:CreateRole",
                &spec.arn_in(account),
                format!("creating IAM role `{}`", spec.name),
            ));
        }
    };
    match inspect(iam, spec, account).await? {
        RoleState::Ready { arn } | RoleState::NeedsPolicy { arn } => Ok(arn),
        // IAM is eventually consistent: the role just made may not read back yet.
        RoleState::Missing => Ok(created.unwrap_or_else(|| spec.arn_in(account))),
    }
}

/// Attach the role's managed policy.
pub async fn attach_policy(iam: &aws_sdk_iam::Client, spec: &RoleSpec, arn: &str) -> Result<()> {
    iam.attach_role_policy()
        .role_name(&spec.name)
        .policy_arn(spec.policy_arn)
        .send()
        .await
        .map_err(|err| {
            sdk_error(
                err,
                "iam:AttachRolePolicy",
                arn,
                format!("attaching {} to IAM role `{}`", spec.policy_arn, spec.name),
            )
        })?;
    Ok(())
}

/// The execution role's read access to one service's secrets: an inline
/// policy allowing `secretsmanager:GetSecretValue` on the ARNs under the
/// service's secret-name prefix, and nothing else. Its name is derived from
/// the prefix, so services sharing a role each keep their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsGrant {
    pub role: String,
    pub policy_name: String,
    /// `arn:<partition>:secretsmanager:*:<account>:secret:<prefix>*`
    pub resource: String,
    /// The role already has this policy, as written here.
    pub in_place: bool,
}

impl SecretsGrant {
    pub fn new(role: &str, partition: &str, account: &str, prefix: &str) -> SecretsGrant {
        let readable: String = prefix
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let readable: String = readable.trim_matches('-').chars().take(80).collect();
        let digest = Sha256::digest(prefix.as_bytes());
        let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        SecretsGrant {
            role: role.to_string(),
            policy_name: format!("mcp-secrets-{readable}-{short}"),
            resource: format!("arn:{partition}:secretsmanager:*:{account}:secret:{prefix}*"),
            in_place: false,
        }
    }

    pub fn document(&self) -> String {
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "ReadTheSecretsOfOneMcpService",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": self.resource,
            }],
        })
        .to_string()
    }

    /// The line `mcp launch` shows before it writes the policy.
    pub fn describe(&self) -> String {
        format!(
            "inline policy `{}` on IAM role `{}`: secretsmanager:GetSecretValue on {} only (every service using this role can read them; give the service a role of its own with `ecs.execution_role` to keep them apart)",
            self.policy_name, self.role, self.resource
        )
    }

    /// Is the policy on the role already, as written here? A role that does
    /// not exist yet has none.
    pub async fn read(
        mut self,
        iam: &aws_sdk_iam::Client,
        role_arn: Option<&str>,
    ) -> Result<SecretsGrant> {
        let Some(role_arn) = role_arn else {
            return Ok(self);
        };
        self.in_place = inline_policy(iam, &self.role, role_arn, &self.policy_name)
            .await?
            .is_some_and(|held| same_policy(&held, &self.document()));
        Ok(self)
    }

    /// Write the policy onto the role (`role_arn` for messages).
    pub async fn put(&self, iam: &aws_sdk_iam::Client, role_arn: &str) -> Result<()> {
        put_inline_policy(
            iam,
            &self.role,
            role_arn,
            &self.policy_name,
            &self.document(),
        )
        .await
    }
}

/// The role's ARN and trust policy, `None` when IAM has no role of that name
/// (`arn`, what it would be, for messages).
pub async fn get_role(
    iam: &aws_sdk_iam::Client,
    name: &str,
    arn: &str,
) -> Result<Option<(String, String)>> {
    let out = found(
        iam.get_role().role_name(name).send().await,
        "iam:GetRole",
        arn,
        format!("looking up IAM role `{name}`"),
    )?;
    Ok(out.as_ref().and_then(|out| out.role()).map(|r| {
        (
            r.arn().to_string(),
            r.assume_role_policy_document()
                .unwrap_or_default()
                .to_string(),
        )
    }))
}

/// A call's answer, `None` for IAM's `NoSuchEntity`, else [`sdk_error`]'s error.
fn found<T, E>(
    result: std::result::Result<T, aws_sdk_iam::error::SdkError<E>>,
    action: &str,
    resource: &str,
    doing: String,
) -> Result<Option<T>>
where
    E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(err) if err.as_service_error().and_then(|e| e.code()) == Some("NoSuchEntity") => {
            Ok(None)
        }
        Err(err) => Err(sdk_error(err, action, resource, doing)),
    }
}

/// The document of the role's inline policy `name` as IAM holds it (maybe
/// URL-encoded: compare with [`same_policy`]), `None` when it has none of
/// that name.
pub async fn inline_policy(
    iam: &aws_sdk_iam::Client,
    role: &str,
    role_arn: &str,
    name: &str,
) -> Result<Option<String>> {
    let out = found(
        iam.get_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await,
        "iam:GetRolePolicy",
        role_arn,
        format!("reading inline policy `{name}` of IAM role `{role}`"),
    )?;
    Ok(out.map(|out| out.policy_document().to_string()))
}

/// Does the policy IAM holds say what `wanted` says (as JSON, whatever the
/// encoding and spacing)?
pub fn same_policy(held: &str, wanted: &str) -> bool {
    serde_json::from_str::<Value>(&decode_policy(held)).ok()
        == serde_json::from_str::<Value>(wanted).ok()
}

/// Write the role's inline policy `name` (`role_arn` for messages).
pub async fn put_inline_policy(
    iam: &aws_sdk_iam::Client,
    role: &str,
    role_arn: &str,
    name: &str,
    document: &str,
) -> Result<()> {
    iam.put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(document)
        .send()
        .await
        .map_err(|err| {
            sdk_error(
                err,
                "iam:PutRolePolicy",
                role_arn,
                format!("writing inline policy `{name}` on IAM role `{role}`"),
            )
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(principal: &'static str) -> RoleSpec {
        RoleSpec {
            name: "r".into(),
            given_arn: None,
            key: "ecs.execution_role",
            principal,
            policy_arn: EXECUTION_POLICY,
            purpose: "p",
            secrets: None,
        }
    }

    #[test]
    fn names_from_arns_and_trust_for_the_principal_of_one_account() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/service/ecsTaskExecutionRole"),
            "ecsTaskExecutionRole"
        );
        assert_eq!(role_name("ecsTaskExecutionRole"), "ecsTaskExecutionRole");
        assert_eq!(
            arn_account("arn:aws:iam::111111111111:role/x"),
            Some("111111111111")
        );
        let trust: Value =
            serde_json::from_str(&spec(TASKS_PRINCIPAL).trust_policy("123456789012")).unwrap();
        let statement = &trust["Statement"][0];
        assert_eq!(statement["Principal"]["Service"], "ecs-tasks.amazonaws.com");
        assert_eq!(statement["Action"], "sts:AssumeRole");
        assert_eq!(
            statement["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
        assert_eq!(
            statement["Condition"]["ArnLike"]["aws:SourceArn"],
            "arn:*:ecs:*:123456789012:*"
        );
        let infra: Value =
            serde_json::from_str(&spec(ECS_PRINCIPAL).trust_policy("123456789012")).unwrap();
        assert_eq!(
            infra["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
        // What mcp writes passes its own check.
        let own = read_trust(&spec(ECS_PRINCIPAL).trust_policy("1"), ECS_PRINCIPAL).unwrap();
        assert!(own.trusts_principal && own.others.is_empty());
    }

    /// Guards issue 26 item 14: a trust policy that lets anyone but the ECS
    /// principal assume the role is seen, in every spelling IAM accepts.
    #[test]
    fn trust_policies_name_everyone_they_let_in() {
        let console = r#"{"Version":"2008-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let trust = read_trust(console, TASKS_PRINCIPAL).unwrap();
        assert!(trust.trusts_principal && trust.others.is_empty());
        // URL-encoded, as IAM answers it.
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%5B%22ecs.amazonaws.com%22%5D%2C%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A999999999999%3Aroot%22%7D%2C%22Action%22%3A%5B%22sts%3AAssumeRole%22%5D%7D%7D";
        let trust = read_trust(encoded, ECS_PRINCIPAL).unwrap();
        assert!(trust.trusts_principal);
        assert_eq!(
            trust.others,
            ["AWS arn:aws:iam::999999999999:root (account 999999999999)"]
        );
        let cases = [
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#,
                "every principal (*)",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:*"}]}"#,
                "AWS 222222222222 (account 222222222222)",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","ec2.amazonaws.com"]},"Action":"*"}]}"#,
                "Service ec2.amazonaws.com",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/x"},"NotAction":"s3:*"}]}"#,
                "Federated arn:aws:iam::1:oidc-provider/x",
            ),
        ];
        for (doc, who) in cases {
            let trust = read_trust(doc, TASKS_PRINCIPAL).unwrap();
            assert!(trust.others.iter().any(|o| o == who), "{doc}: {trust:?}");
        }
        // A Deny, or an Allow of something other than assuming, lets no one in.
        let harmless = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"1"},"Action":"sts:TagSession"}]}"#;
        assert_eq!(
            read_trust(harmless, TASKS_PRINCIPAL).unwrap(),
            Trust::default()
        );
        assert!(read_trust("not json", TASKS_PRINCIPAL).is_err());
    }

    #[test]
    fn a_role_of_another_account_or_trusting_one_is_refused_with_what_to_do() {
        let mut foreign = spec(TASKS_PRINCIPAL);
        foreign.given_arn = Some("arn:aws:iam::111111111111:role/r".into());
        let err = check_account(&foreign, "123456789012").unwrap_err();
        let err = err.downcast_ref::<McpError>().unwrap();
        assert!(
            err.message.contains("account 111111111111")
                && err.message.contains("account 123456789012"),
            "{}",
            err.message
        );
        foreign.given_arn = Some("arn:aws:iam::123456789012:role/r".into());
        assert!(check_account(&foreign, "123456789012").is_ok());

        let doc = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com","AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}"#;
        let infra = RoleSpec {
            key: "ecs.infrastructure_role",
            policy_arn: INFRASTRUCTURE_POLICY,
            ..spec(ECS_PRINCIPAL)
        };
        let err = check_trust(
            &infra,
            "arn:aws:iam::123456789012:role/r",
            doc,
            "123456789012",
        )
        .unwrap_err();
        let err = err.downcast_ref::<McpError>().unwrap();
        assert!(
            err.message.contains("account 999999999999") && err.message.contains("role/r"),
            "{}",
            err.message
        );
        let hint = err.hint.as_deref().unwrap();
        assert!(
            hint.contains("ecs.infrastructure_role = \"NAME\"")
                && hint.contains("update-assume-role-policy"),
            "{hint}"
        );
        let none = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let err = check_trust(&infra, "arn", none, "1").unwrap_err();
        assert!(
            err.to_string().contains("Service lambda.amazonaws.com"),
            "{err}"
        );
    }

    #[test]
    fn the_secrets_grant_covers_the_prefix_only() {
        let grant = SecretsGrant::new(
            "ecsTaskExecutionRole",
            "aws",
            "123456789012",
            "/prod/mcp/echo/",
        );
        assert_eq!(
            grant.resource,
            "arn:aws:secretsmanager:*:123456789012:secret:/prod/mcp/echo/*"
        );
        assert!(
            grant.policy_name.starts_with("mcp-secrets-prod-mcp-echo-"),
            "{}",
            grant.policy_name
        );
        assert!(grant.policy_name.len() <= 128);
        let other = SecretsGrant::new("r", "aws", "1", "/prod/mcp-echo/");
        assert_ne!(
            other.policy_name, grant.policy_name,
            "prefixes that read alike keep their own policy"
        );
        let doc: Value = serde_json::from_str(&grant.document()).unwrap();
        assert_eq!(
            doc["Statement"][0]["Action"],
            "secretsmanager:GetSecretValue"
        );
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
    }
}
