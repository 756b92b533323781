//! The image of a Lambda stage: the user's image plus the AWS Lambda Web
//! Adapter, added by `mcp` when the image carries none.
//!
//! Lambda runs a container image through its Runtime API; an ordinary HTTP
//! server (every MCP server) needs the Lambda Web Adapter beside it, as an
//! extension in `/opt/extensions/`, to turn invocations into HTTP requests on
//! its port. Most teams add it with one `COPY --from=` line; `mcp` adds it for
//! them, so the same Dockerfile serves the local, ECS and Lambda stages.
//!
//! After the user's image is built and before it is tagged for good or
//! pushed, [`ensure_adapter`]:
//! 1. looks into the image: it creates a container from it (never started),
//!    reads `/opt/extensions` through the engine's archive API and removes the
//!    container. An extension whose name mentions an adapter, or whose file
//!    holds the adapter's `AWS_LWA_` settings names, is a Lambda Web Adapter.
//! 2. with no adapter, builds one more stage on top, for the stage's platform:
//!    `COPY --from=<lambda.adapter_image> /lambda-adapter
//!    /opt/extensions/lambda-adapter` and the adapter's `ENV` from `mcp.toml`
//!    (`deploy.port`, `deploy.health_path`, `lambda.invoke_mode`). The adapter
//!    image is used from the engine when it holds it for that platform, else
//!    pulled for it with its registry's login ([`registry_login`]: ECR's token
//!    for an ECR registry, else `docker login`'s), so a private mirror works;
//!    one that cannot be had is an error naming `lambda.adapter_image` (and,
//!    when the registry refused the login, the registry and what to do).
//! 3. with an adapter already there (the user's own, perhaps another version),
//!    keeps it, but makes its `AWS_LWA_*` settings those of `mcp.toml` (a stage
//!    with only `ENV`), since the gate and the function URL rely on them; the
//!    status line names each value it changed. Settings already equal leave
//!    the image as built.
//!
//! Other extensions (the Parameters and Secrets extension, say) are kept and do
//! not count as an adapter. A Lambda stage's tag ends in `-lambda`
//! ([`stage_tag`]), so its image never shares a tag with an ECS stage's image
//! of the same commit in a shared repository. The final image gets the release's tags, so its id
//! (and, once pushed, its digest) is the release's. The stage's base is named
//! by a temporary local tag, since BuildKit's `FROM` takes names, not image ids.

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::{Context, Result};
use bollard::Docker;
use bollard::auth::DockerCredentials;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptionsBuilder, DownloadFromContainerOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder,
};
use futures_util::StreamExt;

use crate::config::{InvokeMode, Settings, Source, schema};
use crate::docker::build::{self, BuildRequest, Built, LambdaAdapter};
use crate::docker::engine::Engine;
use crate::error::McpError;
use crate::ui::{Printer, reporter};

use super::registry_login;

/// Where Lambda looks for extensions.
pub const EXTENSIONS_DIR: &str = "/opt/extensions";
/// Where the added adapter goes.
pub const ADAPTER_PATH: &str = "/opt/extensions/lambda-adapter";
/// The adapter's binary in its public image (and in any mirror of it).
const ADAPTER_IN_IMAGE: &str = "/lambda-adapter";
/// A label on an image `mcp` added the adapter to: the adapter image used.
pub const LABEL_ADAPTER: &str = "dev.mcp.lambda-adapter";
/// The temporary local name of the image a stage is built on.
const BASE_REPOSITORY: &str = "mcp-lambda-base";
/// How much of `/opt/extensions` is read to recognise an adapter; past this,
/// the names alone decide.
const SCAN_LIMIT: usize = 128 << 20;

/// The key the adapter's settings are read from, for messages.
const KEY: &str = "lambda.adapter_image";

/// The adapter's environment as `mcp.toml` sets it, in a fixed order.
pub fn adapter_env(settings: &Settings) -> Vec<(&'static str, String)> {
    let mut env = vec![("AWS_LWA_PORT", settings.deploy.port.to_string())];
    if settings.deploy.health_path.is_empty() {
        // No health endpoint: the adapter waits for the port to accept connections.
        env.push(("AWS_LWA_READINESS_CHECK_PROTOCOL", "tcp".into()));
    } else {
        env.push(("AWS_LWA_READINESS_CHECK_PROTOCOL", "http".into()));
        env.push((
            "AWS_LWA_READINESS_CHECK_PATH",
            settings.deploy.health_path.clone(),
        ));
    }
    env.push((
        "AWS_LWA_INVOKE_MODE",
        match settings.lambda.invoke_mode {
            InvokeMode::ResponseStream => "response_stream",
            InvokeMode::Buffered => "buffered",
        }
        .into(),
    ));
    env
}

/// What decides the image of a Lambda stage besides the build inputs: two
/// services that differ here cannot share one image.
pub fn memo_key(settings: &Settings) -> serde_json::Value {
    serde_json::json!([settings.lambda.adapter_image, adapter_env(settings)])
}

/// What a Lambda stage's tags end with.
pub const TAG_SUFFIX: &str = "-lambda";

/// A Lambda stage's tag: the rendered `build.tag` with [`TAG_SUFFIX`]. The
/// image carries the adapter, so it is another image than an ECS stage's of
/// the same tree; with one tag for both, the registry's (immutable) tag would
/// let one stand for the other, or refuse the second push.
pub fn stage_tag(tag: &str) -> Result<String> {
    if tag.ends_with(TAG_SUFFIX) {
        return Ok(tag.to_string());
    }
    let tagged = format!("{tag}{TAG_SUFFIX}");
    crate::docker::tag::validate(&tagged).with_context(|| {
        format!("a Lambda stage tags its image `<build.tag>{TAG_SUFFIX}`; shorten `build.tag`")
    })?;
    Ok(tagged)
}

/// One entry of `/opt/extensions`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Extension {
    name: String,
    adapter: bool,
}

/// Give `built` (tagged `references`) the Lambda Web Adapter unless it has
/// one, and the adapter's settings from `mcp.toml`; the result is tagged
/// `references` and is the release's image.
pub async fn ensure_adapter(
    settings: &Settings,
    printer: &Printer,
    engine: &Engine,
    built: Built,
    references: &[String],
) -> Result<Built> {
    let (docker, _) = crate::docker::connect().await?;
    let image = built.image_id.clone();
    let extensions = extensions(&docker, &image).await?;
    let wanted = adapter_env(settings);
    let report = |path: String, added_from: Option<&str>| LambdaAdapter {
        path,
        added_from: added_from.map(str::to_string),
        env: wanted
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    };

    if let Some(adapter) = extensions.iter().find(|e| e.adapter) {
        let current = image_env(&docker, &image).await?;
        let changed: Vec<String> = wanted
            .iter()
            .filter(|(k, v)| current.get(*k) != Some(v))
            .map(|(k, v)| match current.get(*k) {
                Some(old) => format!("{k}={v} (was {old})"),
                None => format!("{k}={v}"),
            })
            .collect();
        let path = format!("{EXTENSIONS_DIR}/{}", adapter.name);
        if changed.is_empty() {
            printer.status(
                "Kept",
                format!(
                    "the image's own Lambda Web Adapter ({path}); its AWS_LWA_* settings are those of mcp.toml"
                ),
            );
            return Ok(Built {
                lambda_adapter: Some(report(path, None)),
                ..built
            });
        }
        let dockerfile = format!("FROM {{base}}\n{}", env_line(&wanted));
        let mut built = build_stage(
            settings,
            printer,
            engine,
            built,
            references,
            &dockerfile,
            None,
        )
        .await?;
        printer.status(
            "Configured",
            format!(
                "the image's own Lambda Web Adapter ({path}) in {} as mcp.toml says: {}",
                short_id(&built.image_id),
                changed.join(", ")
            ),
        );
        built.lambda_adapter = Some(report(path, None));
        return Ok(built);
    }

    let adapter = &settings.lambda.adapter_image;
    ensure_adapter_image(&docker, engine, settings, printer).await?;
    printer.status(
        "Adding",
        format!("the Lambda Web Adapter from {adapter} (`{KEY}`)"),
    );
    let dockerfile = format!(
        "FROM {adapter} AS lambda-adapter\nFROM {{base}}\nCOPY --from=lambda-adapter {ADAPTER_IN_IMAGE} {ADAPTER_PATH}\n{}",
        env_line(&wanted)
    );
    let mut built = build_stage(
        settings,
        printer,
        engine,
        built,
        references,
        &dockerfile,
        Some(adapter),
    )
    .await?;
    built.lambda_adapter = Some(report(ADAPTER_PATH.to_string(), Some(adapter)));
    let settings_list: Vec<String> = wanted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let others: Vec<&str> = extensions.iter().map(|e| e.name.as_str()).collect();
    printer.status(
        "Added",
        format!(
            "{ADAPTER_PATH} to {}: {}{}",
            short_id(&built.image_id),
            settings_list.join(" "),
            if others.is_empty() {
                String::new()
            } else {
                format!(
                    " (kept the image's other extensions: {})",
                    others.join(", ")
                )
            }
        ),
    );
    Ok(built)
}

fn short_id(id: &str) -> &str {
    let hex = id.trim_start_matches("sha256:");
    &hex[..hex.len().min(12)]
}

/// `ENV k="v" …`, quoted for a Dockerfile (no `$` expansion).
fn env_line(env: &[(&str, String)]) -> String {
    let pairs: Vec<String> = env
        .iter()
        .map(|(k, v)| {
            let quoted: String = v
                .chars()
                .flat_map(|c| match c {
                    '"' | '\\' | '$' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            format!("{k}=\"{quoted}\"")
        })
        .collect();
    format!("ENV {}\n", pairs.join(" "))
}

/// Build `dockerfile` (its `{base}` is `built`'s image) for the stage's
/// platform, tagged `references`.
async fn build_stage(
    settings: &Settings,
    printer: &Printer,
    engine: &Engine,
    built: Built,
    references: &[String],
    dockerfile: &str,
    adapter: Option<&str>,
) -> Result<Built> {
    // One name per stage build: services of one run may build on the same
    // image at the same time (another port, say), and each removes its own.
    static STAGES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = STAGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let unique = format!("{}-{}-{n}", short_id(&built.image_id), std::process::id());
    let base = format!("{BASE_REPOSITORY}:{unique}");
    engine.tag(&built.image_id, &base).await?;
    let dir = StageDir::new(&unique)?;
    std::fs::write(
        dir.0.join("Dockerfile"),
        format!(
            "# Added by mcp for a Lambda stage: the AWS Lambda Web Adapter and its settings.\n{}",
            dockerfile.replace("{base}", &base)
        ),
    )
    .context("writing the Lambda stage's Dockerfile")?;
    let mut labels = BTreeMap::new();
    if let Some(adapter) = adapter {
        labels.insert(LABEL_ADAPTER.to_string(), adapter.to_string());
    }
    let request = BuildRequest {
        context: dir.0.clone(),
        dockerfile: "Dockerfile".into(),
        platform: settings.build.platform.clone(),
        target: None,
        args: BTreeMap::new(),
        labels,
        tags: references.to_vec(),
        builder: built.builder,
    };
    let reporter = reporter::for_printer(printer);
    let logins = registry_login::logins(settings);
    let result = build::build_with_logins(engine, &request, Some(logins), reporter.as_ref()).await;
    // The base keeps its layers in the new image; only its name goes.
    if let Ok((docker, _)) = crate::docker::connect().await {
        let options = RemoveImageOptionsBuilder::new().noprune(true).build();
        if let Err(err) = docker.remove_image(&base, Some(options), None).await {
            printer.detail(
                1,
                format!("could not remove the temporary tag {base}: {err}"),
            );
        }
    }
    let stage = result.context(match adapter {
        Some(adapter) => format!("adding the Lambda Web Adapter from {adapter} ({KEY})"),
        None => "setting the Lambda Web Adapter's AWS_LWA_* variables".to_string(),
    })?;
    Ok(Built {
        image_id: stage.image_id,
        ..built
    })
}

/// The stage's build context (a Dockerfile alone), removed when dropped.
struct StageDir(std::path::PathBuf);

impl StageDir {
    fn new(unique: &str) -> Result<StageDir> {
        let path = std::env::temp_dir().join(format!("mcp-lambda-stage-{unique}"));
        std::fs::create_dir_all(&path).with_context(|| {
            format!("making the Lambda stage's build context {}", path.display())
        })?;
        Ok(StageDir(path))
    }
}

impl Drop for StageDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The image's `ENV`, by name.
async fn image_env(docker: &Docker, image: &str) -> Result<BTreeMap<String, String>> {
    let inspect = docker
        .inspect_image(image)
        .await
        .with_context(|| format!("inspecting image {image}"))?;
    Ok(inspect
        .config
        .and_then(|c| c.env)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into())))
        .collect())
}

/// What `/opt/extensions` of `image` holds: a container made from it (never
/// started) is read through the archive API, then removed.
async fn extensions(docker: &Docker, image: &str) -> Result<Vec<Extension>> {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        // Never run; an image with neither CMD nor ENTRYPOINT needs one to be created.
        cmd: Some(vec!["/mcp-never-started".to_string()]),
        network_disabled: Some(true),
        ..Default::default()
    };
    let created = docker
        .create_container(None::<CreateContainerOptions>, body)
        .await
        .with_context(|| {
            format!("creating a container (not started) from {image} to look into {EXTENSIONS_DIR}")
        })?;
    let read = read_extensions(docker, &created.id).await;
    let options = RemoveContainerOptionsBuilder::new()
        .force(true)
        .v(true)
        .build();
    let removed = docker.remove_container(&created.id, Some(options)).await;
    let found = read?;
    removed.with_context(|| format!("removing container {}", created.id))?;
    Ok(found)
}

async fn read_extensions(docker: &Docker, container: &str) -> Result<Vec<Extension>> {
    let options = DownloadFromContainerOptionsBuilder::new()
        .path(EXTENSIONS_DIR)
        .build();
    let mut stream = docker.download_from_container(container, Some(options));
    let mut tar = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => {
                tar.extend_from_slice(&bytes);
                if tar.len() > SCAN_LIMIT {
                    break;
                }
            }
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => return Ok(Vec::new()),
            Err(err) => {
                return Err(err).with_context(|| format!("reading {EXTENSIONS_DIR} of the image"));
            }
        }
    }
    Ok(parse_extensions(&tar))
}

/// The top-level entries of an archive of `/opt/extensions` (rooted at
/// `extensions/`), each marked when it is a Lambda Web Adapter. A cut-off
/// archive yields what came before the cut.
fn parse_extensions(tar: &[u8]) -> Vec<Extension> {
    let mut found: Vec<Extension> = Vec::new();
    let mut archive = tar::Archive::new(tar);
    let Ok(entries) = archive.entries() else {
        return found;
    };
    for entry in entries {
        let Ok(mut entry) = entry else { break };
        let Ok(path) = entry.path().map(|p| p.into_owned()) else {
            continue;
        };
        // Skip the root (`extensions/`); the first component below it is the extension.
        let mut parts = path.components().skip(1);
        let Some(top) = parts.next() else { continue };
        let name = top.as_os_str().to_string_lossy().into_owned();
        let named = name.to_ascii_lowercase().contains("adapter");
        let mut content = Vec::new();
        let holds = entry.header().entry_type().is_file()
            && entry.read_to_end(&mut content).is_ok()
            && content.windows(8).any(|w| w == b"AWS_LWA_");
        match found.iter_mut().find(|e| e.name == name) {
            Some(existing) => existing.adapter |= named || holds,
            None => found.push(Extension {
                name,
                adapter: named || holds,
            }),
        }
    }
    found
}

/// The adapter image in the engine for the stage's platform: a local copy
/// when it has one, else pulled.
async fn ensure_adapter_image(
    docker: &Docker,
    engine: &Engine,
    settings: &Settings,
    printer: &Printer,
) -> Result<()> {
    let adapter = &settings.lambda.adapter_image;
    let platform = &settings.build.platform;
    match docker.inspect_image(adapter).await {
        Ok(local) if same_platform(&local, platform) => return Ok(()),
        Ok(local) => printer.detail(
            1,
            format!(
                "the engine's copy of {adapter} is for {}; pulling it for {platform}",
                image_platform(&local)
            ),
        ),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => {}
        Err(err) => {
            return Err(err).with_context(|| format!("looking up {adapter} in the Docker engine"));
        }
    }
    crate::cancel::check("before pulling the Lambda Web Adapter image")?;
    let host = crate::docker::credentials::registry_host(adapter);
    let login = registry_login::for_host(settings, &host, &format!("`{KEY}` {adapter}")).await?;
    printer.status(
        "Pulling",
        format!("{adapter} for {platform} ({KEY}) with {}", login.describe()),
    );
    let options = CreateImageOptionsBuilder::new()
        .from_image(adapter)
        .platform(platform)
        .build();
    // The login goes to the engine in the X-Registry-Auth header of this request only.
    if login.auth.is_some() {
        engine.may_send_logins()?;
    }
    let credentials = login.auth.as_ref().map(|auth| DockerCredentials {
        username: Some(auth.username.clone()),
        password: Some(auth.password.clone()),
        serveraddress: Some(auth.serveraddress.clone()),
        ..Default::default()
    });
    let mut pull = docker.create_image(Some(options), None, credentials);
    let mut failure = None;
    while let Some(message) = pull.next().await {
        if let Err(err) = message {
            failure = Some(engine_message(err));
            break;
        }
    }
    let pulled = match failure {
        Some(err) => Err(err),
        None => match docker.inspect_image(adapter).await {
            Ok(local) if same_platform(&local, platform) => Ok(()),
            Ok(local) => Err(format!(
                "the engine holds it for {} only",
                image_platform(&local)
            )),
            Err(err) => Err(engine_message(err)),
        },
    };
    pulled.map_err(|reason| {
        if registry_login::is_refused(&reason) {
            refused(settings, &login, &reason).into()
        } else {
            cannot_pull(settings, &login, &reason).into()
        }
    })
}

/// The error for an adapter image its registry would not hand over with the login sent.
fn refused(settings: &Settings, login: &registry_login::Login, reason: &str) -> McpError {
    let adapter = &settings.lambda.adapter_image;
    McpError::new(format!(
        "the registry {} refused the pull of the Lambda Web Adapter image `{adapter}` (`{KEY}`{}) with {}: {}",
        login.host,
        match key_source(settings) {
            Source::Default => String::new(),
            source => format!(", set in {source}"),
        },
        login.describe(),
        reason.trim()
    ))
    .hint(login.refused_hint())
}

/// Where `lambda.adapter_image` was set.
fn key_source(settings: &Settings) -> Source {
    settings
        .entries
        .iter()
        .find(|e| e.key == KEY)
        .map_or(Source::Default, |e| e.source.clone())
}

/// What the engine said, without bollard's wrapping.
fn engine_message(err: bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. }
        | bollard::errors::Error::DockerStreamError { error: message } => message,
        err => err.to_string(),
    }
}

/// The error for an adapter image the engine cannot have.
fn cannot_pull(settings: &Settings, login: &registry_login::Login, reason: &str) -> McpError {
    let adapter = &settings.lambda.adapter_image;
    let platform = &settings.build.platform;
    let source = key_source(settings);
    let from = match &source {
        Source::Default => "the default".to_string(),
        source => format!("set in {source}"),
    };
    let file = settings.config_file.as_deref().map_or_else(
        || crate::config::FILE_NAME.to_string(),
        |p| p.display().to_string(),
    );
    let mirror = format!(
        "mirror the adapter image to a registry this Docker engine can reach (`docker pull {adapter}` where it can be pulled, then `docker tag` and `docker push` it to yours)"
    );
    let set = match &source {
        // The variable wins over the file: the file's key would not help.
        Source::Env(var) => format!("point {var} at your copy"),
        _ => format!(
            "set `{KEY} = \"<your copy>\"` under `[lambda]` in {file} (or {} for every project on this machine)",
            schema::env::LAMBDA_ADAPTER_IMAGE
        ),
    };
    // An engine that falls back from HTTPS to HTTP (an insecure registry)
    // reports the fallback's error, not the refusal: a pull without a login
    // always says how to give one.
    let login_hint = match login.auth {
        Some(_) => String::new(),
        None => format!(
            "; if {} wants a login: {}",
            login.host,
            login.refused_hint()
        ),
    };
    McpError::new(format!(
        "cannot get the Lambda Web Adapter image `{adapter}` for {platform} (`{KEY}`, {from}): the Docker engine found no copy for {platform} and pulling it failed: {} (registry {}, with {})",
        reason.trim(),
        login.host,
        login.describe()
    ))
    .hint(format!(
        "{mirror} and {set}; or `docker pull`/`docker load` it into this engine for {platform} (mcp uses a local copy first){login_hint}"
    ))
}

fn image_platform(image: &bollard::models::ImageInspect) -> String {
    format!(
        "{}/{}",
        image.os.as_deref().unwrap_or("?"),
        image.architecture.as_deref().unwrap_or("?")
    )
}

/// `linux/arm64` (a variant, if given, is not compared) against the image's OS and architecture.
fn same_platform(image: &bollard::models::ImageInspect, platform: &str) -> bool {
    let mut wanted = platform.split('/');
    let (os, arch) = (wanted.next().unwrap_or(""), wanted.next().unwrap_or(""));
    image.os.as_deref() == Some(os) && image.architecture.as_deref() == Some(arch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o755);
        dir.set_size(0);
        builder
            .append_data(&mut dir, "extensions/", std::io::empty())
            .unwrap();
        for (path, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_mode(0o755);
            header.set_size(data.len() as u64);
            builder.append_data(&mut header, path, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn an_empty_directory_has_no_extensions() {
        assert!(parse_extensions(&archive(&[])).is_empty());
        assert!(parse_extensions(&[]).is_empty());
    }

    /// Guards against a second adapter beside a renamed one, and against
    /// taking another extension (secrets) for an adapter.
    #[test]
    fn adapters_are_recognised_by_name_or_by_their_settings() {
        let found = parse_extensions(&archive(&[
            ("extensions/lambda-adapter", b"#!/bin/sh\n"),
            ("extensions/lwa", b"\x7fELF...AWS_LWA_PORT..."),
            ("extensions/secrets/bin", b"\x7fELF...PARAMETERS_SECRETS"),
            ("extensions/secrets/config", b"x"),
        ]));
        assert_eq!(
            found,
            vec![
                Extension {
                    name: "lambda-adapter".into(),
                    adapter: true
                },
                Extension {
                    name: "lwa".into(),
                    adapter: true
                },
                Extension {
                    name: "secrets".into(),
                    adapter: false
                },
            ]
        );
    }

    #[test]
    fn a_lambda_stage_tag_ends_in_lambda_once_and_stays_valid() {
        assert_eq!(stage_tag("0123456789ab").unwrap(), "0123456789ab-lambda");
        assert_eq!(stage_tag("v1-lambda").unwrap(), "v1-lambda");
        let long = "x".repeat(125);
        let err = stage_tag(&long).unwrap_err();
        assert!(
            format!("{err:#}").contains("shorten `build.tag`"),
            "{err:#}"
        );
    }

    #[test]
    fn env_values_are_quoted_without_expansion() {
        let line = env_line(&[
            ("AWS_LWA_PORT", "8000".into()),
            ("AWS_LWA_READINESS_CHECK_PATH", "/he alth/$x\"".into()),
        ]);
        assert_eq!(
            line,
            "ENV AWS_LWA_PORT=\"8000\" AWS_LWA_READINESS_CHECK_PATH=\"/he alth/\\$x\\\"\"\n"
        );
    }
}
