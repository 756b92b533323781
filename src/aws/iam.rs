//! IAM: the two roles an ECS Express service needs, found or made.
//!
//! Express takes a task execution role (ECS pulls the image, writes logs and
//! reads `[secrets]` with it) and an infrastructure role (ECS makes the load
//! balancer, target group, security groups and scaling policies with it). Both
//! are ordinary roles with an AWS managed policy attached and a trust policy
//! for the ECS service principal. Looking is separate from making, so `mcp
//! launch` can say what it will create and ask before it does.

use anyhow::Result;

use super::denied::sdk_error;

/// One role Express needs, and how to make it.
#[derive(Debug, Clone)]
pub struct RoleSpec {
    /// The role's name (the last part of its ARN).
    pub name: String,
    /// The service principal its trust policy must allow.
    pub principal: &'static str,
    /// The AWS managed policy it carries.
    pub policy_arn: &'static str,
    /// What it is for, in the words of a status line.
    pub purpose: &'static str,
}

/// The execution role's service principal.
pub const TASKS_PRINCIPAL: &str = "ecs-tasks.amazonaws.com";
/// The infrastructure role's service principal.
pub const ECS_PRINCIPAL: &str = "ecs.amazonaws.com";
/// Pull from ECR, write CloudWatch Logs, read secrets referenced by the task.
pub const EXECUTION_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
/// What Express makes on the service's behalf: ALB, target groups, security groups, scaling.
pub const INFRASTRUCTURE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices";

impl RoleSpec {
    /// The trust policy letting the principal assume the role.
    pub fn trust_policy(&self) -> String {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "Service": self.principal },
                "Action": "sts:AssumeRole",
            }],
        })
        .to_string()
    }

    fn arn_in(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:role/{}", self.name)
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

/// Look the role up, and whether its managed policy is attached.
pub async fn inspect(
    iam: &aws_sdk_iam::Client,
    spec: &RoleSpec,
    account: &str,
) -> Result<RoleState> {
    let arn = match iam.get_role().role_name(&spec.name).send().await {
        Ok(out) => match out.role() {
            Some(role) => role.arn().to_string(),
            None => return Ok(RoleState::Missing),
        },
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            return Ok(RoleState::Missing);
        }
        Err(err) => {
            return Err(sdk_error(
                err,
                "iam:GetRole",
                &spec.arn_in(account),
                format!("looking up IAM role `{}`", spec.name),
            ));
        }
    };
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

/// Create the role with its trust policy; its ARN. When another launch made it
/// between our look and our create, that one serves.
pub async fn create(iam: &aws_sdk_iam::Client, spec: &RoleSpec, account: &str) -> Result<String> {
    let out = match iam
        .create_role()
        .role_name(&spec.name)
        .assume_role_policy_document(spec.trust_policy())
        .description(format!("{} (created by mcp launch)", spec.purpose))
        .send()
        .await
    {
        Ok(out) => out,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_entity_already_exists_exception()) =>
        {
            return match inspect(iam, spec, account).await? {
                RoleState::Ready { arn } | RoleState::NeedsPolicy { arn } => Ok(arn),
                RoleState::Missing => Ok(spec.arn_in(account)),
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
    Ok(out
        .role()
        .map(|r| r.arn().to_string())
        .unwrap_or_else(|| spec.arn_in(account)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_arns_and_trust_for_the_principal() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/service/ecsTaskExecutionRole"),
            "ecsTaskExecutionRole"
        );
        assert_eq!(role_name("ecsTaskExecutionRole"), "ecsTaskExecutionRole");
        let spec = RoleSpec {
            name: "r".into(),
            principal: TASKS_PRINCIPAL,
            policy_arn: EXECUTION_POLICY,
            purpose: "p",
        };
        let trust: serde_json::Value = serde_json::from_str(&spec.trust_policy()).unwrap();
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"],
            "ecs-tasks.amazonaws.com"
        );
        assert_eq!(trust["Statement"][0]["Action"], "sts:AssumeRole");
    }
}
