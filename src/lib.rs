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
    let format = g.output.unwrap_or_else(|| match std::env::var(config::schema::env::OUTPUT).as_deref() {
        Ok("json") => OutputFormat::Json,
        _ => OutputFormat::Text,
    });
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
    let GlobalArgs { config, stage, output: _, region, profile, quiet: _, verbose: _, no_progress: _, yes: _ } = global;
    let mut inputs = Inputs::from_process()?;
    inputs.config = config.clone();
    inputs.stage = stage.clone();
    inputs.service = service.cloned();
    if let Some(region) = region {
        inputs.flags.push(FlagValue { key: "region", flag: "--region", value: region.clone(), kind: Kind::Str });
    }
    if let Some(profile) = profile {
        inputs.flags.push(FlagValue { key: "profile", flag: "--profile", value: profile.clone(), kind: Kind::Str });
    }
    Ok(inputs)
}

/// Run one command.
pub async fn run(cli: Cli, printer: &Printer) -> Result<ExitStatus> {
    let Cli { global, command } = cli;
    match command {
        Command::Init(args) => {
            let inputs = inputs(&global, None)?;
            let cli::InitArgs { name, cluster, service, repository, container, url, dockerfile, force } = args;
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
        Command::Completions(args) => {
            printer.raw(&completions::generate(args.shell))?;
            Ok(ExitStatus::Success)
        }
    }
}
