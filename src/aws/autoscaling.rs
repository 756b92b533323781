//! The Application Auto Scaling range of an ECS service, when a scalable
//! target is registered for its desired count: what a cost estimate shows
//! beside the desired count, since the count moves inside it.

use aws_config::SdkConfig;
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};

use super::error::{Fault, describe, fault};

/// `(min, max)` tasks of the service's scalable target; `None` when it has none.
pub async fn service_range(
    config: &SdkConfig,
    cluster: &str,
    service: &str,
) -> Result<Option<(i32, i32)>, String> {
    let client = aws_sdk_applicationautoscaling::Client::new(config);
    let out = client
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids(format!("service/{cluster}/{service}"))
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .send()
        .await
        .map_err(|err| match fault(&err) {
            Fault::AccessDenied => format!(
                "the autoscaling range is unknown: this identity may not call \
                 application-autoscaling:DescribeScalableTargets ({})",
                describe(&err)
            ),
            _ => format!("the autoscaling range is unknown: {}", describe(&err)),
        })?;
    Ok(out
        .scalable_targets()
        .first()
        .map(|t| (t.min_capacity(), t.max_capacity())))
}
