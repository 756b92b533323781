//! A missing permission, told as what to grant.
//!
//! "AccessDenied" alone sends a person to the IAM console to guess. AWS's
//! message names the action it refused and the resource (`User: … is not
//! authorized to perform: iam:CreateRole on resource: arn:… because no
//! identity-based policy allows …`), which is often not the action `mcp` called:
//! `CreateExpressGatewayService` is refused for `iam:PassRole` on a role. So the
//! error is recognised by its code (never by its text), and the action and
//! resource are read from the message when it names them, falling back to the
//! call `mcp` made. The hint is the policy statement that would allow it.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::McpError;

/// Error codes AWS services use for a refused permission.
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
];

/// The refused action and resource, when `err` is an access-denied error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// `service:Action`, e.g. `iam:CreateRole`.
    pub action: String,
    /// The resource ARN, or `*` when neither AWS nor the caller names one.
    pub resource: String,
}

impl Denied {
    /// The IAM policy statement that allows the action on the resource.
    pub fn statement(&self) -> String {
        serde_json::json!({
            "Effect": "Allow",
            "Action": self.action,
            "Resource": self.resource,
        })
        .to_string()
    }

    /// The error a person reads: the action, the resource, the statement to add.
    pub fn error(&self, doing: &str) -> McpError {
        McpError::new(format!(
            "AWS refused `{}` on `{}` while {doing}: your credentials lack that permission",
            self.action, self.resource
        ))
        .hint(format!(
            "add this statement to a policy of the IAM user or role you run mcp as, then run the command again: {}",
            self.statement()
        ))
    }
}

/// `Some` when `err` is AWS refusing a permission. `called` is the action `mcp`
/// called and `resource` what it called it on (`*` when unknown): used when
/// the message does not say.
pub fn denied<E>(
    err: &aws_sdk_ecs::error::SdkError<E>,
    called: &str,
    resource: &str,
) -> Option<Denied>
where
    E: ProvideErrorMetadata,
{
    let service = err.as_service_error()?;
    if !DENIED_CODES.contains(&service.code()?) {
        return None;
    }
    let (action, named) = service.message().map(parse_message).unwrap_or((None, None));
    Some(Denied {
        action: action.unwrap_or_else(|| called.to_string()),
        resource: named.unwrap_or_else(|| resource.to_string()),
    })
}

/// An SDK error as an `anyhow::Error`: a refused permission becomes [`Denied::error`],
/// anything else reads `doing: Code: message`.
pub fn sdk_error<E>(
    err: aws_sdk_ecs::error::SdkError<E>,
    action: &str,
    resource: &str,
    doing: impl Into<String>,
) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let doing = doing.into();
    let denied = denied(&err, action, resource);
    let cause = anyhow::anyhow!(super::describe(&err));
    match denied {
        Some(denied) => cause.context(denied.error(&doing)),
        None => cause.context(doing),
    }
}

/// `(action, resource)` out of IAM's "is not authorized to perform: A on resource: R …".
fn parse_message(message: &str) -> (Option<String>, Option<String>) {
    let word_after = |marker: &str| {
        message.split_once(marker).and_then(|(_, rest)| {
            rest.split_whitespace()
                .next()
                .map(|w| w.trim_end_matches([',', '.', ';']).to_string())
                .filter(|w| !w.is_empty())
        })
    };
    let action = word_after("perform: ").filter(|a| a.contains(':'));
    let resource = word_after("on resource: ");
    (action, resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_action_and_resource_from_the_message() {
        let message = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: \
            iam:PassRole on resource: arn:aws:iam::123456789012:role/ecsTaskExecutionRole \
            because no identity-based policy allows the iam:PassRole action";
        assert_eq!(
            parse_message(message),
            (
                Some("iam:PassRole".into()),
                Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into())
            )
        );
        assert_eq!(parse_message("Access Denied"), (None, None));
    }

    #[test]
    fn the_statement_allows_exactly_the_refused_action() {
        let denied = Denied {
            action: "iam:CreateRole".into(),
            resource: "arn:aws:iam::1:role/r".into(),
        };
        let statement: serde_json::Value = serde_json::from_str(&denied.statement()).unwrap();
        assert_eq!(statement["Effect"], "Allow");
        assert_eq!(statement["Action"], "iam:CreateRole");
        assert_eq!(statement["Resource"], "arn:aws:iam::1:role/r");
        let err = denied.error("creating the role");
        assert!(err.message.contains("`iam:CreateRole`"), "{}", err.message);
        assert!(err.hint.unwrap().contains("\"Action\":\"iam:CreateRole\""));
    }
}
