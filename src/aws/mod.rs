//! AWS clients, built from one [`sdk_config`].
//!
//! Region and profile come from settings when set, else from the standard AWS
//! configuration chain. `AWS_ENDPOINT_URL` (and the per-service
//! `AWS_ENDPOINT_URL_<SERVICE>`) is honoured by the SDK itself, which is how the
//! testbed points `mcp` at its simulator. Retries use the SDK's standard mode
//! with a few more attempts than the default, since deploys poll ECS for minutes
//! and a throttled describe call must not end a deploy.

pub mod denied;
pub mod ecr;
pub mod ecs;
pub mod express;
pub mod iam;
pub mod logs;
pub mod taskdef;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::config::Settings;

/// The SDK configuration every client is built from.
pub async fn sdk_config(settings: &Settings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(6))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        );
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// The clients `mcp` uses.
#[derive(Clone, Debug)]
pub struct Clients {
    pub config: SdkConfig,
    pub ecr: aws_sdk_ecr::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub iam: aws_sdk_iam::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub sts: aws_sdk_sts::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
}

impl Clients {
    pub async fn new(settings: &Settings) -> Self {
        Self::from_config(sdk_config(settings).await)
    }

    pub fn from_config(config: SdkConfig) -> Self {
        Clients {
            ecr: aws_sdk_ecr::Client::new(&config),
            ecs: aws_sdk_ecs::Client::new(&config),
            iam: aws_sdk_iam::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            secrets: aws_sdk_secretsmanager::Client::new(&config),
            config,
        }
    }

    pub fn region(&self) -> Option<&str> {
        self.config.region().map(Region::as_ref)
    }
}

/// An SDK error as one readable line: `Code: message` for service errors,
/// the whole cause chain otherwise (the SDK's own `Display` says only "service error").
pub fn describe<E>(err: &aws_sdk_ecs::error::SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(service) = err.as_service_error() {
        match (service.code(), service.message()) {
            (Some(code), Some(message)) => return format!("{code}: {message}"),
            (Some(code), None) => return code.to_string(),
            _ => {}
        }
    }
    DisplayErrorContext(err).to_string()
}

/// Turn an SDK error into an `anyhow::Error` that reads well.
pub fn error<E>(err: aws_sdk_ecs::error::SdkError<E>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    anyhow::anyhow!(describe(&err))
}
