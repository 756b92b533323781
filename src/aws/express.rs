//! ECS Express Mode: the four Express Gateway calls, and the service's URL.
//!
//! An Express service is an ordinary ECS service (DescribeServices, ListTasks,
//! deployments, task definitions all work on it) plus a configuration that
//! Express owns: the primary container, cpu/memory, scaling, the health path,
//! and a managed load balancer with a public URL. Express has no List call, so
//! a service is found by its ARN. Its URL is read from the API
//! (`activeConfigurations[].ingressPaths[].endpoint`), never built from the
//! name: AWS answers `https://<name>.ecs.<region>.on.aws`, a simulator
//! something else.

use anyhow::Result;
use aws_sdk_ecs::types::{AccessType, EcsExpressGatewayService, ExpressGatewayServiceStatusCode};

use super::denied::sdk_error;
use crate::error::McpError;

/// The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`).
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// `arn:aws:ecs:<region>:<account>:service/<cluster>/<name>`: what Express calls take.
pub fn service_arn(region: &str, account: &str, cluster: &str, service: &str) -> String {
    let partition = partition(region);
    format!("arn:{partition}:ecs:{region}:{account}:service/{cluster}/{service}")
}

/// The error for a region without Express Mode; nothing was created.
pub fn unsupported_region(region: &str, detail: &str) -> anyhow::Error {
    anyhow::anyhow!(detail.to_string()).context(
        McpError::usage(format!("ECS Express Mode is not available in {region}; nothing was created"))
            .hint("pick a region that has it with `region = \"…\"` in mcp.toml, --region or MCP_REGION (us-east-1 has it), or deploy to a service you made yourself with `mcp deploy`"),
    )
}

/// The service, `None` when Express does not know the ARN.
pub async fn describe(
    ecs: &aws_sdk_ecs::Client,
    region: &str,
    arn: &str,
) -> Result<Option<EcsExpressGatewayService>> {
    match ecs
        .describe_express_gateway_service()
        .service_arn(arn)
        .send()
        .await
    {
        Ok(out) => Ok(out.service().cloned()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_unsupported_feature_exception()) =>
        {
            Err(unsupported_region(region, &super::describe(&err)))
        }
        Err(err) => Err(sdk_error(
            err,
            "ecs:DescribeExpressGatewayService",
            arn,
            format!("looking up Express service `{arn}`"),
        )),
    }
}

/// The status code (`ACTIVE`, `DRAINING`, `INACTIVE`), as a string.
pub fn status(service: &EcsExpressGatewayService) -> &str {
    service
        .status()
        .and_then(|s| s.status_code())
        .map(ExpressGatewayServiceStatusCode::as_str)
        .unwrap_or("UNKNOWN")
}

/// The public endpoint of the newest configuration (`https://…on.aws` on AWS).
pub fn endpoint(service: &EcsExpressGatewayService) -> Option<String> {
    service
        .active_configurations()
        .iter()
        .flat_map(|c| c.ingress_paths())
        .find(|p| *p.access_type() == AccessType::Public)
        .or_else(|| {
            service
                .active_configurations()
                .iter()
                .flat_map(|c| c.ingress_paths())
                .next()
        })
        .map(|p| p.endpoint().trim_end_matches('/').to_string())
        .filter(|e| !e.is_empty())
}

/// The MCP endpoint under a service's URL.
pub fn mcp_url(endpoint: &str) -> String {
    format!("{}/mcp", endpoint.trim_end_matches('/'))
}

/// The image the newest configuration runs.
pub fn image(service: &EcsExpressGatewayService) -> Option<&str> {
    service
        .active_configurations()
        .first()
        .and_then(|c| c.primary_container())
        .map(|c| c.image())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{ExpressGatewayServiceConfiguration, IngressPathSummary};

    #[test]
    fn arn_and_url() {
        assert_eq!(
            service_arn("us-east-1", "123456789012", "default", "echo"),
            "arn:aws:ecs:us-east-1:123456789012:service/default/echo"
        );
        assert!(service_arn("cn-north-1", "1", "c", "s").starts_with("arn:aws-cn:"));
        assert_eq!(
            mcp_url("https://echo.ecs.us-east-1.on.aws/"),
            "https://echo.ecs.us-east-1.on.aws/mcp"
        );
    }

    #[test]
    fn the_endpoint_comes_from_the_public_ingress_path() {
        let path = |access, endpoint| {
            IngressPathSummary::builder()
                .access_type(access)
                .endpoint(endpoint)
                .build()
                .unwrap()
        };
        let service = EcsExpressGatewayService::builder()
            .active_configurations(
                ExpressGatewayServiceConfiguration::builder()
                    .ingress_paths(path(AccessType::Private, "http://10.0.0.1"))
                    .ingress_paths(path(AccessType::Public, "https://x.ecs.us-east-1.on.aws"))
                    .build(),
            )
            .build();
        assert_eq!(
            endpoint(&service).as_deref(),
            Some("https://x.ecs.us-east-1.on.aws")
        );
        assert_eq!(endpoint(&EcsExpressGatewayService::builder().build()), None);
    }
}
