//! Thin wrappers over ECS's service-deployment APIs (2024/2025):
//! `DescribeServiceDeployments`, `ListServiceDeployments`,
//! `ContinueServiceDeployment` and `StopServiceDeployment`.
//!
//! A *service deployment* is ECS's record of one change to a service, for
//! every strategy: its ARN, status (`IN_PROGRESS`, `SUCCESSFUL`,
//! `ROLLBACK_IN_PROGRESS`, …), and for blue/green, canary and linear
//! deployments the lifecycle stage, the paused lifecycle hooks and the traffic
//! weights of the old and new service revisions. The progressive platform
//! (`crate::platform::ecs_progressive`) follows one by ARN with these calls.
//!
//! Errors keep the SDK error inside (so callers can classify throttling with
//! [`is_transient`]) and read as `Code: message` with context naming the call.

use anyhow::{Context, Result};
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecs::types::{
    DeploymentLifecycleHookAction, ServiceDeployment, ServiceDeploymentBrief,
    StopServiceDeploymentStopType,
};

use crate::error::McpError;

/// One service deployment, by ARN. A missing one is an error naming it.
pub async fn describe(ecs: &aws_sdk_ecs::Client, arn: &str) -> Result<ServiceDeployment> {
    let out = ecs
        .describe_service_deployments()
        .service_deployment_arns(arn)
        .send()
        .await
        .map_err(sdk_error)
        .with_context(|| format!("describing service deployment {arn}"))?;
    if let Some(found) = out
        .service_deployments()
        .iter()
        .find(|d| d.service_deployment_arn() == Some(arn))
    {
        return Ok(found.clone());
    }
    let reason = out
        .failures()
        .iter()
        .find_map(|f| f.reason())
        .unwrap_or("not returned");
    Err(McpError::new(format!("service deployment {arn} not found ({reason})"))
        .hint("ECS keeps service deployments for a while after they end; `mcp status` shows the current one")
        .into())
}

/// The newest service deployment of a service, if it has any.
pub async fn latest(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    service: &str,
) -> Result<Option<ServiceDeploymentBrief>> {
    let out = ecs
        .list_service_deployments()
        .cluster(cluster)
        .service(service)
        .max_results(1)
        .send()
        .await
        .map_err(sdk_error)
        .with_context(|| format!("listing the service deployments of `{service}`"))?;
    Ok(out.service_deployments().first().cloned())
}

/// The task definition of a service revision (`…:service-revision/…`).
pub async fn revision_task_definition(
    ecs: &aws_sdk_ecs::Client,
    revision_arn: &str,
) -> Result<Option<String>> {
    let out = ecs
        .describe_service_revisions()
        .service_revision_arns(revision_arn)
        .send()
        .await
        .map_err(sdk_error)
        .with_context(|| format!("describing service revision {revision_arn}"))?;
    Ok(out
        .service_revisions()
        .first()
        .and_then(|r| r.task_definition())
        .map(str::to_string))
}

/// Answer a paused lifecycle hook: go on, or roll back.
pub async fn continue_hook(
    ecs: &aws_sdk_ecs::Client,
    arn: &str,
    hook_id: &str,
    action: DeploymentLifecycleHookAction,
) -> Result<()> {
    ecs.continue_service_deployment()
        .service_deployment_arn(arn)
        .hook_id(hook_id)
        .action(action.clone())
        .send()
        .await
        .map_err(sdk_error)
        .with_context(|| {
            format!(
                "answering the paused lifecycle hook of {arn} with {}",
                action.as_str()
            )
        })?;
    Ok(())
}

/// Stop a service deployment: `ROLLBACK` puts the source revision back at
/// once (it still runs during a blue/green bake), `ABORT` stops where it is.
pub async fn stop(
    ecs: &aws_sdk_ecs::Client,
    arn: &str,
    stop_type: StopServiceDeploymentStopType,
) -> Result<()> {
    ecs.stop_service_deployment()
        .service_deployment_arn(arn)
        .stop_type(stop_type.clone())
        .send()
        .await
        .map_err(sdk_error)
        .with_context(|| format!("stopping service deployment {arn} ({})", stop_type.as_str()))?;
    Ok(())
}

/// An SDK error whose `Display` is `Code: message`, keeping its code for
/// [`is_transient`].
#[derive(Debug)]
pub struct CallError {
    pub code: Option<String>,
    pub text: String,
    /// A timeout or dispatch failure: no answer from ECS at all.
    pub no_answer: bool,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for CallError {}

fn sdk_error<E>(err: SdkError<E>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let no_answer = matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
    );
    let code = err.code().map(str::to_string);
    anyhow::Error::new(CallError {
        code,
        text: super::describe(&err),
        no_answer,
    })
}

/// Throttling or a transient failure: worth waiting out, not worth failing a deploy over.
pub fn is_transient(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<CallError>())
        .any(|e| {
            e.no_answer
                || e.code
                    .as_deref()
                    .is_some_and(super::retry::is_retryable_code)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::mock_client;
    use aws_sdk_ecs::operation::describe_service_deployments::{
        DescribeServiceDeploymentsError, DescribeServiceDeploymentsOutput,
    };
    use aws_sdk_ecs::types::Failure;
    use aws_smithy_mocks::{RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    const ARN: &str = "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/abc";

    #[tokio::test]
    async fn a_missing_deployment_is_named_with_ecs_reason() {
        let rule = mock!(aws_sdk_ecs::Client::describe_service_deployments).then_output(|| {
            DescribeServiceDeploymentsOutput::builder()
                .failures(Failure::builder().arn(ARN).reason("MISSING").build())
                .build()
        });
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::Sequential, [&rule]);
        let err = describe(&ecs, ARN).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("service deployment {ARN} not found (MISSING)")
        );
    }

    #[tokio::test]
    async fn throttling_is_transient_and_access_denied_is_not() {
        let throttled = mock!(aws_sdk_ecs::Client::describe_service_deployments).then_error(|| {
            DescribeServiceDeploymentsError::generic(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("Rate exceeded")
                    .build(),
            )
        });
        let denied = mock!(aws_sdk_ecs::Client::describe_service_deployments).then_error(|| {
            DescribeServiceDeploymentsError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("no")
                    .build(),
            )
        });
        // The SDK's own retries are off so that each rule answers one call.
        let ecs = mock_client!(
            aws_sdk_ecs,
            RuleMode::Sequential,
            [&throttled, &denied],
            |c| c.retry_config(aws_sdk_ecs::config::retry::RetryConfig::disabled())
        );
        let err = describe(&ecs, ARN).await.unwrap_err();
        assert!(is_transient(&err), "{err:#}");
        assert!(format!("{err:#}").contains("ThrottlingException: Rate exceeded"));
        let err = describe(&ecs, ARN).await.unwrap_err();
        assert!(!is_transient(&err), "{err:#}");
    }
}
