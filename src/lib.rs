//! `mcp`: ship MCP servers to AWS ECS Fargate.
//!
//! [`run`] is the one dispatch: it resolves settings from the command line, the
//! environment and mcp.toml, then calls the operation in `ops`. Operations never
//! see clap types; they take settings and a [`ui::Printer`] and return an
//! [`error::ExitStatus`].

pub mod aws;
pub mod cli;
pub mod completions;
pub mod config;
pub mod docker;
pub mod error;
pub mod ops;
pub mod target;
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

/// Add a settings flag, when given, to the resolution inputs.
fn push_flag(inputs: &mut Inputs, key: &'static str, flag: &'static str, value: Option<String>) {
    if let Some(value) = value {
        inputs.flags.push(FlagValue {
            key,
            flag,
            value,
            kind: Kind::Str,
        });
    }
}

/// Run one command.
pub async fn run(cli: Cli, printer: &Printer) -> Result<ExitStatus> {
    let Cli { global, command } = cli;
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
            };
            ops::init::init(&options, printer).await
        }
        Command::Config(args) => {
            let inputs = inputs(&global, args.service.as_ref())?;
            let file = config::require(&inputs)?;
            let settings = config::resolve(Some(&file), &inputs)?;
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
            let inputs = inputs(&global, service.as_ref())?;
            let file = config::require(&inputs)?;
            let settings = config::resolve(Some(&file), &inputs)?;
            let report = ops::image::build_only(&settings, printer, tag.as_deref()).await?;
            printer.data(&report)?;
            Ok(ExitStatus::Success)
        }
        Command::Push(args) => {
            let cli::PushArgs {
                service,
                tag,
                image,
            } = args;
            let inputs = inputs(&global, service.as_ref())?;
            let file = config::require(&inputs)?;
            let settings = config::resolve(Some(&file), &inputs)?;
            let clients = aws::Clients::new(&settings).await;
            let report = match image {
                Some(uri) => {
                    let report = ops::image::verify(&clients, &uri).await?;
                    printer.status("Found", &report.image);
                    report
                }
                None => {
                    ops::image::build_and_push(&settings, printer, &clients, tag.as_deref()).await?
                }
            };
            printer.data(&report)?;
            Ok(ExitStatus::Success)
        }
        Command::Deploy(args) => {
            let cli::DeployArgs {
                service,
                image,
                tag,
                cluster,
                timeout,
                dry_run,
                no_wait,
                force,
            } = args;
            let mut inputs = inputs(&global, service.as_ref())?;
            push_flag(&mut inputs, "ecs.cluster", "--cluster", cluster);
            push_flag(&mut inputs, "deploy.timeout", "--timeout", timeout);
            let file = config::require(&inputs)?;
            let settings = config::resolve(Some(&file), &inputs)?;
            let options = ops::deploy::DeployOptions {
                image,
                tag,
                dry_run,
                no_wait,
                force,
            };
            ops::deploy::deploy(&settings, printer, &options).await
        }
        Command::Rollback(args) => {
            let cli::RollbackArgs {
                service,
                to,
                timeout,
                force,
            } = args;
            let mut inputs = inputs(&global, service.as_ref())?;
            push_flag(&mut inputs, "deploy.timeout", "--timeout", timeout);
            let file = config::require(&inputs)?;
            let settings = config::resolve(Some(&file), &inputs)?;
            ops::rollback::rollback(&settings, printer, to.as_deref(), force).await
        }
        Command::Status(args) => {
            let cli::StatusArgs { service, wait } = args;
            let inputs = inputs(&global, service.as_ref())?;
            let file = config::require(&inputs)?;
            let settings = config::resolve(Some(&file), &inputs)?;
            ops::status::status(&settings, printer, wait).await
        }
        Command::History(args) => {
            let cli::HistoryArgs { service, limit } = args;
            let inputs = inputs(&global, service.as_ref())?;
            let file = config::require(&inputs)?;
            let settings = config::resolve(Some(&file), &inputs)?;
            ops::history::history(&settings, printer, limit).await
        }
        Command::Check(args) => {
            let cli::CheckArgs {
                service,
                url,
                timeout,
            } = args;
            let timeout = config::duration::parse(&timeout).map_err(|e| {
                error::McpError::usage(format!("--timeout: {e}"))
                    .hint(config::duration::DURATION_HINT)
            })?;
            let mut inputs = inputs(&global, service.as_ref())?;
            push_flag(&mut inputs, "deploy.url", "--url", url);
            let file = config::find(&inputs)?;
            let settings = config::resolve(file.as_ref(), &inputs)?;
            ops::check::check(&settings, printer, timeout).await
        }
        Command::Completions(args) => {
            printer.raw(&completions::generate(args.shell))?;
            Ok(ExitStatus::Success)
        }
    }
}
