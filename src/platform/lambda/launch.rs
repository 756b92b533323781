//! `mcp launch` on a Lambda stage: from a Dockerfile to a function whose
//! `live` alias answers MCP at its URL.
//!
//! It looks first (the account, the function, the execution role and its
//! policies), asks once for what needs consent (IAM), then makes what is
//! missing, one status line each: the execution role (when `[lambda] role` is
//! unset), its inline policies, the ECR repository, the image (the build
//! pipeline adds the Lambda Web Adapter), the function (by digest, tagged as
//! mcp's), and waits until Lambda says it is Active. The rest is an ordinary
//! deploy ([`super::deploy`]): publish a version, the aliases and their URLs,
//! the gate on `candidate`, `live` moved, the MCP check. Run again on a
//! launched stage it says so and changes nothing; after a launch that stopped
//! half-way it carries on, since every step looks before it makes.
//!
//! The execution role mcp makes, its policies and tags are [`super::role`]'s;
//! the function carries [`TAG_LAUNCHED_BY`] (and [`TAG_ROLE`] naming the
//! role mcp made for it), which is what `mcp destroy` goes by
//! ([`super::destroy`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use aws_sdk_lambda::types::{Architecture, Environment, FunctionCode, PackageType};
use serde::Serialize;

use super::role::{PRINCIPAL, Place, Role, make_role, secret_resources};
use super::{LIVE, endpoint};
use crate::aws::Clients;
use crate::aws::denied::sdk_error;
use crate::aws::iam;
use crate::aws::lambda::{self, Settled};
use crate::config::{LambdaArchitecture, Settings, TargetKind, UrlAuth};
use crate::error::McpError;
use crate::platform::ecs_express::launch::LaunchStatus;
use crate::platform::{DeployRequest, Prepared};
use crate::probe::CheckReport;
use crate::release::build::{self, BuildMemo};
use crate::release::report::seconds_since;
use crate::release::{DeployStatus, Report};
use crate::ui::Printer;

/// On the function: the name of the execution role `mcp launch` made for it.
pub const TAG_ROLE: &str = "mcp:role";
pub use super::role::TAG_LAUNCHED_BY;

/// CreateFunction from the pinned image, tagged as mcp's. A role made
/// moments ago may not be assumable yet (IAM is eventually consistent): that
/// refusal is retried for up to a minute, for a fresh role only.
#[allow(clippy::too_many_arguments)]
pub async fn create_function(
    clients: &Clients,
    printer: &Printer,
    settings: &Settings,
    place: &Place,
    image: &str,
    role_arn: &str,
    fresh: bool,
    role_made_for_it: Option<&str>,
) -> Result<()> {
    let lambda_settings = &settings.lambda;
    let mut tags: HashMap<String, String> =
        [(TAG_LAUNCHED_BY, env!("CARGO_PKG_VERSION").to_string())]
            .into_iter()
            .chain(crate::release::cost::tags::of(settings))
            .map(|(k, v)| (k.to_string(), v))
            .collect();
    if let Some(role) = role_made_for_it {
        tags.insert(TAG_ROLE.to_string(), role.to_string());
    }
    let architecture = match lambda_settings.architecture {
        LambdaArchitecture::X86_64 => Architecture::X8664,
        LambdaArchitecture::Arm64 => Architecture::Arm64,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        crate::cancel::check("before creating the function")?;
        let result = clients
            .lambda
            .create_function()
            .function_name(&place.function)
            .package_type(PackageType::Image)
            .code(FunctionCode::builder().image_uri(image).build())
            .role(role_arn)
            .memory_size(i32::try_from(lambda_settings.memory).unwrap_or(i32::MAX))
            .timeout(i32::try_from(lambda_settings.timeout.as_secs().max(1)).unwrap_or(900))
            .architectures(architecture.clone())
            .description(format!(
                "MCP server {} (made by mcp launch)",
                settings.service_or_name()
            ))
            .environment(
                Environment::builder()
                    .set_variables(Some(
                        super::deploy::environment(settings).into_iter().collect(),
                    ))
                    .build(),
            )
            .set_tags(Some(tags.clone()))
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        let text = crate::aws::describe(&err);
        let invalid = err
            .as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_value_exception());
        if invalid && text.contains("assume") {
            if fresh && Instant::now() < deadline {
                printer.detail(
                    1,
                    format!("Lambda cannot assume the new role yet ({text}); retrying"),
                );
                tokio::time::sleep(Duration::from_secs(3)).await;
                continue;
            }
            return Err(anyhow::anyhow!(text).context(
                McpError::usage(format!("Lambda cannot assume IAM role {role_arn}"))
                    .hint(format!("the role must trust {PRINCIPAL}; set `lambda.role` to one that does, or remove it and `mcp launch` makes one")),
            ));
        }
        return Err(sdk_error(
            err,
            "lambda:CreateFunction",
            &format!(
                "arn:{}:lambda:{}:{}:function:{}",
                place.partition, place.region, place.account, place.function
            ),
            format!("creating Lambda function `{}`", place.function),
        ));
    }
}

/// What a launch did; printed as text (the URL) or JSON.
#[derive(Debug, Clone, Serialize)]
pub struct LaunchReport {
    pub status: LaunchStatus,
    pub region: String,
    pub function: String,
    pub function_arn: String,
    pub role: String,
    /// The MCP endpoint on the `live` alias's URL; none when nothing went live.
    pub url: Option<String>,
    pub image: Option<String>,
    /// What this run created or changed.
    pub created: Vec<String>,
    pub config_file: PathBuf,
    pub duration_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
    /// The deploy that put the first version live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<Report>,
}

impl fmt::Display for LaunchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.url {
            Some(url) => writeln!(f, "{url}"),
            None => Ok(()),
        }
    }
}

/// What `mcp launch` records in mcp.toml for a Lambda stage.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub region: String,
    pub function: String,
    /// The execution role's ARN.
    pub role: String,
}

/// Launch (or finish launching) the stage's function. `record` writes what
/// other commands need into mcp.toml (and says so) once the function exists.
pub async fn launch(
    settings: &Settings,
    printer: &Printer,
    config_file: &Path,
    record: &(dyn Fn(&Recorded) -> Result<()> + Sync),
) -> Result<LaunchReport> {
    let started = Instant::now();
    debug_assert_eq!(settings.target, TargetKind::Lambda);
    crate::docker::build::preflight(&settings.build.context, &settings.build.dockerfile)?;
    let clients = Clients::new(settings).await;
    let place = Place::resolve(settings, &clients).await?;
    let name = &place.function;

    // 1. Look: the function (only mcp's is launched upon), the role.
    let existing = lambda::get_function(&clients.lambda, name, None).await?;
    let mut existing_tags = BTreeMap::new();
    if let Some(function) = &existing {
        existing_tags = lambda::tags(&clients.lambda, &function.arn).await?;
        if !existing_tags.contains_key(TAG_LAUNCHED_BY) {
            return Err(McpError::usage(format!(
                "Lambda function `{name}` already exists in {} and was not made by `mcp launch`",
                place.region
            ))
            .hint(format!(
                "deploy to it with `mcp deploy{}` (set `lambda.role` to its role), or launch under another name with `[lambda] function = \"NAME\"`",
                stage_flag(settings)
            ))
            .into());
        }
    }
    let role = super::role::look_role(&clients, settings, &place).await?;
    let (_, _, unreadable) = secret_resources(&settings.secrets, &place);
    if !unreadable.is_empty() && role.ours {
        printer.warn(format!(
            "`secrets.{}` is neither a Secrets Manager secret nor an SSM parameter: the role mcp makes is not allowed to read it",
            unreadable.join("`, `secrets.")
        ));
    }
    let changes = role.lines(&place);
    let live = match &existing {
        Some(function) => lambda::get_alias(&clients.lambda, &function.name, LIVE).await?,
        None => None,
    };
    let live_url = match &live {
        Some(_) => lambda::get_url(&clients.lambda, name, LIVE).await?,
        None => None,
    };
    let recorded = settings.lambda.role.as_deref().map(iam::role_name) == Some(role.name.as_str());
    if let (Some(function), Some(_), Some(url), true) = (&existing, &live, &live_url, recorded) {
        let mut created = Vec::new();
        if !changes.is_empty() {
            // The role's policies follow `[secrets]`: the one thing a rerun brings up to date.
            crate::platform::ecs_express::consent(
                printer,
                "mcp launch will change:",
                &changes,
                "mcp launch",
            )?;
            make_role(&clients, printer, &place, &role, &mut created).await?;
            created.extend(role.changes.iter().map(|c| c.line.clone()));
        }
        let arn = role.arn.clone().unwrap_or_default();
        record(&Recorded {
            region: place.region.clone(),
            function: name.clone(),
            role: arn.clone(),
        })?;
        return Ok(LaunchReport {
            status: LaunchStatus::AlreadyLaunched,
            region: place.region.clone(),
            function: name.clone(),
            function_arn: function.arn.clone(),
            role: arn,
            url: Some(
                settings
                    .deploy
                    .url
                    .clone()
                    .unwrap_or_else(|| endpoint(settings, &url.url)),
            ),
            image: function.image.clone(),
            created,
            config_file: config_file.to_path_buf(),
            duration_s: seconds_since(started),
            check: None,
            release: None,
        });
    }
    if existing.is_some() {
        printer.status(
            "Found",
            format!(
                "Lambda function {name} from an earlier launch that did not finish; carrying on"
            ),
        );
    }
    if !changes.is_empty() {
        crate::platform::ecs_express::consent(
            printer,
            "mcp launch will create in your AWS account:",
            &changes,
            "mcp launch",
        )?;
    }

    // 2. Make what is missing, then deploy.
    let mut made = Vec::new();
    let result = make_and_deploy(
        settings,
        printer,
        &clients,
        &place,
        &role,
        existing.as_ref().map(|f| (f, &existing_tags)),
        &mut made,
        record,
    )
    .await;
    let (function_arn, role_arn, image, release) = match result {
        Ok(done) => done,
        Err(err) => {
            if !made.is_empty() {
                printer.warn(format!(
                    "launch stopped half-way; made by this run: {}. Run `mcp launch{}` again to carry on from here (or `mcp destroy{} --all-resources` to remove what it made)",
                    made.join(", "),
                    stage_flag(settings),
                    stage_flag(settings),
                ));
            }
            return Err(err);
        }
    };
    let healthy = release.status == DeployStatus::Succeeded
        && release.check.as_ref().is_none_or(|c| c.healthy);
    Ok(LaunchReport {
        status: if healthy {
            LaunchStatus::Launched
        } else {
            LaunchStatus::CheckFailed
        },
        region: place.region.clone(),
        function: name.clone(),
        function_arn,
        role: role_arn,
        url: release.client_url.clone(),
        image: Some(image),
        created: made,
        config_file: config_file.to_path_buf(),
        duration_s: seconds_since(started),
        check: release
            .check
            .clone()
            .or_else(|| release.gate.as_ref().map(|g| g.check.clone())),
        release: Some(release),
    })
}

/// ` --stage NAME` when a stage is selected.
fn stage_flag(settings: &Settings) -> String {
    settings
        .stage
        .as_deref()
        .map(|s| format!(" --stage {s}"))
        .unwrap_or_default()
}

/// Role, repository, image, function; then the first deploy through the
/// Lambda platform. `(function ARN, role ARN, image, the deploy's report)`.
#[allow(clippy::too_many_arguments)]
async fn make_and_deploy(
    settings: &Settings,
    printer: &Printer,
    clients: &Clients,
    place: &Place,
    role: &Role,
    existing: Option<(&lambda::Function, &BTreeMap<String, String>)>,
    made: &mut Vec<String>,
    record: &(dyn Fn(&Recorded) -> Result<()> + Sync),
) -> Result<(String, String, String, Report)> {
    let name = &place.function;
    let (role_arn, fresh) = make_role(clients, printer, place, role, made).await?;
    made.extend(role.changes.iter().map(|c| match c.document {
        Some(_) => format!("inline policy `{}` on {}", c.name, role.name),
        None => format!("inline policy `{}` removed from {}", c.name, role.name),
    }));

    crate::cancel::check("before creating the ECR repository")?;
    let (repository, created) =
        crate::aws::ecr::repository(&clients.ecr, &settings.ecr.repository, true).await?;
    if created {
        made.push(format!("ECR repository {}", settings.ecr.repository));
        printer.status("Created", format!("ECR repository {}", repository.uri));
    }
    let mut settings = settings.clone();
    settings.ecr.create = true;
    settings.lambda.role = Some(role_arn.clone());
    let pushed =
        build::build_and_push(&settings, printer, clients, None, &BuildMemo::default()).await?;
    // By digest alone: what Lambda resolves and keeps, whatever the tag does later.
    let image = match &pushed.image.digest {
        Some(digest) => format!("{}@{digest}", pushed.image.name()),
        None => pushed.image.to_string(),
    };

    let function_arn = match existing {
        Some((function, _)) => function.arn.clone(),
        None => {
            printer.status(
                "Creating",
                format!("Lambda function {name} ({}) from {image}", place.region),
            );
            let role_made = role.ours.then_some(role.name.as_str());
            create_function(
                clients, printer, &settings, place, &image, &role_arn, fresh, role_made,
            )
            .await?;
            made.push(format!("Lambda function {name}"));
            lambda::get_function(&clients.lambda, name, None)
                .await?
                .map(|f| f.arn)
                .unwrap_or_default()
        }
    };
    if let Settled::Failed(reason) =
        lambda::wait_settled(&clients.lambda, name, settings.deploy.timeout).await?
    {
        if existing.is_none() {
            return Err(McpError::new(format!("Lambda could not create function `{name}`: {reason}"))
                .hint(format!("see why with `mcp logs{}`; fix the image, then run `mcp launch` again (it ships the new image to the same function)", stage_flag(&settings)))
                .into());
        }
        // An earlier launch's function that failed: the deploy below ships the new image to it.
        printer.detail(
            1,
            format!("the function's last update failed ({reason}); deploying the new image"),
        );
    } else if existing.is_none() {
        printer.status("Active", format!("Lambda function {name}"));
    }
    // From here on every other command finds the function.
    record(&Recorded {
        region: place.region.clone(),
        function: name.clone(),
        role: role_arn.clone(),
    })?;

    let request = DeployRequest {
        image: Some(pushed.image.to_string()),
        ..Default::default()
    };
    let platform = crate::platform::for_settings(&settings);
    let prepared = platform
        .prepare(&settings, printer, &request, &BuildMemo::default())
        .await?;
    let Prepared::Ready(ready) = prepared else {
        anyhow::bail!("the Lambda deploy returned a plan where a release was asked for");
    };
    let report = ready.roll_out(&settings, printer, &request).await?;
    Ok((function_arn, role_arn, pushed.image.to_string(), report))
}

/// The snippet that connects an MCP client to the launched stage.
pub fn client_snippet(settings: &Settings, region: &str, url: &str) -> String {
    let name = settings.service_or_name();
    match settings.lambda.url_auth {
        UrlAuth::None => crate::release::report::client_snippet(name, url),
        UrlAuth::AwsIam => crate::release::report::client_snippet_aws_iam(name, url, Some(region)),
    }
}
