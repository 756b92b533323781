//! Making a release's image, shared by `mcp build`, `mcp push` and every
//! platform's deploy: work out the tag, skip what is already done, build, push,
//! and refer to the result by digest (`repo:tag@sha256:…`) so a tag moved later
//! cannot change what runs.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;
use tokio::sync::OnceCell;

use crate::aws::{self, Clients, ecr};
use crate::config::{Settings, TargetKind};
use crate::docker::build::{self, BuildRequest, Builder, Built};
use crate::docker::context;
use crate::docker::engine::Engine;
use crate::docker::git::GitStates;
use crate::docker::push;
use crate::docker::tag::{self, GitState, TagContext};
use crate::error::McpError;
use crate::release::ImageRef;
use crate::ui::{Printer, reporter};

/// What will be built, and under which tag.
#[derive(Debug, Clone)]
pub struct Plan {
    pub tag: String,
    pub git: Option<GitState>,
    /// The tag names exactly one tree: a clean git tree and no `{timestamp}`.
    /// Only then may an existing tag in the registry stand for this build.
    pub reproducible: bool,
}

/// Work out the tag for this build (`--tag` wins over `build.tag`).
pub fn plan(settings: &Settings, tag_override: Option<&str>) -> Result<Plan> {
    // Once per context for the whole run: every service of a fleet gets the same tag.
    let git = GitStates::process().get(&settings.build.context, &settings.build.dockerfile)?;
    let template = tag_override.unwrap_or(&settings.build.tag);
    let ctx = TagContext {
        git: git.as_ref(),
        name: &settings.name,
        stage: settings.stage.as_deref(),
        timestamp: tag::timestamp_now(),
    };
    let mut tag = tag::render(template, &ctx)?;
    if settings.target == TargetKind::Lambda {
        // Another image than an ECS stage's of the same tree: its own tag.
        tag = super::lambda_image::stage_tag(&tag)?;
    }
    // Only a tag that names the commit may stand for this build: `v1` or
    // `{name}-{stage}` would let an old image pass for a new tree.
    let reproducible = git.as_ref().is_some_and(|g| g.dirty.is_none())
        && template.contains("{git_sha}")
        && !template.contains("{timestamp}");
    Ok(Plan {
        tag,
        git,
        reproducible,
    })
}

/// Warn about what the build context would ship that it should not, and
/// (with `-v`) name the files that make the tag dirty.
fn check_context(settings: &Settings, printer: &Printer, plan: &Plan) -> Result<()> {
    let build = &settings.build;
    if let Some(outside) = settings
        .config_file
        .as_deref()
        .and_then(std::path::Path::parent)
        .and_then(|base| context::outside(&build.context, base))
    {
        printer.warn(format!(
            "`build.context` resolves to {}, outside the folder of mcp.toml: everything under it not in its .dockerignore is sent to the Docker engine",
            outside.display()
        ));
    }
    // Without the `/.` of a context given as ".".
    let root: std::path::PathBuf = build.context.components().collect();
    let opened = context::Context::open(&build.context, &build.dockerfile)?;
    for name in opened.unwanted() {
        printer.warn(format!(
            "{} would be sent to the Docker engine with the build context; add `{name}` to {}",
            root.join(name).display(),
            root.join(context::DOCKERIGNORE).display()
        ));
    }
    // Issue 26 item 12: secret files below the root ship as silently.
    for rel in opened.secret_files() {
        printer.warn(format!(
            "{} looks like a secret (by its name) and would be sent to the Docker engine with the build context, into the image if the Dockerfile copies it; add `{rel}` to {}",
            root.join(&rel).display(),
            root.join(context::DOCKERIGNORE).display()
        ));
    }
    if let Some(git) = &plan.git
        && git.dirty.is_some()
    {
        const SHOWN: usize = 10;
        let mut files = git.changed[..git.changed.len().min(SHOWN)].join(", ");
        if git.changed.len() > SHOWN {
            files.push_str(&format!(" and {} more", git.changed.len() - SHOWN));
        }
        printer.detail(
            1,
            format!("the build context differs from {}: {files}", git.short),
        );
    }
    Ok(())
}

/// OCI labels: where the image came from.
fn labels(settings: &Settings, plan: &Plan) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    labels.insert(
        "org.opencontainers.image.title".into(),
        settings.name.clone(),
    );
    labels.insert(
        "org.opencontainers.image.created".into(),
        jiff::Timestamp::now().to_string(),
    );
    if let Some(git) = &plan.git {
        labels.insert("org.opencontainers.image.revision".into(), git.sha.clone());
        if let Some(remote) = &git.remote {
            labels.insert(
                "org.opencontainers.image.source".into(),
                without_credentials(remote),
            );
        }
    }
    labels
}

/// A remote URL without `user:token@`, which must never end up in an image.
fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// The engine, connected, with the builder it supports.
async fn engine(printer: &Printer) -> Result<(Engine, Builder)> {
    let (_, version) = crate::docker::connect().await?;
    let api = version.api_version.clone().unwrap_or_else(|| "1.41".into());
    let builder = build::choose_builder(&version);
    printer.detail(
        1,
        format!(
            "Docker engine {} (API {api}), {:?} builder",
            version.version.as_deref().unwrap_or("?"),
            builder
        ),
    );
    Ok((Engine::from_env(&api)?, builder))
}

/// `mcp build`'s result.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// `<ecr.repository>:<tag>`, as tagged in the local engine.
    pub image: ImageRef,
    pub tag: String,
    #[serde(flatten)]
    pub built: Built,
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.image)
    }
}

/// Build the image and tag it `references` (full `repo:tag` names).
async fn run_build(
    settings: &Settings,
    printer: &Printer,
    (engine, builder): (&Engine, Builder),
    plan: &Plan,
    references: Vec<String>,
) -> Result<Built> {
    let request = BuildRequest {
        context: settings.build.context.clone(),
        dockerfile: settings.build.dockerfile.clone(),
        platform: settings.build.platform.clone(),
        target: settings.build.target.clone(),
        args: settings.build.args.clone(),
        labels: labels(settings, plan),
        tags: references,
        builder,
    };
    printer.status(
        "Building",
        format!(
            "{}:{} for {} from {}",
            settings.name,
            plan.tag,
            settings.build.platform,
            settings.build.context.display()
        ),
    );
    let reporter = reporter::for_printer(printer);
    let started = std::time::Instant::now();
    // The Dockerfile's images get their registries' logins (ECR's, `docker login`'s).
    let logins = super::registry_login::logins(settings);
    let built = build::build_with_logins(engine, &request, Some(logins), reporter.as_ref()).await?;
    printer.status(
        "Built",
        format!(
            "{} in {:.1}s (context: {} files, {})",
            short_id(&built.image_id),
            started.elapsed().as_secs_f64(),
            built.context_files,
            reporter::bytes(built.context_bytes)
        ),
    );
    if settings.target == TargetKind::Lambda {
        return super::lambda_image::ensure_adapter(
            settings,
            printer,
            engine,
            built,
            &request.tags,
        )
        .await;
    }
    Ok(built)
}

fn short_id(id: &str) -> &str {
    let hex = id.trim_start_matches("sha256:");
    &hex[..hex.len().min(12)]
}

/// `mcp build`: build and tag `<ecr.repository>:<tag>` locally; no AWS access needed.
pub async fn build_only(
    settings: &Settings,
    printer: &Printer,
    tag_override: Option<&str>,
) -> Result<BuildReport> {
    // Before the tag is worked out: the commands may change the tree.
    super::hook::run_before(settings, printer).await?;
    let plan = plan(settings, tag_override)?;
    let image = ImageRef::tagged(&settings.ecr.repository, &plan.tag);
    build::preflight(&settings.build.context, &settings.build.dockerfile)?;
    check_context(settings, printer, &plan)?;
    let (engine, builder) = engine(printer).await?;
    let built = run_build(
        settings,
        printer,
        (&engine, builder),
        &plan,
        vec![image.to_string()],
    )
    .await?;
    Ok(BuildReport {
        image,
        tag: plan.tag,
        built,
    })
}

/// What one run has already built and pushed, shared by the services of
/// `mcp deploy --all` / `mcp deploy A B …`: services with the same build inputs
/// (context, Dockerfile, platform, target, args) are built once, and each
/// repository gets one push (or one "Fresh" check) per tag, however many
/// services deploy from it. Services run concurrently: the first to need an
/// image does the work while the others wait for it, and each service goes on
/// to its rollout as soon as its own image is ready.
#[derive(Default)]
pub struct BuildMemo {
    builds: Memo<Built>,
    pushes: Memo<PushReport>,
}

/// One value per key, made once even when several tasks ask at the same time.
struct Memo<T>(std::sync::Mutex<HashMap<String, Arc<OnceCell<T>>>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(Default::default())
    }
}

impl<T: Clone> Memo<T> {
    /// The value for `key`, made by `make` unless another task made it (or is
    /// making it: then wait). `true` when this call made it. A failure is not
    /// kept: the next caller tries again.
    async fn get_or_make<F, Fut>(&self, key: String, make: F) -> Result<(T, bool)>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let cell = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .clone();
        let mut made = false;
        let value = cell
            .get_or_try_init(|| {
                made = true;
                make()
            })
            .await?;
        Ok((value.clone(), made))
    }
}

impl BuildMemo {
    fn build_key(settings: &Settings) -> String {
        let b = &settings.build;
        let lambda = (settings.target == TargetKind::Lambda)
            .then(|| super::lambda_image::memo_key(settings));
        serde_json::json!([
            b.context,
            b.dockerfile,
            b.platform,
            b.target,
            b.args,
            lambda
        ])
        .to_string()
    }

    /// One push per repository and tag (and build inputs, so two images never
    /// race for one tag).
    fn push_key(settings: &Settings, clients: &Clients, tag: &str) -> String {
        serde_json::json!([
            clients.region(),
            settings.ecr.repository,
            tag,
            Self::build_key(settings)
        ])
        .to_string()
    }
}

/// An image in ECR, by digest: what `push` hands to `deploy`.
#[derive(Debug, Clone, Serialize)]
pub struct PushReport {
    /// `repo-uri:tag@sha256:…`
    pub image: ImageRef,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub pushed_bytes: u64,
    pub layers_pushed: usize,
    pub layers_existing: usize,
    /// Build and push were skipped: the registry already had this tag for this tree.
    pub skipped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Built>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_sha: Option<String>,
}

impl fmt::Display for PushReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.image)
    }
}

/// Build (unless the registry already has this exact tree) and push to ECR.
pub async fn build_and_push(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    tag_override: Option<&str>,
    builds: &BuildMemo,
) -> Result<PushReport> {
    // Before the tag is worked out: the commands may change the tree.
    super::hook::run_before(settings, printer).await?;
    let plan = plan(settings, tag_override)?;
    // Fail on a missing Dockerfile before any AWS call.
    build::preflight(&settings.build.context, &settings.build.dockerfile)?;
    let key = BuildMemo::push_key(settings, clients, &plan.tag);
    let (report, made) = builds
        .pushes
        .get_or_make(key, || {
            push_once(settings, printer, clients, plan.clone(), builds)
        })
        .await?;
    if !made {
        // Another service of this run pushed (or found) this image.
        printer.status("Sharing", &report.image);
    }
    Ok(report)
}

/// The one push (or "Fresh" check) of a repository and tag in this run.
async fn push_once(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    plan: Plan,
    builds: &BuildMemo,
) -> Result<PushReport> {
    check_context(settings, printer, &plan)?;
    crate::cancel::check("before looking up the ECR repository")?;
    let (repository, created) =
        ecr::repository(&clients.ecr, &settings.ecr.repository, settings.ecr.create).await?;
    if created {
        printer.status(
            "Created",
            format!(
                "ECR repository {} (scan on push, immutable tags)",
                repository.uri
            ),
        );
    }
    let git_sha = plan.git.as_ref().map(|g| g.sha.clone());

    if plan.reproducible
        && let Some(digest) = ecr::tag_digest(&clients.ecr, &repository.name, &plan.tag).await?
    {
        printer.status(
            "Fresh",
            format!(
                "{}:{} is already in ECR for this commit; nothing to build or push",
                repository.uri, plan.tag
            ),
        );
        return Ok(PushReport {
            image: ImageRef::tagged(&repository.uri, &plan.tag).with_digest(&digest),
            repository: repository.uri,
            tag: plan.tag,
            digest,
            pushed_bytes: 0,
            layers_pushed: 0,
            layers_existing: 0,
            skipped: true,
            build: None,
            git_sha,
        });
    }

    let reference = format!("{}:{}", repository.uri, plan.tag);
    let local = format!("{}:{}", settings.ecr.repository, plan.tag);
    let (engine, builder) = engine(printer).await?;
    let (built, made) = builds
        .builds
        .get_or_make(BuildMemo::build_key(settings), || {
            run_build(
                settings,
                printer,
                (&engine, builder),
                &plan,
                vec![local.clone(), reference.clone()],
            )
        })
        .await?;
    if !made {
        // Another service of this run has the same build inputs: its image serves.
        for name in [&local, &reference] {
            engine.tag(&built.image_id, name).await?;
        }
        printer.status(
            "Reusing",
            format!("{} as {reference}", short_id(&built.image_id)),
        );
    }

    crate::cancel::check("before pushing the image")?;
    let auth = ecr::registry_auth(&clients.ecr).await?;
    printer.status("Pushing", &reference);
    let reporter = reporter::for_printer(printer);
    let started = std::time::Instant::now();
    let pushed = push::push(
        &engine,
        &repository.uri,
        &plan.tag,
        &auth,
        reporter.as_ref(),
    )
    .await?;
    // Everything after this refers to the digest through ECR's API: wait (briefly,
    // bounded) until ECR lists it, so a deploy never references an image ECR does not show.
    let visible_by = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let waiting = "while waiting for ECR to list the pushed image";
    while !crate::cancel::or_cancelled(
        waiting,
        ecr::has_digest(&clients.ecr, &repository.name, &pushed.digest),
    )
    .await?
    {
        if std::time::Instant::now() >= visible_by {
            printer.warn(format!(
                "ECR does not list {} yet; carrying on",
                pushed.digest
            ));
            break;
        }
        crate::cancel::or_cancelled(waiting, async {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            Ok(())
        })
        .await?;
    }
    printer.status(
        "Pushed",
        format!(
            "{}@{} ({} uploaded in {} layers, {} already there; {:.1}s)",
            reference,
            pushed.digest,
            reporter::bytes(pushed.pushed_bytes),
            pushed.layers_pushed,
            pushed.layers_existing,
            started.elapsed().as_secs_f64()
        ),
    );
    Ok(PushReport {
        image: ImageRef::tagged(&repository.uri, &plan.tag).with_digest(&pushed.digest),
        repository: repository.uri,
        tag: plan.tag,
        digest: pushed.digest,
        pushed_bytes: pushed.pushed_bytes,
        layers_pushed: pushed.layers_pushed,
        layers_existing: pushed.layers_existing,
        skipped: false,
        build: Some(built),
        git_sha,
    })
}

/// `--image URI`: an image built elsewhere, checked to exist in ECR before anything changes.
pub async fn verify(clients: &Clients, uri: &str) -> Result<PushReport> {
    let image = ImageRef::parse_pinned(uri)?;
    let Some((account, _region)) = image.ecr() else {
        return Err(McpError::usage(format!("`{uri}` is not in an ECR registry"))
            .hint("--image takes an ECR image (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG); push it to ECR first")
            .into());
    };
    let mut request = clients
        .ecr
        .batch_get_image()
        .registry_id(account)
        .repository_name(&image.repository);
    let id = match (&image.digest, &image.tag) {
        (Some(digest), _) => aws_sdk_ecr::types::ImageIdentifier::builder()
            .image_digest(digest)
            .build(),
        (None, Some(tag)) => aws_sdk_ecr::types::ImageIdentifier::builder()
            .image_tag(tag)
            .build(),
        (None, None) => unreachable!("parse requires a tag or a digest"),
    };
    request = request.image_ids(id);
    let out = request.send().await.map_err(|err| {
        let repo_missing = err
            .as_service_error()
            .is_some_and(|e| e.is_repository_not_found_exception());
        if repo_missing {
            McpError::new(format!(
                "ECR repository `{}` does not exist",
                image.repository
            ))
            .hint("check the --image URI and the AWS region")
            .into()
        } else {
            aws::error(err).context(format!("looking up `{uri}` in ECR"))
        }
    })?;
    let found = out
        .images()
        .first()
        .and_then(|i| i.image_id())
        .and_then(|id| id.image_digest())
        .map(str::to_string);
    let Some(digest) = found else {
        return Err(McpError::new(format!("`{uri}` is not in ECR"))
            .hint("push it first (`mcp push`, or the CI step that builds it), or check the tag")
            .into());
    };
    if let Some(wanted) = &image.digest
        && wanted != &digest
    {
        return Err(
            McpError::new(format!("`{uri}`: ECR holds digest {digest}, not {wanted}")).into(),
        );
    }
    let tag = image.tag.clone().unwrap_or_default();
    let repository = image.name();
    Ok(PushReport {
        image: image.with_digest(&digest),
        repository,
        tag,
        digest,
        pushed_bytes: 0,
        layers_pushed: 0,
        layers_existing: 0,
        skipped: true,
        build: None,
        git_sha: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards against a git token in a remote URL ending up in an image label.
    #[test]
    fn remote_credentials_are_dropped_from_labels() {
        assert_eq!(
            without_credentials("https://x-token:ghp_secret@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }

    /// Services asking for the same image at the same time share one make;
    /// a failure is not remembered.
    #[tokio::test]
    async fn memo_makes_each_key_once_under_concurrency() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let memo: Memo<String> = Memo::default();
        let calls = AtomicUsize::new(0);
        let ask = |key: &'static str| {
            let (memo, calls) = (&memo, &calls);
            async move {
                memo.get_or_make(key.to_string(), || async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(format!("pushed {key}"))
                })
                .await
                .unwrap()
            }
        };
        let results = futures_util::future::join_all(
            ["repo-a", "repo-a", "repo-b", "repo-a", "repo-b"].map(ask),
        )
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(results.iter().filter(|(_, made)| *made).count(), 2);
        assert!(results.iter().all(|(v, _)| v.starts_with("pushed repo-")));

        let failed = memo
            .get_or_make("repo-c".into(), || async { anyhow::bail!("denied") })
            .await;
        assert!(failed.is_err());
        let (value, made) = memo
            .get_or_make("repo-c".into(), || async { Ok("retried".to_string()) })
            .await
            .unwrap();
        assert_eq!((value.as_str(), made), ("retried", true));
    }
}
