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
pub mod schema;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

pub use file::{ConfigFile, FILE_NAME};
pub use schema::{Kind, Layer, RollbackPolicy, TargetKind};

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

    fn env_var(&self, name: &str) -> Option<&str> {
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

#[derive(Debug, Clone, Serialize)]
pub struct DeploySettings {
    #[serde(serialize_with = "as_seconds")]
    pub timeout: Duration,
    pub rollback: RollbackPolicy,
    pub url: Option<String>,
    pub health_path: String,
    pub port: u16,
    pub auth_token_env: Option<String>,
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
    pub deploy: DeploySettings,
    pub env: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub secrets_prefix: Option<String>,
    #[serde(skip)]
    pub entries: Vec<Entry>,
}

impl Settings {
    /// The ECS cluster, or a configuration error that says how to set it.
    pub fn cluster(&self) -> Result<&str> {
        self.ecs.cluster.as_deref().ok_or_else(|| {
            McpError::usage("no ECS cluster configured (`ecs.cluster`)")
                .hint(format!(
                    "add `[ecs] cluster = \"…\"` to {FILE_NAME}, set {}, or pass --cluster",
                    schema::env::CLUSTER
                ))
                .into()
        })
    }
}

type Path_ = Vec<String>;

/// Flatten a table into leaf paths. Maps (`env`, `secrets`, `build.args`) flatten
/// to their entries, so a stage can override one variable and keep the rest.
fn flatten(prefix: &mut Path_, table: &toml::Table, out: &mut Vec<(Path_, toml::Value)>) {
    for (key, value) in table {
        if prefix.is_empty() && (key == "stages" || key == "services") {
            continue;
        }
        prefix.push(key.clone());
        match value {
            toml::Value::Table(inner) => flatten(prefix, inner, out),
            other => out.push((prefix.clone(), other.clone())),
        }
        prefix.pop();
    }
}

fn insert(table: &mut toml::Table, path: &[String], value: toml::Value) {
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut current = table;
    for key in parents {
        current = current
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .expect("schema keeps tables and values apart");
    }
    current.insert(last.clone(), value);
}

fn sub_table<'a>(table: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Table> {
    let mut current = table;
    for key in path {
        current = current.get(*key)?.as_table()?;
    }
    Some(current)
}

/// Turn a string from the environment or a flag into the TOML value its key takes.
fn typed(value: &str, kind: Kind, origin: &str) -> Result<toml::Value> {
    Ok(match kind {
        Kind::Str => toml::Value::String(value.to_string()),
        Kind::Bool => match value {
            "true" | "1" | "yes" => toml::Value::Boolean(true),
            "false" | "0" | "no" => toml::Value::Boolean(false),
            _ => {
                return Err(McpError::usage(format!(
                    "{origin}: expected true or false, got `{value}`"
                ))
                .into());
            }
        },
        Kind::Int => toml::Value::Integer(value.parse().map_err(|_| {
            McpError::usage(format!("{origin}: expected a whole number, got `{value}`"))
        })?),
    })
}

/// Check a single overridden value against the schema, naming where it came from.
fn check_override(path: &[String], value: &toml::Value, origin: &str) -> Result<()> {
    let mut table = toml::Table::new();
    insert(&mut table, path, value.clone());
    let text = toml::to_string(&table).expect("a table of plain values serialises");
    toml::from_str::<Layer>(&text).map_err(|e| {
        let message = e.message().trim().to_string();
        let hint = message
            .split_once(": write a number")
            .map(|(_, rest)| format!("write a number{rest}"))
            .or_else(|| {
                message
                    .split_once(", expected ")
                    .map(|(_, expected)| format!("expected {expected}"))
            });
        let message = message
            .split(": write a number")
            .next()
            .unwrap_or(&message)
            .to_string();
        let mut err = McpError::usage(format!("{origin} (`{}`): {message}", path.join(".")));
        if let Some(hint) = hint {
            err = err.hint(hint);
        }
        err
    })?;
    Ok(())
}

/// The names of `[services.*]` declared in the file (empty without a file).
pub fn service_names(file: Option<&ConfigFile>) -> Vec<String> {
    file.and_then(|f| f.layer.services.as_ref())
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
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

/// Resolve settings from `file` (if any) and `inputs`.
pub fn resolve(file: Option<&ConfigFile>, inputs: &Inputs) -> Result<Settings> {
    let stage = selected_stage(inputs);
    let service = inputs.service.clone();

    // Layers, lowest precedence first, each a list of (path, value, source).
    let mut layers: Vec<(Vec<(Path_, toml::Value)>, Source)> = Vec::new();
    if let Some(file) = file {
        let mut leaves = Vec::new();
        flatten(&mut Vec::new(), &file.table, &mut leaves);
        layers.push((leaves, Source::File(file.path.clone())));

        if let Some(name) = &service {
            let table = sub_table(&file.table, &["services", name])
                .ok_or_else(|| unknown_service(file, name))?;
            let mut leaves = Vec::new();
            flatten(&mut Vec::new(), table, &mut leaves);
            layers.push((
                leaves,
                Source::Service {
                    name: name.clone(),
                    file: file.path.clone(),
                },
            ));
        }
        if let Some(stage_name) = &stage {
            let table = sub_table(&file.table, &["stages", stage_name])
                .ok_or_else(|| unknown_stage(file, stage_name))?;
            let mut leaves = Vec::new();
            flatten(&mut Vec::new(), table, &mut leaves);
            layers.push((
                leaves,
                Source::Stage {
                    name: stage_name.clone(),
                    file: file.path.clone(),
                },
            ));
            if let Some(name) = &service
                && let Some(table) = sub_table(table, &["services", name])
            {
                let mut leaves = Vec::new();
                flatten(&mut Vec::new(), table, &mut leaves);
                layers.push((
                    leaves,
                    Source::StageService {
                        stage: stage_name.clone(),
                        service: name.clone(),
                        file: file.path.clone(),
                    },
                ));
            }
        }
    } else if let Some(stage_name) = &stage {
        return Err(McpError::usage(format!(
            "stage `{stage_name}` was selected but there is no {FILE_NAME}"
        ))
        .hint("run `mcp init`, or drop --stage / MCP_STAGE")
        .into());
    } else if let Some(name) = &service {
        return Err(McpError::usage(format!(
            "service `{name}` was named but there is no {FILE_NAME}"
        ))
        .into());
    }

    for (var, key, kind) in schema::ENV_OVERRIDES {
        if let Some(raw) = inputs.env_var(var) {
            let path: Path_ = key.split('.').map(str::to_string).collect();
            let value = typed(raw, *kind, var)?;
            check_override(&path, &value, var)?;
            layers.push((vec![(path, value)], Source::Env(var)));
        }
    }
    for flag in &inputs.flags {
        let path: Path_ = flag.key.split('.').map(str::to_string).collect();
        let value = typed(&flag.value, flag.kind, flag.flag)?;
        check_override(&path, &value, flag.flag)?;
        layers.push((vec![(path, value)], Source::Flag(flag.flag)));
    }

    // Merge: later layers win, key by key.
    let mut merged: BTreeMap<Path_, (toml::Value, Source)> = BTreeMap::new();
    for (leaves, source) in layers {
        for (path, value) in leaves {
            merged.insert(path, (value, source.clone()));
        }
    }

    // Defaults, some derived from the project name.
    let root = file
        .map(|f| f.dir.clone())
        .unwrap_or_else(|| inputs.cwd.clone());
    let name = match merged.get(&vec!["name".to_string()]) {
        Some((toml::Value::String(name), _)) => name.clone(),
        _ => default_name(&root),
    };
    let defaults: [(&str, toml::Value); 12] = [
        ("name", name.clone().into()),
        ("target", "ecs".into()),
        ("build.context", ".".into()),
        ("build.dockerfile", "Dockerfile".into()),
        ("build.platform", "linux/amd64".into()),
        ("build.tag", "{git_sha}".into()),
        ("ecr.repository", name.clone().into()),
        ("ecr.create", false.into()),
        ("ecs.service", name.clone().into()),
        ("deploy.timeout", "15m".into()),
        ("deploy.rollback", "auto".into()),
        ("deploy.health_path", "/healthz".into()),
    ];
    let defaults = defaults
        .into_iter()
        .chain([("deploy.port", toml::Value::Integer(8000))]);
    for (key, value) in defaults {
        let path: Path_ = key.split('.').map(str::to_string).collect();
        merged.entry(path).or_insert((value, Source::Default));
    }

    let mut table = toml::Table::new();
    for (path, (value, _)) in &merged {
        insert(&mut table, path, value.clone());
    }
    let text = toml::to_string(&table).expect("a table of plain values serialises");
    let layer: Layer = toml::from_str(&text).map_err(|e| {
        McpError::usage(format!(
            "resolved settings are invalid: {}",
            e.message().trim()
        ))
    })?;

    // `[secrets]` holds references; a pasted value would end up in output and
    // in the task definition. The error names the key, never the value.
    for (name, reference) in layer.secrets.iter().flatten() {
        if !(reference.starts_with("arn:") || reference.starts_with('/')) {
            return Err(McpError::usage(format!("`secrets.{name}` is not a Secrets Manager or SSM reference"))
                .hint("write the secret's ARN (arn:aws:secretsmanager:…, arn:aws:ssm:…) or an SSM parameter path (/prod/mcp/…), never its value; `mcp secrets set` stores a value and writes the ARN")
                .into());
        }
    }

    let entries = merged
        .into_iter()
        .map(|(path, (value, source))| Entry {
            key: path.join("."),
            value,
            source,
        })
        .collect();
    Ok(typed_settings(
        layer,
        entries,
        root,
        stage,
        service,
        file.map(|f| f.path.clone()),
    ))
}

fn typed_settings(
    layer: Layer,
    entries: Vec<Entry>,
    root: PathBuf,
    stage: Option<String>,
    service: Option<String>,
    config_file: Option<PathBuf>,
) -> Settings {
    // Every default was filled in above, so the `unwrap_or_default`s below never pick a value.
    let build = layer.build.unwrap_or_default();
    let ecr = layer.ecr.unwrap_or_default();
    let ecs = layer.ecs.unwrap_or_default();
    let deploy = layer.deploy.unwrap_or_default();
    Settings {
        name: layer.name.unwrap_or_default(),
        region: layer.region,
        profile: layer.profile,
        target: layer.target.unwrap_or_default(),
        stage,
        service,
        config_file,
        build: BuildSettings {
            context: root.join(build.context.unwrap_or_default()),
            dockerfile: PathBuf::from(build.dockerfile.unwrap_or_default()),
            platform: build.platform.unwrap_or_default(),
            target: build.target,
            args: build.args.unwrap_or_default(),
            tag: build.tag.unwrap_or_default(),
        },
        ecr: EcrSettings {
            repository: ecr.repository.unwrap_or_default(),
            create: ecr.create.unwrap_or_default(),
        },
        ecs: EcsSettings {
            cluster: ecs.cluster,
            service: ecs.service.unwrap_or_default(),
            container: ecs.container,
            express: ecs.express.unwrap_or_default(),
            express_settings: ExpressSettings {
                cpu: ecs.cpu,
                memory: ecs.memory,
                min_tasks: ecs.min_tasks,
                max_tasks: ecs.max_tasks,
                execution_role: ecs.execution_role,
                infrastructure_role: ecs.infrastructure_role,
            },
        },
        deploy: DeploySettings {
            timeout: deploy.timeout.map(|t| t.duration).unwrap_or_default(),
            rollback: deploy.rollback.unwrap_or_default(),
            url: deploy.url,
            health_path: deploy.health_path.unwrap_or_default(),
            port: deploy.port.unwrap_or_default(),
            auth_token_env: deploy.auth_token_env,
        },
        env: layer.env.unwrap_or_default(),
        secrets: layer.secrets.unwrap_or_default(),
        secrets_prefix: layer.secrets_prefix,
        entries,
    }
}

/// The project name when mcp.toml does not give one: the directory's name.
pub fn default_name(root: &Path) -> String {
    root.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("mcp-server")
        .to_string()
}

fn unknown_stage(file: &ConfigFile, stage: &str) -> anyhow::Error {
    let known: Vec<String> = file
        .layer
        .stages
        .iter()
        .flatten()
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    let hint = if known.is_empty() {
        format!(
            "{} declares no stages; add a `[stages.{stage}]` table",
            file.path.display()
        )
    } else {
        format!("stages in {}: {}", file.path.display(), known.join(", "))
    };
    McpError::usage(format!("unknown stage `{stage}`"))
        .hint(hint)
        .into()
}

fn unknown_service(file: &ConfigFile, service: &str) -> anyhow::Error {
    let known: Vec<String> = service_names(Some(file))
        .iter()
        .map(|k| format!("`{k}`"))
        .collect();
    let hint = if known.is_empty() {
        format!(
            "{} declares no services; add a `[services.{service}]` table",
            file.path.display()
        )
    } else {
        format!("services in {}: {}", file.path.display(), known.join(", "))
    };
    McpError::usage(format!("unknown service `{service}`"))
        .hint(hint)
        .into()
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
}
