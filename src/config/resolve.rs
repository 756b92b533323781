//! Resolution, step by step: the file's layers (top level, service, stage,
//! stage's service), then `MCP_*` variables and flags, each checked against
//! the schema as it comes in; merged key by key with later layers winning;
//! defaults filled in; the merged table checked as a whole; `[secrets]`
//! checked to hold references; and the typed [`Settings`] built, keeping
//! where each value came from for `mcp config`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use super::schema::{self, Kind, Layer, TargetKind};
use super::{
    BuildSettings, ConfigFile, DeploySettings, EcrSettings, EcsSettings, Entry, ExpressSettings,
    FILE_NAME, Inputs, ProgressiveSettings, Settings, Source, default_name, is_variable_name,
    selected_stage, service_names, token_transport,
};
use crate::error::McpError;

/// A key's path: `["ecs", "cluster"]`.
type Path_ = Vec<String>;

/// One layer of values, and where they came from.
type Leaves = (Vec<(Path_, toml::Value)>, Source);

/// Every key, its value and where it came from, after merging.
type Merged = BTreeMap<Path_, (toml::Value, Source)>;

/// Resolve settings from `file` (if any) and `inputs`.
pub fn resolve(file: Option<&ConfigFile>, inputs: &Inputs) -> Result<Settings> {
    let stage = selected_stage(inputs);
    let service = inputs.service.clone();

    // Layers, lowest precedence first.
    let mut layers = match file {
        Some(file) => file_layers(file, stage.as_deref(), service.as_deref())?,
        None => {
            refuse_without_file(stage.as_deref(), service.as_deref())?;
            Vec::new()
        }
    };
    layers.extend(override_layers(inputs)?);
    let mut merged = merge(layers);

    let root = file
        .map(|f| f.dir.clone())
        .unwrap_or_else(|| inputs.cwd.clone());
    fill_defaults(&mut merged, &root);
    let layer = check_merged(&merged)?;
    check_secret_references(&layer)?;
    let allowed = allowed_credential_env(&merged, inputs)?;
    check_names(&layer, &merged, &allowed)?;
    super::targets::check_target_keys(&layer, &merged)?;

    let entries = merged
        .into_iter()
        .map(|(path, (value, source))| Entry {
            key: path.join("."),
            value,
            source,
        })
        .collect();
    let mut settings = typed_settings(
        layer,
        entries,
        root,
        stage,
        service,
        file.map(|f| f.path.clone()),
    );
    settings.declared_stages = file
        .and_then(|f| sub_table(&f.table, &["stages"]))
        .map(|stages| {
            stages
                .iter()
                .filter_map(|(name, table)| Some((name.clone(), table.as_table()?.clone())))
                .collect()
        })
        .unwrap_or_default();
    Ok(settings)
}

/// The leaves of one table of the file.
fn leaves_of(table: &toml::Table, source: Source) -> Leaves {
    let mut leaves = Vec::new();
    flatten(&mut Vec::new(), table, &mut leaves);
    (leaves, source)
}

/// The file's layers: top level, `[services.<service>]`, `[stages.<stage>]`,
/// `[stages.<stage>.services.<service>]`. A named stage or service the file
/// does not declare is an error that lists the ones it does.
fn file_layers(
    file: &ConfigFile,
    stage: Option<&str>,
    service: Option<&str>,
) -> Result<Vec<Leaves>> {
    let path = || file.path.clone();
    let mut layers = vec![leaves_of(&file.table, Source::File(path()))];
    if let Some(name) = service {
        let table = sub_table(&file.table, &["services", name])
            .ok_or_else(|| unknown_service(file, name))?;
        let source = Source::Service {
            name: name.to_string(),
            file: path(),
        };
        layers.push(leaves_of(table, source));
    }
    if let Some(stage_name) = stage {
        let table = sub_table(&file.table, &["stages", stage_name])
            .ok_or_else(|| unknown_stage(file, stage_name))?;
        let source = Source::Stage {
            name: stage_name.to_string(),
            file: path(),
        };
        layers.push(leaves_of(table, source));
        if let Some(name) = service
            && let Some(table) = sub_table(table, &["services", name])
        {
            let source = Source::StageService {
                stage: stage_name.to_string(),
                service: name.to_string(),
                file: path(),
            };
            layers.push(leaves_of(table, source));
        }
    }
    Ok(layers)
}

/// A stage or a service named without a file to declare it.
fn refuse_without_file(stage: Option<&str>, service: Option<&str>) -> Result<()> {
    if let Some(stage_name) = stage {
        return Err(McpError::usage(format!(
            "stage `{stage_name}` was selected but there is no {FILE_NAME}"
        ))
        .hint("run `mcp init`, or drop --stage / MCP_STAGE")
        .into());
    }
    if let Some(name) = service {
        return Err(McpError::usage(format!(
            "service `{name}` was named but there is no {FILE_NAME}"
        ))
        .into());
    }
    Ok(())
}

/// `MCP_*` variables, then flags: one layer per value, each checked against
/// the schema with its origin named.
fn override_layers(inputs: &Inputs) -> Result<Vec<Leaves>> {
    let mut layers = Vec::new();
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
    Ok(layers)
}

/// Later layers win, key by key.
fn merge(layers: Vec<Leaves>) -> Merged {
    let mut merged = Merged::new();
    for (leaves, source) in layers {
        for (path, value) in leaves {
            merged.insert(path, (value, source.clone()));
        }
    }
    merged
}

/// Defaults for keys no layer set, some derived from the project name.
fn fill_defaults(merged: &mut Merged, root: &std::path::Path) {
    let name = match merged.get(&vec!["name".to_string()]) {
        Some((toml::Value::String(name), _)) => name.clone(),
        _ => default_name(root),
    };
    let defaults: [(&str, toml::Value); 13] = [
        ("name", name.clone().into()),
        ("target", "ecs".into()),
        ("build.context", ".".into()),
        ("build.dockerfile", "Dockerfile".into()),
        ("build.platform", "linux/amd64".into()),
        ("build.tag", "{git_sha}".into()),
        ("ecr.repository", name.clone().into()),
        ("ecr.create", false.into()),
        ("ecs.service", name.into()),
        ("deploy.timeout", "15m".into()),
        ("deploy.rollback", "auto".into()),
        ("deploy.health_path", "/healthz".into()),
        ("deploy.port", toml::Value::Integer(8000)),
    ];
    for (key, value) in defaults {
        let path: Path_ = key.split('.').map(str::to_string).collect();
        merged.entry(path).or_insert((value, Source::Default));
    }
}

/// The merged table, checked against the same strict schema as the file.
fn check_merged(merged: &Merged) -> Result<Layer> {
    let mut table = toml::Table::new();
    for (path, (value, _)) in merged {
        insert(&mut table, path, value.clone());
    }
    let text = toml::to_string(&table).expect("a table of plain values serialises");
    toml::from_str(&text).map_err(|e| {
        McpError::usage(format!(
            "resolved settings are invalid: {}",
            e.message().trim()
        ))
        .into()
    })
}

/// `[secrets]` holds references; a pasted value would end up in output and
/// in the task definition. The error names the key, never the value.
fn check_secret_references(layer: &Layer) -> Result<()> {
    for (name, reference) in layer.secrets.iter().flatten() {
        if !(reference.starts_with("arn:") || reference.starts_with('/')) {
            return Err(McpError::usage(format!("`secrets.{name}` is not a Secrets Manager or SSM reference"))
                .hint("write the secret's ARN (arn:aws:secretsmanager:…, arn:aws:ssm:…) or an SSM parameter path (/prod/mcp/…), never its value; `mcp secrets set` stores a value and writes the ARN")
                .into());
        }
    }
    Ok(())
}

/// Where `key` was set, for errors that point at the file (or flag) to fix.
fn source_of(merged: &Merged, key: &[&str]) -> String {
    let path: Path_ = key.iter().map(|k| (*k).to_string()).collect();
    merged
        .get(&path)
        .map_or_else(|| "default".to_string(), |(_, source)| source.to_string())
}

/// Names that become environment variables in the container, and the token's
/// variable: checked once resolved, naming the key and where it was set, and
/// never echoing a value (a pasted token, a secret).
fn check_names(layer: &Layer, merged: &Merged, allowed: &[String]) -> Result<()> {
    let env = layer.env.as_ref();
    let secrets = layer.secrets.as_ref();
    for name in env.into_iter().flat_map(|e| e.keys()) {
        if name.is_empty() || name.contains('=') || name.chars().any(char::is_control) {
            return Err(McpError::usage(format!(
                "`env.{}` ({}) is not an environment variable name",
                name.escape_debug(),
                source_of(merged, &["env", name])
            ))
            .hint("a name is not empty and holds no `=` or control characters, e.g. LOG_LEVEL")
            .into());
        }
    }
    for name in secrets.into_iter().flat_map(|s| s.keys()) {
        if !is_variable_name(name, true) {
            return Err(McpError::usage(format!(
                "`secrets.{}` ({}) is not a valid secret name",
                name.escape_debug(),
                source_of(merged, &["secrets", name])
            ))
            .hint("the name becomes an environment variable in the container: letters, digits and `_`, not starting with a digit, e.g. API_KEY")
            .into());
        }
        if env.is_some_and(|e| e.contains_key(name)) {
            return Err(McpError::usage(format!(
                "`{name}` is declared in both [env] ({}) and [secrets] ({})",
                source_of(merged, &["env", name]),
                source_of(merged, &["secrets", name])
            ))
            .hint(format!(
                "a value is plain or secret, not both: remove `{name}` from [env] (its value would be readable in every task definition revision)"
            ))
            .into());
        }
    }
    let deploy = layer.deploy.as_ref();
    let token_env = deploy.and_then(|d| d.auth_token_env.as_deref());
    if let Some(var) = token_env {
        if !is_variable_name(var, false) {
            // Not echoed: what was pasted here may be the token itself.
            return Err(McpError::usage(format!(
                "`deploy.auth_token_env` ({}) is not the name of an environment variable",
                source_of(merged, &["deploy", "auth_token_env"])
            ))
            .hint("write the variable's name (A-Z, 0-9 and `_`, e.g. MCP_AUTH_TOKEN) and export the token in it; the value given is not shown in case it is the token")
            .into());
        }
        credential_as_token(merged, deploy, allowed, &["deploy", "auth_token_env"], var)?;
        encrypted_token_urls(merged, deploy, &format!("the bearer token from {var}"))?;
    }
    if let Some(auth) = deploy.and_then(|d| d.auth.as_ref()) {
        let at = |key: &str| source_of(merged, &["deploy", "auth", key]);
        for (key, value) in [
            ("client_id", &auth.client_id),
            ("client_secret_env", &auth.client_secret_env),
        ] {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                return Err(McpError::usage(format!(
                    "`deploy.auth` ({}) has no `{key}`",
                    source_of(merged, &["deploy", "auth"])
                ))
                .hint("write `auth = { client_id = \"…\", client_secret_env = \"VARIABLE\" }`: the OAuth client's id, and the name of the environment variable holding its secret")
                .into());
            }
        }
        if !auth
            .client_secret_env
            .as_deref()
            .is_some_and(|v| is_variable_name(v, false))
        {
            // Not echoed: what was pasted here may be the secret itself.
            return Err(McpError::usage(format!(
                "`deploy.auth.client_secret_env` ({}) is not the name of an environment variable",
                at("client_secret_env")
            ))
            .hint("write the variable's name (A-Z, 0-9 and `_`, e.g. MCP_CLIENT_SECRET) and export the secret in it; the value given is not shown in case it is the secret")
            .into());
        }
        if let Some(var) = auth.client_secret_env.as_deref() {
            credential_as_token(
                merged,
                deploy,
                allowed,
                &["deploy", "auth", "client_secret_env"],
                var,
            )?;
        }
        encrypted_token_urls(merged, deploy, "the OAuth token from `deploy.auth`")?;
    }
    Ok(())
}

/// Is `var` one of the machine's own credentials, which a command run on a
/// pull request's checkout (`mcp check`) must not send to the server its
/// mcp.toml names? Cloud keys, CI and registry tokens (issue 26 item 3).
pub fn is_credential_variable(var: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "AWS_",
        "ACTIONS_",
        "AZURE_",
        "ARM_CLIENT_",
        "GOOGLE_",
        "GCLOUD_",
        "CLOUDSDK_",
        "DOCKER_",
        "RUNNER_",
        "VAULT_",
    ];
    const NAMES: &[&str] = &[
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GH_ENTERPRISE_TOKEN",
        "GITLAB_TOKEN",
        "CI_JOB_TOKEN",
        "CI_JOB_JWT",
        "NPM_TOKEN",
        "NODE_AUTH_TOKEN",
        "CARGO_REGISTRY_TOKEN",
        "PYPI_TOKEN",
        "TWINE_PASSWORD",
        "UV_PUBLISH_TOKEN",
        "HEROKU_API_KEY",
        "DIGITALOCEAN_ACCESS_TOKEN",
        "CLOUDFLARE_API_TOKEN",
        "SSH_AUTH_SOCK",
    ];
    const SUFFIXES: &[&str] = &["_SECRET_ACCESS_KEY", "_ACCESS_KEY_ID", "_SESSION_TOKEN"];
    PREFIXES.iter().any(|p| var.starts_with(p))
        || NAMES.contains(&var)
        || SUFFIXES.iter().any(|s| var.ends_with(s))
}

/// The credential variables the person or CI running mcp lets go out as a
/// token: `MCP_ALLOW_CREDENTIAL_ENV=NAME,NAME`, from their environment. Never
/// from mcp.toml: the file comes with the code being checked, and the author
/// of a pull request must not decide which of this machine's credentials
/// leave it (issue 26 item 3); `deploy.allow_credential_env` there is refused.
fn allowed_credential_env(merged: &Merged, inputs: &Inputs) -> Result<Vec<String>> {
    let key = ["deploy", "allow_credential_env"];
    if merged.contains_key(&key.map(str::to_string).to_vec()) {
        return Err(McpError::usage(format!(
            "`deploy.allow_credential_env` ({}) is not read from mcp.toml: the file comes with the code (a pull request's author can write it), so it cannot allow this machine's credentials to be sent",
            source_of(merged, &key)
        ))
        .hint(format!(
            "remove it from the file; whoever runs mcp allows a variable in their own environment: {}=NAME[,NAME] (in CI, a variable of the job, not of the repository's files)",
            schema::env::ALLOW_CREDENTIAL_ENV
        ))
        .into());
    }
    Ok(inputs
        .env_var(schema::env::ALLOW_CREDENTIAL_ENV)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect())
}

/// `key` names `var`: refused when that is a credential of the machine
/// ([`is_credential_variable`]) and `allowed` (from
/// `MCP_ALLOW_CREDENTIAL_ENV`) does not list it. The error names the host it
/// would have gone to.
fn credential_as_token(
    merged: &Merged,
    deploy: Option<&schema::DeployLayer>,
    allowed: &[String],
    key: &[&str],
    var: &str,
) -> Result<()> {
    let allowed = allowed.iter().any(|n| n == var);
    if allowed || !is_credential_variable(var) {
        return Ok(());
    }
    let host = deploy
        .and_then(|d| d.url.as_deref())
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .map_or_else(
            || "the server of `deploy.url`".to_string(),
            |h| format!("`{h}`"),
        );
    Err(McpError::usage(format!(
        "`{}` ({}) names {var}, a credential of this machine: it would be sent to {host}",
        key.join("."),
        source_of(merged, key)
    ))
    .hint(format!(
        "export the server's own token in a variable of its own (e.g. MCP_AUTH_TOKEN) and name that; if {host} is meant to get {var}, whoever runs mcp sets {}={var} in their environment (mcp.toml cannot allow it)",
        schema::env::ALLOW_CREDENTIAL_ENV
    ))
    .into())
}

/// `deploy.url` and `deploy.test_url` (the MCP gate sends credentials there
/// too) are https, or plain http to loopback, unless
/// `deploy.allow_insecure_http` says otherwise: `what` would cross them.
fn encrypted_token_urls(
    merged: &Merged,
    deploy: Option<&schema::DeployLayer>,
    what: &str,
) -> Result<()> {
    let urls = [
        ("url", deploy.and_then(|d| d.url.as_deref())),
        ("test_url", deploy.and_then(|d| d.test_url.as_deref())),
    ];
    let allowed = deploy.and_then(|d| d.allow_insecure_http).unwrap_or(false);
    for (key, url) in urls {
        let Some(url) = url else { continue };
        token_transport(url, allowed).map_err(|host| {
            McpError::usage(format!(
                "`deploy.{key}` ({}) is plain http:// to `{host}`: {what} would cross the network unencrypted",
                source_of(merged, &["deploy", key])
            ))
            .hint("use https://, or set `deploy.allow_insecure_http = true` if the network between you and the server is trusted")
        })?;
    }
    Ok(())
}

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

pub(super) fn sub_table<'a>(table: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Table> {
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
    let before = build.before.unwrap_or_default();
    let ecs = layer.ecs.unwrap_or_default();
    let lambda = layer.lambda.unwrap_or_default();
    // Like `ecs.service`: the service's name, which defaults to the project's.
    let function = lambda
        .function
        .clone()
        .unwrap_or_else(|| ecs.service.clone().unwrap_or_default());
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
            context: root.join(build.context.as_deref().unwrap_or_default()),
            dockerfile: PathBuf::from(build.dockerfile.unwrap_or_default()),
            // A Lambda stage builds for its architecture (a conflicting
            // `build.platform` was refused above).
            platform: match layer.target {
                Some(TargetKind::Lambda) => lambda
                    .architecture
                    .unwrap_or_default()
                    .platform()
                    .to_string(),
                _ => build.platform.unwrap_or_default(),
            },
            target: build.target,
            args: build.args.unwrap_or_default(),
            tag: build.tag.unwrap_or_default(),
            before,
            root,
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
        lambda: crate::config::LambdaSettings {
            function,
            memory: lambda.memory.unwrap_or(512),
            timeout: lambda
                .timeout
                .map_or(Duration::from_secs(60), |t| t.duration),
            architecture: lambda.architecture.unwrap_or_default(),
            role: lambda.role,
            url_auth: lambda.url_auth.unwrap_or_default(),
            invoke_mode: lambda.invoke_mode.unwrap_or_default(),
            reserved_concurrency: lambda.reserved_concurrency,
            provisioned_concurrency: lambda.provisioned_concurrency,
            adapter_image: lambda
                .adapter_image
                .unwrap_or_else(|| crate::config::LAMBDA_ADAPTER_IMAGE.to_string()),
        },
        deploy: DeploySettings {
            timeout: deploy.timeout.map(|t| t.duration).unwrap_or_default(),
            rollback: deploy.rollback.unwrap_or_default(),
            url: deploy.url,
            health_path: deploy.health_path.unwrap_or_default(),
            port: deploy.port.unwrap_or_default(),
            auth_token_env: deploy.auth_token_env,
            allow_insecure_http: deploy.allow_insecure_http.unwrap_or(false),
            protocol: deploy.protocol,
            auth: deploy.auth.and_then(|a| {
                Some(crate::config::AuthSettings {
                    client_id: a.client_id?,
                    client_secret_env: a.client_secret_env?,
                    scope: a.scope,
                })
            }),
            progressive: ProgressiveSettings {
                strategy: deploy.strategy,
                bake: deploy.bake.map(|d| d.duration),
                canary_percent: deploy.canary_percent,
                canary_bake: deploy.canary_bake.map(|d| d.duration),
                linear_step_percent: deploy.linear_step_percent,
                linear_step_bake: deploy.linear_step_bake.map(|d| d.duration),
                alarms: deploy.alarms.unwrap_or_default(),
                test_url: deploy.test_url,
                expect_tools: deploy.expect_tools.unwrap_or_default(),
                gate_timeout: deploy.gate_timeout.map(|d| d.duration),
            },
        },
        check: {
            let check = layer.check.unwrap_or_default();
            crate::config::CheckSettings {
                calls: check
                    .calls
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| crate::config::CallSettings {
                        tool: c.tool,
                        arguments: serde_json::to_value(c.arguments.unwrap_or_default())
                            .unwrap_or_default(),
                        expect: c.expect,
                        timeout: c.timeout.map(|t| t.duration),
                    })
                    .collect(),
                breaking: check.breaking.unwrap_or_default(),
            }
        },
        cost: crate::config::CostSettings {
            monthly_limit: layer.cost.and_then(|c| c.monthly_limit),
        },
        env: layer.env.unwrap_or_default(),
        secrets: layer.secrets.unwrap_or_default(),
        secrets_prefix: layer.secrets_prefix,
        preview: crate::config::PreviewSettings {
            max: layer
                .preview
                .and_then(|p| p.max)
                .unwrap_or(crate::config::DEFAULT_PREVIEW_MAX),
        },
        entries,
        declared_stages: BTreeMap::new(),
    }
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
