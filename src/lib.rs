//! `mcp`: ship MCP servers to AWS ECS Fargate.
//!
//! [`run`] is the one dispatch: it resolves settings from the command line, the
//! environment and mcp.toml, then calls the command in `ops`. Commands never
//! see clap types; they take settings and a [`ui::Printer`] and return an
//! [`error::ExitStatus`]. Where a release runs is the [`platform`]'s business,
//! chosen inside the commands by [`platform::for_settings`]: nothing here
//! branches on it. ARCHITECTURE.md draws the layers.
//!
//! All output goes through the [`ui::Printer`]; `println!` and `eprintln!`
//! (which panic on a closed stream) are denied crate-wide.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod aws;
pub mod cancel;
pub mod cli;
pub mod completions;
pub mod config;
pub mod docker;
pub mod error;
pub mod files;
pub mod ops;
pub mod platform;
pub mod probe;
pub mod release;
pub mod ui;

use anyhow::Result;

use cli::{Cli, Command, GlobalArgs};
use config::{FlagValue, Inputs, Kind};
use error::ExitStatus;
use ui::{OutputFormat, Printer, PrinterOptions};

/// The printer the command line asks for (`--output` beats `MCP_OUTPUT`).
pub fn printer_for(cli: &Cli) -> Printer {
    let g = &cli.global;
    let format =
        g.output.unwrap_or_else(
            || match std::env::var(config::schema::env::OUTPUT).as_deref() {
                Ok("json") => OutputFormat::Json,
                _ => OutputFormat::Text,
            },
        );
    Printer::new(&PrinterOptions {
        format,
        quiet: g.quiet,
        verbose: g.verbose,
        no_progress: g.no_progress,
        yes: g.yes,
    })
}

/// Resolution inputs from the global flags (and, for commands that name one, a service).
fn inputs(global: &GlobalArgs, service: Option<&String>) -> Result<Inputs> {
    // Destructured so that a new global flag cannot be forgotten here.
    let GlobalArgs {
        config,
        stage,
        output: _,
        region,
        profile,
        quiet: _,
        verbose: _,
        no_progress: _,
        yes: _,
    } = global;
    let mut inputs = Inputs::from_process()?;
    inputs.config = config.clone();
    inputs.stage = stage.clone();
    inputs.service = service.cloned();
    if let Some(region) = region {
        inputs.flags.push(FlagValue {
            key: "region",
            flag: "--region",
            value: region.clone(),
            kind: Kind::Str,
        });
    }
    if let Some(profile) = profile {
        inputs.flags.push(FlagValue {
            key: "profile",
            flag: "--profile",
            value: profile.clone(),
            kind: Kind::Str,
        });
    }
    Ok(inputs)
}

/// The settings of one service (or the project), with extra settings flags:
/// the file must exist.
fn settings(
    global: &GlobalArgs,
    service: Option<&String>,
    flags: Vec<FlagValue>,
) -> Result<config::Settings> {
    let mut inputs = inputs(global, service)?;
    inputs.flags.extend(flags);
    let file = config::require(&inputs)?;
    config::resolve(Some(&file), &inputs)
}

/// The settings of a preview: as [`settings`], with `[stages.preview]`
/// applied when the file declares it and no other stage was chosen.
fn preview_settings(
    global: &GlobalArgs,
    service: Option<&String>,
    flags: Vec<FlagValue>,
) -> Result<config::Settings> {
    let plain = settings(global, service, flags.clone())?;
    if plain.stage.is_some() || !plain.declared_stages.contains_key("preview") {
        return Ok(plain);
    }
    let mut inputs = inputs(global, service)?;
    inputs.stage = Some("preview".into());
    inputs.flags.extend(flags);
    let file = config::require(&inputs)?;
    config::resolve(Some(&file), &inputs)
}

/// Add a settings flag, when given, to the resolution inputs.
fn push_flag(inputs: &mut Inputs, key: &'static str, flag: &'static str, value: Option<String>) {
    let mut flags = Vec::new();
    self::flag(&mut flags, key, flag, value);
    inputs.flags.extend(flags);
}

/// A settings flag, when given.
fn flag(flags: &mut Vec<FlagValue>, key: &'static str, flag: &'static str, value: Option<String>) {
    if let Some(value) = value {
        flags.push(FlagValue {
            key,
            flag,
            value,
            kind: Kind::Str,
        });
    }
}

/// Settings of several services: the named ones, or with `all` every
/// `[services.<name>]` (the top level alone when there are none).
fn resolve_many(
    global: &GlobalArgs,
    names: &[String],
    all: bool,
) -> Result<Vec<(String, config::Settings)>> {
    resolve_many_with(global, names, all, &[])
}

fn resolve_many_with(
    global: &GlobalArgs,
    names: &[String],
    all: bool,
    flags: &[FlagValue],
) -> Result<Vec<(String, config::Settings)>> {
    let base = inputs(global, None)?;
    let file = config::require(&base)?;
    let mut names: Vec<Option<String>> = names.iter().cloned().map(Some).collect();
    if all {
        names = config::service_names(Some(&file))
            .into_iter()
            .map(Some)
            .collect();
        if names.is_empty() {
            names.push(None);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mut inputs = base.clone();
            inputs.service = name.clone();
            inputs.flags.extend(flags.iter().cloned());
            let settings = config::resolve(Some(&file), &inputs)?;
            Ok((name.unwrap_or_else(|| settings.name.clone()), settings))
        })
        .collect()
}

/// `mcp status --stages`: resolve every service of each stage (all stages,
/// the top level first, when `names` is empty); a stage that does not resolve
/// is reported, not fatal.
async fn status_stages(
    global: &GlobalArgs,
    names: Vec<String>,
    printer: &Printer,
) -> Result<ExitStatus> {
    let base = inputs(global, None)?;
    let file = config::require(&base)?;
    let names: Vec<Option<String>> = if names.is_empty() {
        std::iter::once(None)
            .chain(config::stage_names(&file).into_iter().map(Some))
            .collect()
    } else {
        names.into_iter().map(Some).collect()
    };
    let stages = names
        .into_iter()
        .map(|name| {
            let services =
                stage_services(&base, &file, name.clone()).map_err(|err| error::one_line(&err));
            ops::stages::Stage { name, services }
        })
        .collect();
    ops::stages::status_stages(stages, &file.dir, printer).await
}

/// Every service of one stage (`None`: the top level, whatever `--stage` or
/// `MCP_STAGE` say).
fn stage_services(
    base: &Inputs,
    file: &config::ConfigFile,
    stage: Option<String>,
) -> Result<Vec<(String, config::Settings)>> {
    let mut base = base.clone();
    if stage.is_none() {
        base.env.remove(config::schema::env::STAGE);
    }
    base.stage = stage;
    let mut names: Vec<Option<String>> = config::service_names(Some(file))
        .into_iter()
        .map(Some)
        .collect();
    if names.is_empty() {
        names.push(None);
    }
    names
        .into_iter()
        .map(|name| {
            let mut inputs = base.clone();
            inputs.service = name.clone();
            let settings = config::resolve(Some(file), &inputs)?;
            Ok((name.unwrap_or_else(|| settings.name.clone()), settings))
        })
        .collect()
}

/// A credential of this machine that `MCP_ALLOW_CREDENTIAL_ENV` lets go
/// out as a token: say which host gets it, before it is sent (issue 26 item 3).
fn warn_credential_destination(settings: &config::Settings, printer: &Printer) {
    let deploy = &settings.deploy;
    let vars = [
        deploy.auth_token_env.as_deref(),
        deploy.auth.as_ref().map(|a| a.client_secret_env.as_str()),
    ];
    let host = deploy
        .url
        .as_deref()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string));
    for var in vars.into_iter().flatten() {
        if config::is_credential_variable(var)
            && let Some(host) = &host
        {
            printer.warn(format!(
                "sending {var} to `{host}` (allowed by {})",
                config::schema::env::ALLOW_CREDENTIAL_ENV
            ));
        }
    }
}

/// Run one command.
pub async fn run(cli: Cli, printer: &Printer) -> Result<ExitStatus> {
    let Cli {
        global, command, ..
    } = cli;
    match command {
        Command::Init(args) => {
            let inputs = inputs(&global, None)?;
            let cli::InitArgs {
                name,
                cluster,
                service,
                repository,
                container,
                url,
                dockerfile,
                force,
                from_service,
            } = args;
            let options = ops::init::InitOptions {
                dir: inputs.cwd.clone(),
                path: global.config.clone(),
                name,
                region: global.region.clone(),
                cluster,
                service,
                repository,
                container,
                url,
                dockerfile,
                force,
                from_service,
            };
            ops::init::init(&options, printer).await
        }
        Command::Config(args) => {
            let cli::ConfigArgs { service, all } = args;
            if all {
                let services = resolve_many(&global, &[], true)?;
                return ops::config::show_all(&services, printer);
            }
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::config::show(&settings, printer)
        }
        Command::Doctor(args) => {
            let inputs = inputs(&global, args.service.as_ref())?;
            let file = config::find(&inputs)?;
            let settings = config::resolve(file.as_ref(), &inputs)?;
            ops::doctor::doctor(&settings, printer).await
        }
        Command::Build(args) => {
            let cli::BuildArgs { service, tag } = args;
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::build::build(&settings, printer, tag.as_deref()).await
        }
        Command::Push(args) => {
            let cli::PushArgs {
                service,
                tag,
                image,
            } = args;
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::push::push(&settings, printer, tag.as_deref(), image.as_deref()).await
        }
        Command::Deploy(args) => {
            let cli::DeployArgs {
                services,
                all,
                jobs,
                image,
                tag,
                cluster,
                timeout,
                dry_run,
                no_wait,
                force,
                no_check,
                allow_breaking,
                allow_over_limit,
                logs,
                wait_until,
                preview,
            } = args;
            let mut flags = Vec::new();
            flag(&mut flags, "ecs.cluster", "--cluster", cluster);
            flag(&mut flags, "deploy.timeout", "--timeout", timeout);
            let options = platform::DeployRequest {
                image,
                tag,
                dry_run,
                no_wait,
                force,
                no_check,
                allow_breaking,
                allow_over_limit,
                logs,
                wait_until: match wait_until {
                    cli::WaitUntilArg::Shifted => {
                        platform::ecs_progressive::follow::WaitUntil::Shifted
                    }
                    cli::WaitUntilArg::Complete => {
                        platform::ecs_progressive::follow::WaitUntil::Complete
                    }
                },
            };
            if all || services.len() > 1 {
                let resolved = resolve_many_with(&global, &services, all, &flags)?;
                if options.image.is_some() && resolved.len() > 1 {
                    return Err(error::McpError::usage(
                        "--image names one image; it cannot deploy several services",
                    )
                    .hint("deploy one service with --image, or drop --image to build each")
                    .into());
                }
                return ops::fleet::deploy_many(&resolved, printer, &options, jobs).await;
            }
            if let Some(name) = preview {
                if all || services.len() > 1 {
                    return Err(error::McpError::usage("--preview deploys one service")
                        .hint("name one `[services.<NAME>]`, or none for the project's")
                        .into());
                }
                let settings = preview_settings(&global, services.first(), flags)?;
                return ops::previews::deploy(&settings, printer, &name, &options).await;
            }
            let settings = settings(&global, services.first(), flags)?;
            ops::deploy::deploy(&settings, printer, &options).await
        }
        Command::Rollback(args) => {
            let cli::RollbackArgs {
                service,
                to,
                timeout,
                force,
            } = args;
            let mut flags = Vec::new();
            flag(&mut flags, "deploy.timeout", "--timeout", timeout);
            let settings = settings(&global, service.as_ref(), flags)?;
            let request = platform::RollbackRequest { to, force };
            ops::rollback::rollback(&settings, printer, &request).await
        }
        Command::Restart(args) => {
            let cli::RestartArgs {
                service,
                timeout,
                force,
            } = args;
            let mut flags = Vec::new();
            flag(&mut flags, "deploy.timeout", "--timeout", timeout);
            let settings = settings(&global, service.as_ref(), flags)?;
            let request = platform::RestartRequest { force };
            ops::restart::restart(&settings, printer, &request).await
        }
        Command::Status(args) => {
            let cli::StatusArgs {
                service,
                all,
                wait,
                stages,
            } = args;
            if let Some(names) = stages {
                return status_stages(&global, names, printer).await;
            }
            if all {
                let services = resolve_many(&global, &[], true)?;
                return ops::fleet::status_all(&services, printer).await;
            }
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::status::status(&settings, printer, wait).await
        }
        Command::Cost(args) => {
            let cli::CostArgs {
                service,
                stages,
                since,
                by,
            } = args;
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            let by = match by {
                None => ops::cost::By::Total,
                Some(cli::CostByArg::Day) => ops::cost::By::Day,
                Some(cli::CostByArg::Service) => ops::cost::By::Service,
            };
            let request = ops::cost::CostRequest { stages, since, by };
            ops::cost::cost(&settings, printer, &request).await
        }
        Command::History(args) => {
            let cli::HistoryArgs { service, limit } = args;
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::history::history(&settings, printer, limit).await
        }
        Command::Scale(args) => {
            let cli::ScaleArgs { args, no_wait } = args;
            let (service, count) = match args.as_slice() {
                [count] => (None, count),
                [service, count] => (Some(service.clone()), count),
                _ => unreachable!("clap takes one or two values"),
            };
            let count: i32 = count.parse().map_err(|_| {
                error::McpError::usage(format!("`{count}` is not a task count"))
                    .hint("usage: mcp scale [SERVICE] COUNT, e.g. `mcp scale slack 0`")
            })?;
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::scale::scale(&settings, printer, count, !no_wait).await
        }
        Command::Secrets(command) => {
            let (service, action) = match command {
                cli::SecretsCommand::Set(cli::SecretArgs { name, service }) => {
                    (service, ("set", Some(name)))
                }
                cli::SecretsCommand::Rm(cli::SecretArgs { name, service }) => {
                    (service, ("rm", Some(name)))
                }
                cli::SecretsCommand::List(cli::SecretsListArgs { service }) => {
                    (service, ("list", None))
                }
            };
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            match action {
                ("set", Some(name)) => ops::secrets::set(&settings, printer, &name).await,
                ("rm", Some(name)) => ops::secrets::remove(&settings, printer, &name).await,
                _ => ops::secrets::list(&settings, printer).await,
            }
        }
        Command::Down(args) => {
            let cli::DownArgs { service } = args;
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::down::down(&settings, printer).await
        }
        Command::Logs(args) => {
            let cli::LogsArgs {
                service,
                since,
                until,
                filter,
                task,
                revision,
                follow,
                live,
                log_group,
                raw,
            } = args;
            let printer = &printer.with_raw(raw);
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            let request = platform::LogsRequest {
                since,
                until,
                filter,
                task,
                revision,
                follow,
                live,
                log_group,
            };
            ops::logs::logs(&settings, printer, &request).await
        }
        Command::Check(args) => {
            let cli::CheckArgs {
                service,
                url,
                timeout,
                protocol,
                health_path,
                calls,
                save_contract,
                baseline,
                allow_breaking,
            } = args;
            let timeout = config::duration::parse(&timeout).map_err(|e| {
                error::McpError::usage(format!("--timeout: {e}"))
                    .hint(config::duration::DURATION_HINT)
            })?;
            let calls = calls
                .iter()
                .map(|c| probe::Call::parse(c))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| {
                    error::McpError::usage(format!("--call {e}")).hint(
                        "write `--call TOOL` or `--call 'TOOL={\"id\":1}'` (JSON object arguments)",
                    )
                })?;
            let mut inputs = inputs(&global, service.as_ref())?;
            push_flag(&mut inputs, "deploy.url", "--url", url);
            push_flag(&mut inputs, "deploy.protocol", "--protocol", protocol);
            push_flag(
                &mut inputs,
                "deploy.health_path",
                "--health-path",
                health_path,
            );
            let file = config::find(&inputs)?;
            let settings = config::resolve(file.as_ref(), &inputs)?;
            warn_credential_destination(&settings, printer);
            let contract = ops::check::ContractFlags {
                save: save_contract,
                baseline,
                allow_breaking,
            };
            ops::check::check(&settings, printer, timeout, calls, contract).await
        }
        Command::Launch(args) => {
            let cli::LaunchArgs { name } = args;
            let mut inputs = inputs(&global, None)?;
            push_flag(&mut inputs, "name", "--name", name.clone());
            let file = config::find(&inputs)?;
            let settings = config::resolve(file.as_ref(), &inputs)?;
            let options = ops::launch::LaunchOptions {
                dir: inputs.cwd.clone(),
                name,
            };
            ops::launch::launch(&settings, printer, &options).await
        }
        Command::Destroy(args) => {
            let cli::DestroyArgs {
                service,
                all_resources,
                preview,
            } = args;
            if let Some(name) = preview {
                let settings = preview_settings(&global, service.as_ref(), Vec::new())?;
                return ops::previews::destroy(&settings, printer, &name, all_resources).await;
            }
            let settings = settings(&global, service.as_ref(), Vec::new())?;
            ops::destroy::destroy(&settings, printer, all_resources).await
        }
        Command::Previews(args) => {
            let cli::PreviewsArgs { command, check } = args;
            let settings = preview_settings(&global, None, Vec::new())?;
            match command {
                None => ops::previews::list(&settings, printer, check).await,
                Some(cli::PreviewsCommand::Prune(prune)) => {
                    let cli::PruneArgs {
                        older_than,
                        keep,
                        dry_run,
                    } = prune;
                    ops::previews::prune(&settings, printer, older_than.as_deref(), &keep, dry_run)
                        .await
                }
            }
        }
        Command::Completions(args) => {
            printer.raw(&completions::generate(args.shell, &cli::invoked_name()))?;
            Ok(ExitStatus::Success)
        }
    }
}
