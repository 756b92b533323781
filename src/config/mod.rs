//! Settings, resolved once from flags, `MCP_*` variables, the selected stage,
//! mcp.toml and defaults, in that order of precedence.
//!
//! Resolution works on plain TOML values keyed by path (`["ecs", "cluster"]`),
//! one layer at a time, recording where each value came from. The merged table
//! is then checked against the same strict schema as the file, so a value from
//! `MCP_TIMEOUT` is validated exactly like one from mcp.toml. `mcp config` prints
//! the provenance; everything else reads the typed [`Settings`].

pub mod duration;
pub mod file;
mod resolve;
pub mod schema;
mod targets;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

pub use file::{ConfigFile, FILE_NAME};
use resolve::sub_table;
pub use resolve::{is_credential_variable, resolve};
pub use schema::{
    Breaking, InvokeMode, Kind, LambdaArchitecture, Layer, RollbackPolicy, Strategy, TargetKind,
    UrlAuth,
};

use crate::error::McpError;

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Service {
        name: String,
        file: PathBuf,
    },
    Stage {
        name: String,
        file: PathBuf,
    },
    StageService {
        stage: String,
        service: String,
        file: PathBuf,
    },
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Service { name, file } => write!(f, "{} [services.{name}]", file.display()),
            Source::Stage { name, file } => write!(f, "{} [stages.{name}]", file.display()),
            Source::StageService {
                stage,
                service,
                file,
            } => {
                write!(f, "{} [stages.{stage}.services.{service}]", file.display())
            }
            Source::Env(var) => write!(f, "env {var}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A value given on the command line for a settings key.
#[derive(Debug, Clone)]
pub struct FlagValue {
    /// Dotted key, e.g. `ecs.cluster`.
    pub key: &'static str,
    pub flag: &'static str,
    pub value: String,
    pub kind: Kind,
}

/// What resolution starts from, besides the file.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--config` (or `MCP_CONFIG`).
    pub config: Option<PathBuf>,
    /// `--stage` (or `MCP_STAGE`).
    pub stage: Option<String>,
    /// The `[services.<name>]` to resolve, if any.
    pub service: Option<String>,
    /// Settings given as flags.
    pub flags: Vec<FlagValue>,
    /// The working directory (where discovery starts).
    pub cwd: PathBuf,
    /// The process environment (a parameter, so tests need not mutate the real one).
    pub env: BTreeMap<String, String>,
}

impl Inputs {
    /// Inputs from the real process environment and working directory.
    pub fn from_process() -> Result<Self> {
        let cwd = std::env::current_dir()
            .map_err(|e| anyhow::anyhow!(e).context("reading the working directory"))?;
        let env = std::env::vars()
            .filter(|(k, _)| k.starts_with("MCP_"))
            .collect();
        Ok(Inputs {
            cwd,
            env,
            ..Inputs::default()
        })
    }

    pub(crate) fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// One resolved key, for `mcp config`.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub key: String,
    pub value: toml::Value,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildSettings {
    /// Absolute path of the build context.
    pub context: PathBuf,
    /// Dockerfile path, relative to the context.
    pub dockerfile: PathBuf,
    pub platform: String,
    pub target: Option<String>,
    pub args: BTreeMap<String, String>,
    pub tag: String,
    /// `build.before`: commands run before the image is built (see `release::hook`).
    pub before: Vec<String>,
    /// Where `build.before` runs: the folder of mcp.toml (the working directory without one).
    pub root: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct EcrSettings {
    pub repository: String,
    pub create: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EcsSettings {
    pub cluster: Option<String>,
    pub service: String,
    pub container: Option<String>,
    /// An ECS Express Mode service (`[ecs] express = true`, written by `mcp launch`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub express: bool,
    /// Express only: what `mcp launch` and an Express deploy ask for (see [`schema::EcsLayer`]).
    #[serde(skip_serializing_if = "ExpressSettings::is_empty")]
    pub express_settings: ExpressSettings,
}

/// The `[ecs]` keys only an Express service reads; unset ones take Express's defaults.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExpressSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_tasks: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tasks: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure_role: Option<String>,
}

impl ExpressSettings {
    fn is_empty(&self) -> bool {
        self.cpu.is_none()
            && self.memory.is_none()
            && self.min_tasks.is_none()
            && self.max_tasks.is_none()
            && self.execution_role.is_none()
            && self.infrastructure_role.is_none()
    }
}

/// `[lambda]`, with its defaults: the function a `target = "lambda"` stage deploys to.
#[derive(Debug, Clone, Serialize)]
pub struct LambdaSettings {
    pub function: String,
    /// MB.
    pub memory: u32,
    #[serde(serialize_with = "as_seconds")]
    pub timeout: Duration,
    pub architecture: LambdaArchitecture,
    pub role: Option<String>,
    pub url_auth: UrlAuth,
    pub invoke_mode: InvokeMode,
    pub reserved_concurrency: Option<u32>,
    pub provisioned_concurrency: Option<u32>,
    /// The Lambda Web Adapter image (the public one pinned by digest unless overridden).
    pub adapter_image: String,
}

/// The alias that serves clients.
pub const LAMBDA_LIVE_ALIAS: &str = "live";
/// The alias the gate checks a new version on before `live` moves.
pub const LAMBDA_CANDIDATE_ALIAS: &str = "candidate";
/// The AWS Lambda Web Adapter added to images that carry none: the public
/// image of release 0.9.1, pinned by its multi-architecture index digest (the
/// digest the adapter's users pin for 0.9.1; one image serves amd64 and arm64).
pub const LAMBDA_ADAPTER_IMAGE: &str = "public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1@sha256:46d6625e68cbbdd2efab4a20245977664513f13ffef47915b000d431adcea0b4";

#[derive(Debug, Clone, Serialize)]
pub struct DeploySettings {
    #[serde(serialize_with = "as_seconds")]
    pub timeout: Duration,
    pub rollback: RollbackPolicy,
    pub url: Option<String>,
    pub health_path: String,
    pub port: u16,
    pub auth_token_env: Option<String>,
    /// `deploy.allow_insecure_http`: the token may travel over plain http to a non-loopback host.
    pub allow_insecure_http: bool,
    /// `deploy.protocol`: the one MCP revision the check speaks.
    pub protocol: Option<String>,
    /// `deploy.auth`: OAuth client credentials for the check.
    pub auth: Option<AuthSettings>,
    /// Progressive delivery (blue/green, canary, linear) and the MCP gate.
    pub progressive: ProgressiveSettings,
}

/// `[preview]`: preview deployments (`mcp deploy --preview NAME`).
#[derive(Debug, Clone, Serialize)]
pub struct PreviewSettings {
    /// `preview.max`: a new preview past this many is refused.
    pub max: u32,
}

/// `preview.max` when unset.
pub const DEFAULT_PREVIEW_MAX: u32 = 10;

/// `[check]`: what the MCP check proves besides the handshake.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckSettings {
    pub calls: Vec<CallSettings>,
    pub breaking: Breaking,
}

/// One `[[check.calls]]`: a tool call the check makes.
#[derive(Debug, Clone, Serialize)]
pub struct CallSettings {
    pub tool: String,
    pub arguments: serde_json::Value,
    pub expect: Option<String>,
    #[serde(serialize_with = "opt_seconds")]
    pub timeout: Option<Duration>,
}

/// `[cost]`: what a stage may cost a month.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CostSettings {
    /// USD a month (`[cost] monthly_limit`).
    pub monthly_limit: Option<f64>,
}

/// `deploy.auth`, complete: the check gets a token with these.
#[derive(Debug, Clone, Serialize)]
pub struct AuthSettings {
    pub client_id: String,
    pub client_secret_env: String,
    pub scope: Option<String>,
}

/// `deploy.strategy` and the keys that go with it. Unset values leave the
/// service's own configuration (or ECS's defaults) in force.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProgressiveSettings {
    pub strategy: Option<Strategy>,
    #[serde(serialize_with = "opt_seconds")]
    pub bake: Option<Duration>,
    pub canary_percent: Option<f64>,
    #[serde(serialize_with = "opt_seconds")]
    pub canary_bake: Option<Duration>,
    pub linear_step_percent: Option<f64>,
    #[serde(serialize_with = "opt_seconds")]
    pub linear_step_bake: Option<Duration>,
    pub alarms: Vec<String>,
    pub test_url: Option<String>,
    pub expect_tools: Vec<String>,
    #[serde(serialize_with = "opt_seconds")]
    pub gate_timeout: Option<Duration>,
}

fn opt_seconds<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

fn as_seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Everything a command needs to know, resolved once.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub name: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub target: TargetKind,
    pub stage: Option<String>,
    pub service: Option<String>,
    pub config_file: Option<PathBuf>,
    pub build: BuildSettings,
    pub ecr: EcrSettings,
    pub ecs: EcsSettings,
    /// `[lambda]` (read only when `target = "lambda"`).
    pub lambda: LambdaSettings,
    pub deploy: DeploySettings,
    pub check: CheckSettings,
    /// `[cost]`: the monthly estimate's limit.
    pub cost: CostSettings,
    pub env: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub secrets_prefix: Option<String>,
    /// `[preview]`: preview deployments.
    pub preview: PreviewSettings,
    #[serde(skip)]
    pub entries: Vec<Entry>,
    /// The `[stages.<NAME>]` tables the file declares, for hints that name a
    /// stage which would supply what is missing ([`Settings::stages_setting`]).
    #[serde(skip)]
    pub declared_stages: BTreeMap<String, toml::Table>,
}

impl Settings {
    /// The `[services.<name>]` key when one was selected, else the project's
    /// `name`: how messages, client snippets and local releases name it.
    pub fn service_or_name(&self) -> &str {
        self.service.as_deref().unwrap_or(&self.name)
    }

    /// The Secrets Manager name prefix for this service and stage:
    /// `secrets_prefix`, else `/<stage>/mcp/<service>/`.
    pub fn secret_name_prefix(&self) -> String {
        if let Some(prefix) = &self.secrets_prefix {
            return if prefix.ends_with('/') {
                prefix.clone()
            } else {
                format!("{prefix}/")
            };
        }
        let stage = self.stage.as_deref().unwrap_or("default");
        format!("/{stage}/mcp/{}/", self.service_or_name())
    }

    /// The ECS cluster, or a configuration error that says how to set it
    /// (naming the declared stages that set one, or that need none).
    pub fn cluster(&self) -> Result<&str> {
        self.ecs.cluster.as_deref().ok_or_else(|| {
            let how = format!(
                "add `[ecs] cluster = \"…\"` to {FILE_NAME}, set {}, or pass --cluster",
                schema::env::CLUSTER
            );
            let local = self.stages_with("target", "local");
            let clusters: Vec<String> = self
                .stages_setting("ecs.cluster")
                .into_iter()
                .filter(|s| !local.contains(s))
                .collect();
            let hints: Vec<String> = [
                stage_hint(&clusters, "sets `ecs.cluster`"),
                stage_hint(
                    &local,
                    "deploys to the local Docker engine, which needs no cluster",
                ),
            ]
            .into_iter()
            .flatten()
            .chain([how])
            .collect();
            let hint = hints.join("; or ");
            McpError::usage("no ECS cluster configured (`ecs.cluster`)")
                .hint(hint)
                .into()
        })
    }

    /// The declared stages, other than the one selected, whose own table sets
    /// `key` (dotted, e.g. `deploy.url`), directly or for the selected service.
    pub fn stages_setting(&self, key: &str) -> Vec<String> {
        self.stages_matching(key, |_| true)
    }

    /// The declared stages, other than the one selected, that set `key` to `value`.
    pub fn stages_with(&self, key: &str, value: &str) -> Vec<String> {
        self.stages_matching(key, |v| v.as_str() == Some(value))
    }

    fn stages_matching(&self, key: &str, matches: impl Fn(&toml::Value) -> bool) -> Vec<String> {
        let path: Vec<&str> = key.split('.').collect();
        let lookup = |table: &toml::Table| -> Option<bool> {
            let (last, parents) = path.split_last()?;
            sub_table(table, parents)?.get(*last).map(&matches)
        };
        self.declared_stages
            .iter()
            .filter(|(name, _)| self.stage.as_deref() != Some(name.as_str()))
            .filter(|(_, table)| {
                lookup(table) == Some(true)
                    || self.service.as_deref().is_some_and(|service| {
                        sub_table(table, &["services", service]).and_then(lookup) == Some(true)
                    })
            })
            .map(|(name, _)| name.clone())
            .collect()
    }
}

/// For a hint: "add `--stage local` (`[stages.local]` REASON)", or with several
/// "add `--stage a` or `--stage b` (`[stages.a]`, `[stages.b]` REASON)"; `None` without stages.
pub fn stage_hint(stages: &[String], reason: &str) -> Option<String> {
    if stages.is_empty() {
        return None;
    }
    let flags: Vec<String> = stages.iter().map(|s| format!("`--stage {s}`")).collect();
    let tables: Vec<String> = stages.iter().map(|s| format!("`[stages.{s}]`")).collect();
    Some(format!(
        "add {} ({} {reason})",
        flags.join(" or "),
        tables.join(", ")
    ))
}

/// The names of `[services.*]` declared in the file (empty without a file).
pub fn service_names(file: Option<&ConfigFile>) -> Vec<String> {
    file.and_then(|f| f.layer.services.as_ref())
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
}

/// The names of `[stages.*]` in the order the file declares them (the
/// promotion order people write: `local`, `staging`, `production`).
pub fn stage_names(file: &ConfigFile) -> Vec<String> {
    let ordered = std::fs::read_to_string(&file.path)
        .ok()
        .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok())
        .and_then(|doc| {
            doc.get("stages")
                .and_then(|s| s.as_table_like())
                .map(|t| t.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>())
        });
    ordered.unwrap_or_else(|| {
        file.layer
            .stages
            .as_ref()
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// Find the file named by `--config` / `MCP_CONFIG`, or walk up to one.
pub fn find(inputs: &Inputs) -> Result<Option<ConfigFile>> {
    let explicit = inputs
        .config
        .clone()
        .or_else(|| inputs.env_var(schema::env::CONFIG).map(PathBuf::from));
    match file::discover(explicit.as_deref(), &inputs.cwd)? {
        Some(path) => Ok(Some(file::load(&path)?)),
        None => Ok(None),
    }
}

/// Like [`find`], but a missing file is an error that says how to make one.
pub fn require(inputs: &Inputs) -> Result<ConfigFile> {
    find(inputs)?.ok_or_else(|| {
        McpError::usage(format!(
            "no {FILE_NAME} in `{}` or any parent directory",
            inputs.cwd.display()
        ))
        .hint("run `mcp init` to write one, or pass --config FILE")
        .into()
    })
}

/// The stage in force: `--stage`, else `MCP_STAGE`.
pub fn selected_stage(inputs: &Inputs) -> Option<String> {
    inputs
        .stage
        .clone()
        .or_else(|| inputs.env_var(schema::env::STAGE).map(str::to_string))
}

/// `[A-Z_][A-Z0-9_]*`, or with `lower` also lowercase letters.
pub fn is_variable_name(name: &str, lower: bool) -> bool {
    let ok = |c: char| c == '_' || c.is_ascii_uppercase() || (lower && c.is_ascii_lowercase());
    name.chars().next().is_some_and(ok) && name.chars().all(|c| ok(c) || c.is_ascii_digit())
}

/// May a bearer token be sent to `url`? Anything but plain `http://` to a host
/// that is not loopback is fine; that one only when `allowed`. The error is the
/// host the token would have crossed the network to.
///
/// Loopback is judged by address (issue 26 item 8): an IP literal as written,
/// a name by what it resolves to, every address loopback. A name is not
/// trusted for its spelling (`evil.localhost` may resolve anywhere).
pub fn token_transport(url: &str, allowed: bool) -> std::result::Result<(), String> {
    token_transport_with(url, allowed, |host, port| {
        use std::net::ToSocketAddrs as _;
        (host, port)
            .to_socket_addrs()
            .map(|addrs| addrs.map(|a| a.ip()).collect())
            .unwrap_or_default()
    })
}

/// `localhost` or a name under it (RFC 6761), in any case.
fn is_localhost_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// [`token_transport`] with the name resolution given.
fn token_transport_with(
    url: &str,
    allowed: bool,
    resolve: impl Fn(&str, u16) -> Vec<std::net::IpAddr>,
) -> std::result::Result<(), String> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        // Not a URL: the check itself reports it.
        return Ok(());
    };
    if allowed || parsed.scheme() != "http" {
        return Ok(());
    }
    let host = parsed.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) if bare.is_empty() => false,
        // Only a name that claims to be this machine is looked up (and must
        // resolve to loopback only): any other name is not loopback, and
        // asking a DNS server about it would send a query off the machine.
        Err(_) if !is_localhost_name(bare) => false,
        Err(_) => {
            let addrs = resolve(bare, parsed.port_or_known_default().unwrap_or(80));
            !addrs.is_empty() && addrs.iter().all(std::net::IpAddr::is_loopback)
        }
    };
    if loopback {
        Ok(())
    } else {
        Err(host.to_string())
    }
}

/// The project name when mcp.toml does not give one: the directory's name.
pub fn default_name(root: &Path) -> String {
    root.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("mcp-server")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
name = "quilt-mcp"
region = "us-east-1"

[ecs]
cluster = "sales-prod"
service = "sales-prod-mcp-server-production"

[deploy]
timeout = "10m"

[env]
LOG_LEVEL = "INFO"
MODE = "prod"

[stages.staging]
ecs = { cluster = "staging", service = "mcp-staging" }
env = { LOG_LEVEL = "DEBUG" }

[services.slack]
ecs = { service = "prod-mcp-slack" }

[stages.staging.services.slack]
ecs = { service = "staging-mcp-slack" }
"#;

    fn file() -> ConfigFile {
        file::parse(Path::new("/p/mcp.toml"), FILE).unwrap()
    }

    fn inputs() -> Inputs {
        Inputs {
            cwd: PathBuf::from("/p"),
            ..Inputs::default()
        }
    }

    fn source_of(settings: &Settings, key: &str) -> String {
        settings
            .entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.source.to_string())
            .unwrap()
    }

    #[test]
    fn file_then_defaults() {
        let s = resolve(Some(&file()), &inputs()).unwrap();
        assert_eq!(s.ecs.cluster.as_deref(), Some("sales-prod"));
        assert_eq!(s.deploy.timeout, Duration::from_secs(600));
        assert_eq!(s.ecr.repository, "quilt-mcp");
        assert_eq!(source_of(&s, "ecr.repository"), "default");
        assert_eq!(source_of(&s, "deploy.timeout"), "/p/mcp.toml");
        assert_eq!(s.build.context, PathBuf::from("/p/."));
    }

    #[test]
    fn stage_overlays_file_and_keeps_other_map_entries() {
        let s = resolve(
            Some(&file()),
            &Inputs {
                stage: Some("staging".into()),
                ..inputs()
            },
        )
        .unwrap();
        assert_eq!(s.ecs.cluster.as_deref(), Some("staging"));
        assert_eq!(s.env["LOG_LEVEL"], "DEBUG");
        assert_eq!(s.env["MODE"], "prod");
        assert_eq!(
            source_of(&s, "env.LOG_LEVEL"),
            "/p/mcp.toml [stages.staging]"
        );
    }

    #[test]
    fn env_beats_stage_and_flag_beats_env() {
        let mut inputs = Inputs {
            stage: Some("staging".into()),
            ..inputs()
        };
        inputs.env.insert("MCP_CLUSTER".into(), "from-env".into());
        let s = resolve(Some(&file()), &inputs).unwrap();
        assert_eq!(s.ecs.cluster.as_deref(), Some("from-env"));
        assert_eq!(source_of(&s, "ecs.cluster"), "env MCP_CLUSTER");
        inputs.flags.push(FlagValue {
            key: "ecs.cluster",
            flag: "--cluster",
            value: "from-flag".into(),
            kind: Kind::Str,
        });
        let s = resolve(Some(&file()), &inputs).unwrap();
        assert_eq!(s.ecs.cluster.as_deref(), Some("from-flag"));
        assert_eq!(source_of(&s, "ecs.cluster"), "flag --cluster");
    }

    #[test]
    fn stage_environment_variable_selects_the_stage() {
        let mut inputs = inputs();
        inputs.env.insert("MCP_STAGE".into(), "staging".into());
        let s = resolve(Some(&file()), &inputs).unwrap();
        assert_eq!(s.stage.as_deref(), Some("staging"));
        assert_eq!(s.ecs.service, "mcp-staging");
    }

    #[test]
    fn services_inherit_and_stage_services_win() {
        let s = resolve(
            Some(&file()),
            &Inputs {
                service: Some("slack".into()),
                ..inputs()
            },
        )
        .unwrap();
        assert_eq!(s.ecs.service, "prod-mcp-slack");
        assert_eq!(s.ecs.cluster.as_deref(), Some("sales-prod"));
        let s = resolve(
            Some(&file()),
            &Inputs {
                service: Some("slack".into()),
                stage: Some("staging".into()),
                ..inputs()
            },
        )
        .unwrap();
        assert_eq!(s.ecs.service, "staging-mcp-slack");
        assert_eq!(s.ecs.cluster.as_deref(), Some("staging"));
    }

    #[test]
    fn bad_override_names_the_variable() {
        let mut inputs = inputs();
        inputs.env.insert("MCP_TIMEOUT".into(), "soon".into());
        let err = resolve(Some(&file()), &inputs).unwrap_err();
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert!(
            mcp.message.starts_with("MCP_TIMEOUT (`deploy.timeout`)"),
            "{}",
            mcp.message
        );
        assert_eq!(mcp.status, crate::error::ExitStatus::Usage);
    }

    fn usage_error(text: &str, stage: Option<&str>) -> McpError {
        let file = file::parse(Path::new("/p/mcp.toml"), text).unwrap();
        let err = resolve(
            Some(&file),
            &Inputs {
                stage: stage.map(str::to_string),
                ..inputs()
            },
        )
        .unwrap_err();
        let mcp = err.downcast_ref::<McpError>().expect("an McpError");
        assert_eq!(mcp.status, crate::error::ExitStatus::Usage);
        McpError {
            status: mcp.status,
            message: mcp.message.clone(),
            hint: mcp.hint.clone(),
        }
    }

    /// Guards issue 16 item 3: a name both plain and secret is refused, naming
    /// both places (here a stage's [env] against the top level's [secrets]).
    #[test]
    fn a_name_in_env_and_secrets_is_refused() {
        let text = "[secrets]\nAPI_KEY = \"arn:aws:secretsmanager:us-east-1:1:secret:k\"\n[stages.dev]\nenv = { API_KEY = \"plain\" }\n";
        let file = file::parse(Path::new("/p/mcp.toml"), text).unwrap();
        assert!(
            resolve(Some(&file), &inputs()).is_ok(),
            "no clash without the stage"
        );
        let err = usage_error(text, Some("dev"));
        assert_eq!(
            err.message,
            "`API_KEY` is declared in both [env] (/p/mcp.toml [stages.dev]) and [secrets] (/p/mcp.toml)"
        );
        assert!(!err.message.contains("plain"));
    }

    /// Guards issue 16 item 5: `.env`'s `=value` line must not meet a secret
    /// with an empty name (Docker would echo `=value` in its error).
    #[test]
    fn secret_and_env_names_are_checked() {
        let err = usage_error("[secrets]\n\"\" = \"arn:aws:ssm:x\"\n", None);
        assert!(
            err.message.starts_with("`secrets.` (/p/mcp.toml)"),
            "{}",
            err.message
        );
        let err = usage_error("[secrets]\n\"A-B\" = \"arn:aws:ssm:x\"\n", None);
        assert!(err.message.contains("`secrets.A-B`"), "{}", err.message);
        let err = usage_error("[env]\n\"A=B\" = \"1\"\n", None);
        assert!(err.message.contains("`env.A=B`"), "{}", err.message);
    }

    /// Guards issue 16 item 5: a token pasted where its variable's name belongs
    /// is refused without being echoed.
    #[test]
    fn auth_token_env_must_be_a_variable_name_and_is_not_echoed() {
        let token = "eyJhbGciOiJIUzI1NiJ9.secret-part";
        let err = usage_error(&format!("[deploy]\nauth_token_env = \"{token}\"\n"), None);
        assert!(
            err.message
                .contains("`deploy.auth_token_env` (/p/mcp.toml)"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("eyJ") && !err.hint.unwrap().contains("eyJ"));
        let ok = file::parse(
            Path::new("/p/mcp.toml"),
            "[deploy]\nauth_token_env = \"MCP_TOKEN_2\"\n",
        )
        .unwrap();
        assert!(resolve(Some(&ok), &inputs()).is_ok());
    }

    /// Guards issue 26 item 3: a credential of the machine's own (AWS keys, the
    /// GitHub token, the Actions runtime) is not sent as a bearer token or a
    /// client secret unless whoever runs mcp allows that variable by name in
    /// `MCP_ALLOW_CREDENTIAL_ENV`; the error names the host it would have gone to.
    #[test]
    fn well_known_credentials_are_not_sent_as_tokens() {
        let url = "url = \"https://attacker.example/mcp\"\n";
        let allowing = |names: &str| Inputs {
            env: [(
                schema::env::ALLOW_CREDENTIAL_ENV.to_string(),
                names.to_string(),
            )]
            .into(),
            ..inputs()
        };
        for var in [
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "GITHUB_TOKEN",
            "ACTIONS_RUNTIME_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "MINIO_SECRET_ACCESS_KEY",
        ] {
            let err = usage_error(
                &format!("[deploy]\n{url}auth_token_env = \"{var}\"\n"),
                None,
            );
            assert!(
                err.message.contains(&format!(
                    "`deploy.auth_token_env` (/p/mcp.toml) names {var}"
                )) && err.message.contains("`attacker.example`"),
                "{}",
                err.message
            );
            assert!(
                err.hint
                    .unwrap()
                    .contains(&format!("MCP_ALLOW_CREDENTIAL_ENV={var}"))
            );
            let err = usage_error(
                &format!(
                    "[deploy]\n{url}auth = {{ client_id = \"c\", client_secret_env = \"{var}\" }}\n"
                ),
                None,
            );
            assert!(
                err.message
                    .contains("`deploy.auth.client_secret_env` (/p/mcp.toml)"),
                "{}",
                err.message
            );
            let text = format!("[deploy]\n{url}auth_token_env = \"{var}\"\n");
            let file = file::parse(Path::new("/p/mcp.toml"), &text).unwrap();
            let allowed = allowing(&format!("GH_TOKEN, {var}"));
            assert!(resolve(Some(&file), &allowed).is_ok(), "{var}");
        }
        // Allowing one variable does not allow another.
        let text = format!("[deploy]\n{url}auth_token_env = \"GITHUB_TOKEN\"\n");
        let file = file::parse(Path::new("/p/mcp.toml"), &text).unwrap();
        let err = resolve(Some(&file), &allowing("GH_TOKEN")).unwrap_err();
        assert!(err.to_string().contains("names GITHUB_TOKEN"), "{err}");
        for var in ["MCP_TOKEN", "MY_SERVER_TOKEN", "AWSOME_TOKEN"] {
            let text = format!("[deploy]\n{url}auth_token_env = \"{var}\"\n");
            let file = file::parse(Path::new("/p/mcp.toml"), &text).unwrap();
            assert!(resolve(Some(&file), &inputs()).is_ok(), "{var}");
        }
    }

    /// Guards issue 26 item 3 (follow-up): mcp.toml comes with the code a pull
    /// request changes, so its `deploy.allow_credential_env` let the PR's
    /// author allow the machine's AWS key out as a token. The file's key is
    /// refused, in any layer, naming the variable to use instead.
    #[test]
    fn the_file_cannot_allow_credentials_out() {
        for (text, stage) in [
            (
                "[deploy]\nauth_token_env = \"AWS_SECRET_ACCESS_KEY\"\nallow_credential_env = [\"AWS_SECRET_ACCESS_KEY\"]\n",
                None,
            ),
            ("[deploy]\nallow_credential_env = []\n", None),
            (
                "[stages.ci.deploy]\nallow_credential_env = [\"GITHUB_TOKEN\"]\n",
                Some("ci"),
            ),
        ] {
            let err = usage_error(text, stage);
            assert!(
                err.message
                    .starts_with("`deploy.allow_credential_env` (/p/mcp.toml")
                    && err.message.contains("is not read from mcp.toml"),
                "{}",
                err.message
            );
            assert!(
                err.hint
                    .as_deref()
                    .unwrap()
                    .contains("MCP_ALLOW_CREDENTIAL_ENV=NAME[,NAME]"),
                "{:?}",
                err.hint
            );
        }
    }

    /// Guards issue 16 item 5: a token never goes over plain http to another
    /// host unless the file says the network is trusted.
    #[test]
    fn a_token_over_plain_http_needs_loopback_or_an_opt_in() {
        let base = "[deploy]\nauth_token_env = \"MCP_TOKEN\"\n";
        let err = usage_error(
            &format!("{base}url = \"http://user:pw@mcp.example.com/mcp\"\n"),
            None,
        );
        assert!(
            err.message.contains("plain http:// to `mcp.example.com`"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("pw"), "{}", err.message);
        assert!(
            err.hint
                .unwrap()
                .contains("deploy.allow_insecure_http = true")
        );
        for url in [
            "https://mcp.example.com/mcp",
            "http://127.0.0.1:8000/mcp",
            "http://[::1]:8000/mcp",
            "http://localhost:8000/mcp",
        ] {
            let text = format!("{base}url = \"{url}\"\n");
            let file = file::parse(Path::new("/p/mcp.toml"), &text).unwrap();
            assert!(resolve(Some(&file), &inputs()).is_ok(), "{url}");
        }
        let text = format!("{base}url = \"http://mcp.internal/mcp\"\nallow_insecure_http = true\n");
        let file = file::parse(Path::new("/p/mcp.toml"), &text).unwrap();
        assert!(
            resolve(Some(&file), &inputs())
                .unwrap()
                .deploy
                .allow_insecure_http
        );
        // Without a token there is nothing to protect.
        let file = file::parse(
            Path::new("/p/mcp.toml"),
            "[deploy]\nurl = \"http://mcp.internal/mcp\"\n",
        )
        .unwrap();
        assert!(resolve(Some(&file), &inputs()).is_ok());
    }

    /// Guards issue 26 item 8: plain http "to loopback" is judged by the
    /// address a name resolves to, not by its spelling.
    #[test]
    fn loopback_is_judged_by_resolved_address() {
        use std::net::IpAddr;
        let resolve = |host: &str, _port: u16| -> Vec<IpAddr> {
            match host {
                "evil.localhost" => vec!["203.0.113.7".parse().unwrap()],
                "split.localhost" => {
                    vec!["127.0.0.1".parse().unwrap(), "203.0.113.7".parse().unwrap()]
                }
                "box.localhost" => vec!["::1".parse().unwrap()],
                "unresolved.localhost" => vec![],
                // No other name is looked up: a DNS query would leave the machine.
                other => panic!("{other} was looked up"),
            }
        };
        for url in [
            "http://evil.localhost:8000/mcp",
            "http://split.localhost/mcp",
            "http://unresolved.localhost/mcp",
        ] {
            assert!(token_transport_with(url, false, resolve).is_err(), "{url}");
        }
        assert!(token_transport_with("http://box.localhost/mcp", false, resolve).is_ok());
        assert!(token_transport_with("http://mcp.internal/mcp", false, resolve).is_err());
        assert!(token_transport_with("http://127.0.0.2/mcp", false, resolve).is_ok());
        // The real resolver: `localhost` is loopback (from /etc/hosts).
        assert!(token_transport("http://localhost:8000/mcp", false).is_ok());
    }

    /// The MCP gate sends the bearer token to `deploy.test_url`: the same rule.
    #[test]
    fn a_token_over_plain_http_to_the_test_listener_needs_loopback_or_an_opt_in() {
        let base =
            "[deploy]\nauth_token_env = \"MCP_TOKEN\"\nurl = \"https://mcp.example.com/mcp\"\n";
        let err = usage_error(
            &format!("{base}test_url = \"http://mcp.example.com:8443/mcp\"\n"),
            None,
        );
        assert!(
            err.message.contains("`deploy.test_url`")
                && err.message.contains("plain http:// to `mcp.example.com`"),
            "{}",
            err.message
        );
        for extra in [
            "test_url = \"https://mcp.example.com:8443/mcp\"\n",
            "test_url = \"http://127.0.0.1:8443/mcp\"\n",
            "test_url = \"http://mcp.internal:8443/mcp\"\nallow_insecure_http = true\n",
        ] {
            let file = file::parse(Path::new("/p/mcp.toml"), &format!("{base}{extra}")).unwrap();
            assert!(resolve(Some(&file), &inputs()).is_ok(), "{extra}");
        }
    }

    #[test]
    fn unknown_stage_lists_the_known_ones() {
        let err = resolve(
            Some(&file()),
            &Inputs {
                stage: Some("prod".into()),
                ..inputs()
            },
        )
        .unwrap_err();
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert_eq!(mcp.message, "unknown stage `prod`");
        assert!(mcp.hint.as_ref().unwrap().contains("`staging`"));
    }
    /// Guards against a machine-wide adapter mirror breaking the stages that do not deploy to Lambda.
    #[test]
    fn lambda_adapter_image_from_the_environment_serves_lambda_stages_only() {
        let file = file::parse(
            Path::new("/p/mcp.toml"),
            "name = \"x\"\n\n[stages.fn]\ntarget = \"lambda\"\n",
        )
        .unwrap();
        let mut inputs = inputs();
        inputs.env.insert(
            schema::env::LAMBDA_ADAPTER_IMAGE.into(),
            "mirror.example/lwa:0.9.1".into(),
        );
        assert_eq!(
            resolve(Some(&file), &inputs).unwrap().target,
            TargetKind::Ecs
        );
        inputs.stage = Some("fn".into());
        let s = resolve(Some(&file), &inputs).unwrap();
        assert_eq!(s.lambda.adapter_image, "mirror.example/lwa:0.9.1");
        assert_eq!(
            source_of(&s, "lambda.adapter_image"),
            "env MCP_LAMBDA_ADAPTER_IMAGE"
        );
        inputs.env.clear();
        assert_eq!(
            resolve(Some(&file), &inputs).unwrap().lambda.adapter_image,
            LAMBDA_ADAPTER_IMAGE
        );
    }

    /// `[ecs]` beside `target = "lambda"` in the same table is refused naming the key;
    /// the file's `[ecs]` under a stage that deploys to Lambda is shared; `[lambda]` in an ECS stage is refused.
    #[test]
    fn keys_of_another_target_are_refused_where_the_target_is_set() {
        let text = "name = \"x\"\n[ecs]\ncluster = \"c\"\n\n[stages.fn]\ntarget = \"lambda\"\n\n\
                    [stages.bad]\ntarget = \"lambda\"\necs = { service = \"s\" }\n\n\
                    [stages.ecs]\nlambda = { memory = 256 }\n";
        let file = file::parse(Path::new("/p/mcp.toml"), text).unwrap();
        let mut inputs = inputs();
        inputs.stage = Some("fn".into());
        let settings = resolve(Some(&file), &inputs).unwrap();
        assert_eq!(settings.target, TargetKind::Lambda);
        assert_eq!(settings.lambda.function, "x");
        assert_eq!(settings.build.platform, "linux/amd64");
        inputs.stage = Some("bad".into());
        let err = resolve(Some(&file), &inputs).unwrap_err().to_string();
        assert!(
            err.contains("`ecs.service`") && err.contains("Lambda"),
            "{err}"
        );
        inputs.stage = Some("ecs".into());
        let err = resolve(Some(&file), &inputs).unwrap_err().to_string();
        assert!(
            err.contains("`lambda.memory`") && err.contains("ECS"),
            "{err}"
        );
    }
}
