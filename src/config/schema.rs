//! The shape of mcp.toml, checked strictly.
//!
//! Every table denies unknown keys: a misspelt `timout` that silently falls back
//! to the default is worse than an error. The same [`Layer`] type describes the
//! top level, each `[stages.<name>]` and each `[services.<name>]` table, because
//! stages and services overlay exactly the keys the top level has.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::duration::HumanDuration;

/// One layer of settings: the file's top level, a stage, or a service.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Project name: the default ECR repository and ECS service name.
    pub name: Option<String>,
    /// AWS region; the AWS config chain decides when unset.
    pub region: Option<String>,
    /// AWS named profile.
    pub profile: Option<String>,
    /// Where a deploy lands: `ecs` (default), `local` or `lambda`.
    pub target: Option<TargetKind>,
    pub build: Option<BuildLayer>,
    pub ecr: Option<EcrLayer>,
    pub ecs: Option<EcsLayer>,
    /// `[lambda]`: the function a `target = "lambda"` stage deploys to.
    pub lambda: Option<LambdaLayer>,
    pub deploy: Option<DeployLayer>,
    /// What the MCP check proves besides the handshake: tool calls, the contract.
    pub check: Option<CheckLayer>,
    /// `[cost]`: the monthly estimate's limit.
    pub cost: Option<CostLayer>,
    /// Plain environment variables for the container.
    pub env: Option<BTreeMap<String, String>>,
    /// Secret references (Secrets Manager or SSM Parameter Store ARNs), never values.
    pub secrets: Option<BTreeMap<String, String>>,
    /// Where `mcp secrets set` stores values in Secrets Manager
    /// (default `/<stage>/mcp/<service>/`).
    pub secrets_prefix: Option<String>,
    /// Stage overlays, selected with `--stage` or `MCP_STAGE`.
    pub stages: Option<BTreeMap<String, Layer>>,
    /// Several MCP servers in one project.
    pub services: Option<BTreeMap<String, Layer>>,
    /// Preview deployments (`mcp deploy --preview NAME`).
    pub preview: Option<PreviewLayer>,
}

/// `[preview]`: how many previews a project may have at once.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewLayer {
    /// A new preview past this many is refused, naming the oldest (default 10).
    pub max: Option<u32>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuildLayer {
    pub context: Option<String>,
    pub dockerfile: Option<String>,
    pub platform: Option<String>,
    pub target: Option<String>,
    pub args: Option<BTreeMap<String, String>>,
    pub tag: Option<String>,
    /// Commands run (each with `sh -c`, in the folder of mcp.toml) before the image is built.
    pub before: Option<Vec<String>>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EcrLayer {
    pub repository: Option<String>,
    pub create: Option<bool>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EcsLayer {
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub container: Option<String>,
    /// The service is an ECS Express Mode service (`mcp launch` made it):
    /// deploys go through `UpdateExpressGatewayService`.
    pub express: Option<bool>,
    /// Express: task CPU units (256, 512, 1024, …; default 256).
    pub cpu: Option<u32>,
    /// Express: task memory in MiB (default 512).
    pub memory: Option<u32>,
    /// Express: fewest tasks auto scaling keeps (default 1).
    pub min_tasks: Option<u32>,
    /// Express: most tasks auto scaling starts (default 20).
    pub max_tasks: Option<u32>,
    /// Express: the task execution role, a name or ARN (default `ecsTaskExecutionRole`).
    pub execution_role: Option<String>,
    /// Express: the infrastructure role, a name or ARN
    /// (default `ecsInfrastructureRoleForExpressServices`).
    pub infrastructure_role: Option<String>,
}

/// `[lambda]`: an AWS Lambda function serving the image through the Lambda
/// Web Adapter, behind function URLs on its `live` and `candidate` aliases.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaLayer {
    /// Function name (default: the service's name).
    pub function: Option<String>,
    /// Memory in MB, 128–10240 (default 512).
    pub memory: Option<u32>,
    /// How long one request may run, up to 15m (default 60s).
    pub timeout: Option<HumanDuration>,
    /// `x86_64` (default) or `arm64`; the image is built for it.
    pub architecture: Option<LambdaArchitecture>,
    /// The execution role, a name or ARN (`mcp launch` makes one when unset).
    pub role: Option<String>,
    /// Function URL auth: `NONE` (default: the server's own auth guards it) or `AWS_IAM`.
    pub url_auth: Option<UrlAuth>,
    /// Function URL invoke mode: `RESPONSE_STREAM` (default) or `BUFFERED`.
    pub invoke_mode: Option<InvokeMode>,
    /// Concurrent requests reserved for the function (none by default).
    pub reserved_concurrency: Option<u32>,
    /// Instances kept warm on `live` (none by default).
    pub provisioned_concurrency: Option<u32>,
    /// The Lambda Web Adapter image added to images that have none
    /// (default: the public image pinned by digest).
    pub adapter_image: Option<String>,
}

/// `lambda.architecture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LambdaArchitecture {
    #[default]
    X86_64,
    Arm64,
}

impl LambdaArchitecture {
    /// Lambda's word (`x86_64`, `arm64`).
    pub fn name(self) -> &'static str {
        match self {
            LambdaArchitecture::X86_64 => "x86_64",
            LambdaArchitecture::Arm64 => "arm64",
        }
    }

    /// The Docker platform an image for it is built for.
    pub fn platform(self) -> &'static str {
        match self {
            LambdaArchitecture::X86_64 => "linux/amd64",
            LambdaArchitecture::Arm64 => "linux/arm64",
        }
    }
}

/// `lambda.url_auth`: the function URLs' `AuthType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum UrlAuth {
    #[default]
    #[serde(rename = "NONE")]
    None,
    #[serde(rename = "AWS_IAM")]
    AwsIam,
}

impl UrlAuth {
    pub fn name(self) -> &'static str {
        match self {
            UrlAuth::None => "NONE",
            UrlAuth::AwsIam => "AWS_IAM",
        }
    }
}

/// `lambda.invoke_mode`: the function URLs' `InvokeMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum InvokeMode {
    #[default]
    #[serde(rename = "RESPONSE_STREAM")]
    ResponseStream,
    #[serde(rename = "BUFFERED")]
    Buffered,
}

impl InvokeMode {
    pub fn name(self) -> &'static str {
        match self {
            InvokeMode::ResponseStream => "RESPONSE_STREAM",
            InvokeMode::Buffered => "BUFFERED",
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeployLayer {
    pub timeout: Option<HumanDuration>,
    pub rollback: Option<RollbackPolicy>,
    pub url: Option<String>,
    pub health_path: Option<String>,
    pub port: Option<u16>,
    /// Name of the environment variable holding the server's bearer token.
    pub auth_token_env: Option<String>,
    /// Send that token over plain `http://` to a host that is not loopback.
    pub allow_insecure_http: Option<bool>,
    /// Refused (issue 26 item 3): which of the machine's credentials may go
    /// out as a token is for whoever runs mcp to say, in
    /// `MCP_ALLOW_CREDENTIAL_ENV`, never for the file a pull request brings.
    /// Kept in the schema so the refusal names that variable.
    pub allow_credential_env: Option<Vec<String>>,
    /// The one MCP revision the check speaks (default: negotiate).
    pub protocol: Option<String>,
    /// OAuth client credentials for an OAuth-protected server.
    pub auth: Option<AuthLayer>,
    /// How ECS moves traffic to a new release; unset leaves the service's own.
    pub strategy: Option<Strategy>,
    /// Blue/green, canary, linear: how long the old release keeps running
    /// after production traffic moved, ready for an instant rollback.
    pub bake: Option<HumanDuration>,
    /// Canary: the share of production traffic the new release gets first.
    pub canary_percent: Option<f64>,
    /// Canary: how long the canary share runs before the rest moves.
    pub canary_bake: Option<HumanDuration>,
    /// Linear: the share of production traffic each step moves.
    pub linear_step_percent: Option<f64>,
    /// Linear: how long each step runs before the next.
    pub linear_step_bake: Option<HumanDuration>,
    /// CloudWatch alarm names: one in ALARM during the deployment rolls it back.
    pub alarms: Option<Vec<String>>,
    /// The test listener's URL of the MCP endpoint: the MCP gate checks the
    /// new release there before production traffic reaches it.
    pub test_url: Option<String>,
    /// Tool names the gate requires in `tools/list`.
    pub expect_tools: Option<Vec<String>>,
    /// How long ECS waits at the gate's pause before rolling back by itself.
    pub gate_timeout: Option<HumanDuration>,
}

/// `[check]`: smoke calls and the contract rule.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckLayer {
    /// Tool calls the check makes after `tools/list` (`[[check.calls]]`).
    pub calls: Option<Vec<CallLayer>>,
    /// What a breaking contract change does: `fail` (default) or `warn`.
    pub breaking: Option<Breaking>,
}

/// One `[[check.calls]]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CallLayer {
    pub tool: String,
    pub arguments: Option<toml::Table>,
    /// A substring the result's text (or structuredContent as JSON) must hold.
    pub expect: Option<String>,
    pub timeout: Option<HumanDuration>,
}

/// `[cost]`: what a stage may cost a month.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CostLayer {
    /// USD a month: a deploy (or scale) whose estimate exceeds it stops (exit 2).
    pub monthly_limit: Option<f64>,
}

/// `check.breaking`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breaking {
    #[default]
    Fail,
    Warn,
}

/// `deploy.auth`: OAuth client credentials the check exchanges for a token
/// (client credentials grant) at the server's authorization server.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthLayer {
    pub client_id: Option<String>,
    /// The environment variable holding the client secret.
    pub client_secret_env: Option<String>,
    /// The scope to ask for (default: what the server's challenge names).
    pub scope: Option<String>,
}

/// `deploy.strategy`: ECS's `deploymentConfiguration.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Rolling,
    BlueGreen,
    Canary,
    Linear,
}

impl Strategy {
    /// The word in mcp.toml and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Rolling => "rolling",
            Strategy::BlueGreen => "blue_green",
            Strategy::Canary => "canary",
            Strategy::Linear => "linear",
        }
    }

    /// Blue/green, canary and linear run the new release next to the old one.
    pub fn is_progressive(self) -> bool {
        self != Strategy::Rolling
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    #[default]
    Ecs,
    Local,
    Lambda,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RollbackPolicy {
    #[default]
    Auto,
    Never,
}

/// The kind of value a key holds, to turn `MCP_*` variables and flags (strings)
/// into the right TOML type before they are checked like file values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Bool,
    Int,
}

/// Keys that can be set from the environment, each with its documented variable.
///
/// Precedence: flag > `MCP_*` environment variable > stage > file > default.
pub const ENV_OVERRIDES: &[(&str, &str, Kind)] = &[
    (env::REGION, "region", Kind::Str),
    (env::PROFILE, "profile", Kind::Str),
    (env::TARGET, "target", Kind::Str),
    (env::REPOSITORY, "ecr.repository", Kind::Str),
    (env::CLUSTER, "ecs.cluster", Kind::Str),
    (env::SERVICE, "ecs.service", Kind::Str),
    (env::CONTAINER, "ecs.container", Kind::Str),
    (env::PLATFORM, "build.platform", Kind::Str),
    (env::TAG, "build.tag", Kind::Str),
    (env::TIMEOUT, "deploy.timeout", Kind::Str),
    (env::ROLLBACK, "deploy.rollback", Kind::Str),
    (env::URL, "deploy.url", Kind::Str),
    (env::PORT, "deploy.port", Kind::Int),
    (env::STRATEGY, "deploy.strategy", Kind::Str),
    (env::TEST_URL, "deploy.test_url", Kind::Str),
    (env::PROTOCOL, "deploy.protocol", Kind::Str),
    (env::LAMBDA_ADAPTER_IMAGE, "lambda.adapter_image", Kind::Str),
];

/// Every `MCP_*` environment variable `mcp` reads, in one place.
pub mod env {
    /// Path of the configuration file (like `--config`).
    pub const CONFIG: &str = "MCP_CONFIG";
    /// Stage to apply (like `--stage`).
    pub const STAGE: &str = "MCP_STAGE";
    /// `text` or `json` (like `--output`).
    pub const OUTPUT: &str = "MCP_OUTPUT";
    pub const REGION: &str = "MCP_REGION";
    pub const PROFILE: &str = "MCP_PROFILE";
    pub const TARGET: &str = "MCP_TARGET";
    pub const REPOSITORY: &str = "MCP_REPOSITORY";
    pub const CLUSTER: &str = "MCP_CLUSTER";
    pub const SERVICE: &str = "MCP_SERVICE";
    pub const CONTAINER: &str = "MCP_CONTAINER";
    pub const PLATFORM: &str = "MCP_PLATFORM";
    pub const TAG: &str = "MCP_TAG";
    pub const TIMEOUT: &str = "MCP_TIMEOUT";
    pub const ROLLBACK: &str = "MCP_ROLLBACK";
    pub const URL: &str = "MCP_URL";
    pub const PORT: &str = "MCP_PORT";
    pub const STRATEGY: &str = "MCP_STRATEGY";
    pub const TEST_URL: &str = "MCP_TEST_URL";
    /// The one MCP revision the check speaks (like `--protocol`).
    pub const PROTOCOL: &str = "MCP_PROTOCOL";
    /// The Lambda Web Adapter image (a mirror of the public one).
    pub const LAMBDA_ADAPTER_IMAGE: &str = "MCP_LAMBDA_ADAPTER_IMAGE";
    /// Credential variables of the machine (`AWS_*`, `GITHUB_TOKEN`, …) that
    /// `deploy.auth_token_env` or `deploy.auth.client_secret_env` may name all
    /// the same, comma-separated. Only here, never in mcp.toml.
    pub const ALLOW_CREDENTIAL_ENV: &str = "MCP_ALLOW_CREDENTIAL_ENV";
}
