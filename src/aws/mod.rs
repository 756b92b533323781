//! AWS clients, built from one [`sdk_config`].
//!
//! Region and profile come from settings when set, else from the standard AWS
//! configuration chain. `AWS_ENDPOINT_URL` (and the per-service
//! `AWS_ENDPOINT_URL_<SERVICE>`) is honoured by the SDK itself, which is how the
//! testbed points `mcp` at its simulator. Retries use the SDK's standard mode
//! with a few more attempts than the default, since deploys poll ECS for minutes
//! and a throttled describe call must not end a deploy.
//!
//! - [`error`](mod@error): SDK errors as short lines with a hint; [`retry`]:
//!   the one classifier of errors worth trying again.
//! - [`ecr`], [`ecs`], [`taskdef`], [`logs`], [`iam`], [`express`], [`elbv2`]: thin wrappers over the calls `mcp` makes;
//!   [`sts`]: the region and account that launch and destroy name ARNs with;
//!   [`denied`]: a refused permission told as the statement that allows it.

pub mod autoscaling;
pub mod cost_explorer;
pub mod denied;
pub mod ecr;
pub mod ecs;
pub mod elbv2;
pub mod error;
pub mod express;
pub mod iam;
pub mod lambda;
pub mod logs;
pub mod pricing;
pub mod retry;
pub mod revisions;
pub mod service_deployments;
pub mod sigv4;
pub mod sts;
pub mod taskdef;

use std::borrow::Cow;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;

pub use error::{describe, error};

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
    let config = loader.load().await;
    let Some(chain) = config.credentials_provider() else {
        return config;
    };
    let (profile, sso) = profile_in_use(settings.profile.as_deref()).await;
    config
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(
            error::ExplainedCredentials::new(chain, profile, sso),
        ))
        .build()
}

/// The profile the credentials chain reads (`--profile`, `AWS_PROFILE`, or
/// `default` when the files have it), and whether it signs in through AWS SSO:
/// only to explain a credentials error (see [`error`](mod@error)).
async fn profile_in_use(named: Option<&str>) -> (Option<String>, bool) {
    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let loaded = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        named.map(|p| Cow::Owned(p.to_string())),
    )
    .await;
    let Ok(set) = loaded else {
        return (named.map(str::to_string), false);
    };
    let name = set.selected_profile().to_string();
    match set.get_profile(&name) {
        Some(profile) => {
            let sso =
                profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some();
            (Some(name), sso)
        }
        None => (named.map(str::to_string), false),
    }
}

/// The clients `mcp` uses.
#[derive(Clone, Debug)]
pub struct Clients {
    pub config: SdkConfig,
    pub ecr: aws_sdk_ecr::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub iam: aws_sdk_iam::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub sts: aws_sdk_sts::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
}

impl Clients {
    pub async fn new(settings: &Settings) -> Self {
        Self::from_config(sdk_config(settings).await)
    }

    pub fn from_config(config: SdkConfig) -> Self {
        // Every call checks first that it has a region (see `error::RegionRequired`).
        macro_rules! client {
            ($sdk:ident) => {
                $sdk::Client::from_conf(
                    $sdk::config::Builder::from(&config)
                        .interceptor(error::RegionRequired)
                        .build(),
                )
            };
        }
        Clients {
            ecr: client!(aws_sdk_ecr),
            ecs: client!(aws_sdk_ecs),
            iam: client!(aws_sdk_iam),
            elbv2: client!(aws_sdk_elasticloadbalancingv2),
            logs: client!(aws_sdk_cloudwatchlogs),
            lambda: client!(aws_sdk_lambda),
            cloudwatch: client!(aws_sdk_cloudwatch),
            sts: client!(aws_sdk_sts),
            secrets: client!(aws_sdk_secretsmanager),
            config,
        }
    }

    pub fn region(&self) -> Option<&str> {
        self.config.region().map(Region::as_ref)
    }
}

/// A client of `$sdk` whose calls the rules answer, as aws-smithy-mocks'
/// `mock_client!` builds it, but without the SDK crates' `test-util` feature:
/// that feature pulls the SDK's legacy hyper 0.14 / rustls 0.21 stack into
/// Cargo.lock, and keeping it out is the point of trimming their features.
#[cfg(test)]
macro_rules! mock_client {
    ($sdk:ident, $rule_mode:expr, $rules:expr) => {
        $crate::aws::mock_client!($sdk, $rule_mode, $rules, |c| c)
    };
    ($sdk:ident, $rule_mode:expr, $rules:expr, $more:expr) => {{
        let mut interceptor =
            aws_smithy_mocks::MockResponseInterceptor::new().rule_mode($rule_mode);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        fn coerce<T: Fn($sdk::config::Builder) -> $sdk::config::Builder>(f: T) -> T {
            f
        }
        $sdk::Client::from_conf(
            coerce($more)(
                $sdk::config::Config::builder()
                    .behavior_version($sdk::config::BehaviorVersion::latest())
                    .region($sdk::config::Region::new("us-east-1"))
                    .credentials_provider($sdk::config::Credentials::new(
                        "AKIDTEST",
                        "test-secret",
                        None,
                        None,
                        "test",
                    ))
                    .http_client(aws_smithy_mocks::create_mock_http_client())
                    .interceptor(interceptor),
            )
            .build(),
        )
    }};
}
#[cfg(test)]
pub(crate) use mock_client;
