//! `mcp launch`: from a directory with a Dockerfile to a checked public MCP URL.
//!
//! Looks first (region, an existing service, the roles), asks once for what
//! needs consent (IAM roles), then makes what is missing: the roles, the log
//! group, the ECR repository, the image, the Express service. It waits for the
//! service's URL and its first deployment, runs the MCP check against
//! `<url>/mcp`, and writes the result into mcp.toml, so every other command
//! works on the service from then on. Run again on a launched project it says
//! so and changes nothing; run again after a launch that stopped half-way it
//! carries on from there.
//!
//! On a Lambda stage (`target = "lambda"`) the platform's launch makes the
//! role, repository, image and function and ships the first version through
//! the ordinary Lambda deploy (`platform::lambda::launch`); this records
//! `target`, `[lambda] function` and `role` in the stage's table.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::{FILE_NAME, Settings, TargetKind};
use crate::error::ExitStatus;
use crate::platform::ecs_express::Location;
use crate::platform::ecs_express::launch::{self, LaunchStatus};
use crate::platform::lambda::launch as lambda;
use crate::release::report;
use crate::ui::Printer;

/// What `mcp launch` was asked.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// The working directory: where mcp.toml is written when there is none.
    pub dir: PathBuf,
    /// `--name`: also written into mcp.toml.
    pub name: Option<String>,
}
/// `mcp launch`: the platform makes (or finishes) the service; this records it
/// in mcp.toml, prints the client snippet and the report.
pub async fn launch(
    settings: &Settings,
    printer: &Printer,
    options: &LaunchOptions,
) -> Result<ExitStatus> {
    let config_file = settings
        .config_file
        .clone()
        .unwrap_or_else(|| options.dir.join(FILE_NAME));
    if settings.target == TargetKind::Lambda {
        return launch_lambda(settings, printer, options, &config_file).await;
    }
    let record = |location: &Location, url: &str| -> Result<()> {
        write_config(&config_file, settings, options, location, url)?;
        printer.status(
            "Wrote",
            format!(
                "{} ([ecs] express = true, deploy.url)",
                config_file.display()
            ),
        );
        Ok(())
    };
    let report = launch::launch(settings, printer, &config_file, &record).await?;
    let exit = match report.status {
        LaunchStatus::AlreadyLaunched => {
            printer.status(
                "Launched",
                format!(
                    "already: {} answers at {}; nothing changed (`mcp deploy` ships changes)",
                    report.service, report.url
                ),
            );
            ExitStatus::Success
        }
        LaunchStatus::Launched => {
            let name = settings.service_or_name();
            printer.note(format!(
                "\nAdd it to an MCP client:\n{}\n",
                report::client_snippet(name, &report.url)
            ));
            printer.status(
                "Launched",
                format!(
                    "{} at {} in {:.0}s",
                    report.service, report.url, report.duration_s
                ),
            );
            ExitStatus::Success
        }
        LaunchStatus::CheckFailed => {
            let check = report.check.as_ref();
            printer.warn(format!(
                "{} runs at {}, but the MCP check failed at {}: {}; fix the server and ship it with `mcp deploy`",
                report.service,
                report.url,
                check
                    .and_then(|c| c.failed_step)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                check.and_then(|c| c.error.as_deref()).unwrap_or("?"),
            ));
            ExitStatus::Failure
        }
    };
    printer.data(&report)?;
    Ok(exit)
}

/// `mcp launch` on a Lambda stage: the platform makes (or finishes) the
/// function and its first release; this records it in mcp.toml, prints the
/// client snippet and the report.
async fn launch_lambda(
    settings: &Settings,
    printer: &Printer,
    options: &LaunchOptions,
    config_file: &Path,
) -> Result<ExitStatus> {
    let record = |recorded: &lambda::Recorded| -> Result<()> {
        if write_lambda_config(config_file, settings, options, recorded)? {
            printer.status(
                "Wrote",
                format!(
                    "{} (target = \"lambda\", [lambda] function and role)",
                    config_file.display()
                ),
            );
        }
        Ok(())
    };
    let report = lambda::launch(settings, printer, config_file, &record).await?;
    let exit = match report.status {
        LaunchStatus::AlreadyLaunched => {
            printer.status(
                "Launched",
                format!(
                    "already: {} answers at {}; nothing changed (`mcp deploy` ships changes)",
                    report.function,
                    report.url.as_deref().unwrap_or("?")
                ),
            );
            ExitStatus::Success
        }
        LaunchStatus::Launched => {
            if let Some(url) = &report.url {
                printer.note(format!(
                    "\nAdd it to an MCP client:\n{}\n",
                    lambda::client_snippet(settings, &report.region, url)
                ));
            }
            printer.status(
                "Launched",
                format!(
                    "{} at {} in {:.0}s",
                    report.function,
                    report.url.as_deref().unwrap_or("?"),
                    report.duration_s
                ),
            );
            ExitStatus::Success
        }
        LaunchStatus::CheckFailed => {
            let release = report.release.as_ref();
            printer.warn(format!(
                "Lambda function {} exists, but its first version did not go live: {}; fix the server and ship it with `mcp deploy{}`",
                report.function,
                release.and_then(|r| r.reason.as_deref()).unwrap_or("the MCP check failed"),
                settings.stage.as_deref().map(|s| format!(" --stage {s}")).unwrap_or_default(),
            ));
            // Nothing was live before, so nothing to restore: a failure, as an Express launch's.
            ExitStatus::Failure
        }
    };
    printer.data(&report)?;
    Ok(exit)
}

/// Record a launched Lambda stage in mcp.toml (`target`, `[lambda] function`
/// and `role`, the repository, the region) in the selected stage's table;
/// true when the file changed.
fn write_lambda_config(
    path: &Path,
    settings: &Settings,
    options: &LaunchOptions,
    recorded: &lambda::Recorded,
) -> Result<bool> {
    let mut keys: Vec<(Vec<&str>, toml_edit::Value)> = vec![
        (vec!["target"], "lambda".into()),
        (
            vec!["lambda", "function"],
            recorded.function.as_str().into(),
        ),
        (vec!["lambda", "role"], recorded.role.as_str().into()),
        (
            vec!["ecr", "repository"],
            settings.ecr.repository.as_str().into(),
        ),
    ];
    if settings.region.is_none() {
        keys.push((vec!["region"], recorded.region.as_str().into()));
    }
    if let Some(name) = &options.name {
        keys.push((vec!["name"], name.as_str().into()));
    }
    let fresh = || {
        format!(
            "# mcp.toml: written by `mcp launch`. Reference: docs/configuration.md in mcp's repository.\n\nname = {}\n",
            quoted(options.name.as_deref().unwrap_or(&settings.name))
        )
    };
    write_keys(path, settings, keys, fresh)
}

/// Record the launched service in mcp.toml: a new commented file, or the
/// keys set in the existing one (its comments and other keys kept).
fn write_config(
    path: &Path,
    settings: &Settings,
    options: &LaunchOptions,
    location: &Location,
    url: &str,
) -> Result<()> {
    if !path.exists() {
        let text = render(settings, options, location, url);
        return crate::files::write_no_follow(path, text.as_bytes(), "mcp launch");
    }
    let mut keys: Vec<(Vec<&str>, toml_edit::Value)> = vec![
        (vec!["ecs", "cluster"], location.cluster.as_str().into()),
        (vec!["ecs", "service"], location.service.as_str().into()),
        (vec!["ecs", "express"], true.into()),
        (
            vec!["ecr", "repository"],
            settings.ecr.repository.as_str().into(),
        ),
        (vec!["deploy", "url"], url.into()),
    ];
    if settings.region.is_none() {
        keys.push((vec!["region"], location.region.as_str().into()));
    }
    if let Some(name) = &options.name {
        keys.push((vec!["name"], name.as_str().into()));
    }
    write_keys(path, settings, keys, String::new)?;
    Ok(())
}

/// Set `keys` in the table in force (a stage's or a service's when one is
/// selected) of mcp.toml, its comments and other keys kept; a missing file
/// starts as `fresh()`. Written only when that changes it: true when written.
fn write_keys(
    path: &Path,
    settings: &Settings,
    keys: Vec<(Vec<&str>, toml_edit::Value)>,
    fresh: impl FnOnce() -> String,
) -> Result<bool> {
    let text = if path.exists() {
        crate::files::refuse_link(path, "mcp launch")?;
        std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?
    } else {
        fresh()
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("parsing `{}`", path.display()))?;
    let mut base: Vec<String> = Vec::new();
    if let Some(stage) = &settings.stage {
        base.extend(["stages".into(), stage.clone()]);
    }
    if let Some(service) = &settings.service {
        base.extend(["services".into(), service.clone()]);
    }
    for (key, value) in keys {
        let full: Vec<String> = base
            .iter()
            .cloned()
            .chain(key.iter().map(|k| k.to_string()))
            .collect();
        set(&mut doc, &full, value).with_context(|| format!("editing `{}`", path.display()))?;
    }
    let new = doc.to_string();
    if path.exists() && new == text {
        return Ok(false);
    }
    crate::files::write_no_follow(path, new.as_bytes(), "mcp launch")?;
    Ok(true)
}

/// Set a dotted key in a TOML document, creating tables on the way.
fn set(doc: &mut toml_edit::DocumentMut, path: &[String], value: toml_edit::Value) -> Result<()> {
    let (last, parents) = path.split_last().context("an empty key")?;
    // A new top-level table goes before the `[stages.*]` / `[services.*]` overlays, where a person would put it.
    let overlay = overlay_position(doc);
    let mut table = doc.as_table_mut() as &mut dyn toml_edit::TableLike;
    let mut inline = false;
    for (i, part) in parents.iter().enumerate() {
        inline = table
            .get(part)
            .is_some_and(toml_edit::Item::is_inline_table);
        if table.get(part).is_none() {
            let mut new = toml_edit::Table::new();
            new.set_implicit(i + 1 < parents.len());
            if i == 0 {
                new.set_position(overlay);
            }
            table.insert(part, toml_edit::Item::Table(new));
        }
        table = table
            .get_mut(part)
            .and_then(|item| item.as_table_like_mut())
            .with_context(|| format!("`{}` is not a table", path[..=i].join(".")))?;
    }
    match table.get_mut(last) {
        // Keep the comment after an existing value.
        Some(toml_edit::Item::Value(existing)) => {
            let decor = existing.decor().clone();
            *existing = value;
            *existing.decor_mut() = decor;
        }
        _ => {
            table.insert(last, toml_edit::Item::Value(value));
            // `{ a = 1 , b = 2 }` otherwise: the new key after the old last one's spacing.
            if inline {
                table.fmt();
            }
        }
    }
    Ok(())
}

/// The position of the first `[stages.*]` / `[services.*]` table, after moving
/// every table from there on one place down to make room; `None` when there is none.
fn overlay_position(doc: &mut toml_edit::DocumentMut) -> Option<isize> {
    fn first(table: &toml_edit::Table) -> Option<isize> {
        let own = (!table.is_implicit()).then(|| table.position()).flatten();
        table
            .iter()
            .filter_map(|(_, item)| item.as_table())
            .filter_map(first)
            .chain(own)
            .min()
    }
    fn shift(table: &mut toml_edit::Table, from: isize) {
        if let Some(p) = table.position()
            && p >= from
        {
            table.set_position(Some(p + 1));
        }
        for (_, item) in table.iter_mut() {
            if let Some(inner) = item.as_table_mut() {
                shift(inner, from);
            }
        }
    }
    let from = ["stages", "services"]
        .iter()
        .filter_map(|k| doc.get(k).and_then(|i| i.as_table()))
        .filter_map(first)
        .min()?;
    shift(doc.as_table_mut(), from);
    Some(from)
}

fn quoted(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

/// A new mcp.toml for a launched service.
fn render(settings: &Settings, options: &LaunchOptions, location: &Location, url: &str) -> String {
    let name = options.name.as_deref().unwrap_or(&settings.name);
    format!(
        r#"# mcp.toml: written by `mcp launch`. Reference: docs/configuration.md in mcp's repository.
# Precedence: flag > MCP_* environment variable > [stages.<name>] > this file > default.

name = {name}
region = {region}

[build]
context = "."
dockerfile = {dockerfile}
platform = {platform}             # what Fargate runs, also when you build on Apple silicon

[ecr]
repository = {repository}

# The ECS Express Mode service `mcp launch` made. `mcp deploy` ships a new
# release to it, `mcp status` / `logs` / `rollback` / `scale` work on it, and
# `mcp destroy` removes it (never the IAM roles).
[ecs]
cluster = {cluster}
service = {service}
express = true
# cpu = 256                       # task CPU units (256, 512, 1024, ...)
# memory = 512                    # task memory, MiB
# min_tasks = 1                   # auto scaling keeps at least this many tasks
# max_tasks = 20                  # and starts at most this many

[deploy]
url = {url}   # the service's URL + /mcp, checked after every deploy
port = {port}                       # the container port the load balancer sends to
health_path = {health}        # the load balancer's health check

[env]                             # plain variables for the container
# LOG_LEVEL = "INFO"

[secrets]                         # Secrets Manager / SSM ARNs, never values (`mcp secrets set`)
"#,
        name = quoted(name),
        region = quoted(&location.region),
        dockerfile = quoted(&settings.build.dockerfile.display().to_string()),
        platform = quoted(&settings.build.platform),
        repository = quoted(&settings.ecr.repository),
        cluster = quoted(&location.cluster),
        service = quoted(&location.service),
        url = quoted(url),
        port = settings.deploy.port,
        health = quoted(&settings.deploy.health_path),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location() -> Location {
        Location {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            cluster: "default".into(),
            service: "echo".into(),
            arn: "arn:aws:ecs:us-east-1:123456789012:service/default/echo".into(),
        }
    }

    fn settings(dir: &Path) -> Settings {
        let inputs = crate::config::Inputs {
            cwd: dir.to_path_buf(),
            ..Default::default()
        };
        let found = crate::config::find(&inputs).unwrap();
        crate::config::resolve(found.as_ref(), &inputs).unwrap()
    }

    /// Guards that what launch writes is read back as a launched Express service.
    #[test]
    fn a_new_file_parses_and_names_the_service() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        let options = LaunchOptions {
            dir: dir.path().to_path_buf(),
            name: Some("echo".into()),
        };
        let path = dir.path().join(FILE_NAME);
        write_config(&path, &s, &options, &location(), "http://127.0.0.1:1/mcp").unwrap();
        let back = settings(dir.path());
        assert!(back.ecs.express);
        assert_eq!(back.ecs.service, "echo");
        assert_eq!(back.ecs.cluster.as_deref(), Some("default"));
        assert_eq!(back.deploy.url.as_deref(), Some("http://127.0.0.1:1/mcp"));
        assert_eq!(back.name, "echo");
        assert_eq!(
            back.ecr.repository, s.ecr.repository,
            "the repository the image went to"
        );
    }

    /// Guards issue 26 item 11: mcp.toml as a link (dangling, or to a file
    /// elsewhere) is not written through.
    #[cfg(unix)]
    #[test]
    fn a_symlinked_config_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let options = LaunchOptions {
            dir: dir.path().to_path_buf(),
            name: Some("echo".into()),
        };
        let planted = outside.path().join("planted");
        std::os::unix::fs::symlink(&planted, &path).unwrap();
        let s = settings(outside.path());
        let err =
            write_config(&path, &s, &options, &location(), "http://127.0.0.1:1/mcp").unwrap_err();
        assert!(format!("{err:#}").contains("is a symbolic link"), "{err:#}");
        assert!(!planted.exists(), "written through a dangling link");

        let victim = outside.path().join("victim.toml");
        std::fs::write(&victim, "name = \"x\"\n").unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        assert!(write_config(&path, &s, &options, &location(), "http://127.0.0.1:1/mcp").is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "name = \"x\"\n");
    }

    /// Guards issue 29 item 6: a launched Lambda stage is recorded in its
    /// own table (an inline `lambda = { … }` kept inline and tidy), read back
    /// as that function and role, and a second record changes nothing.
    #[test]
    fn a_lambda_stage_is_recorded_in_its_table_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "name = \"echo\"\nregion = \"eu-west-1\"\n\n[stages.fn]\ntarget = \"lambda\"\nlambda = { function = \"f\" } # mine\n",
        )
        .unwrap();
        let inputs = crate::config::Inputs {
            cwd: dir.path().to_path_buf(),
            stage: Some("fn".into()),
            ..Default::default()
        };
        let found = crate::config::find(&inputs).unwrap();
        let s = crate::config::resolve(found.as_ref(), &inputs).unwrap();
        let options = LaunchOptions {
            dir: dir.path().to_path_buf(),
            name: None,
        };
        let recorded = lambda::Recorded {
            region: "eu-west-1".into(),
            function: "f".into(),
            role: "arn:aws:iam::123456789012:role/f-mcp-lambda".into(),
        };
        assert!(write_lambda_config(&path, &s, &options, &recorded).unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(
                "lambda = { function = \"f\", role = \"arn:aws:iam::123456789012:role/f-mcp-lambda\" } # mine"
            ),
            "{text}"
        );
        let found = crate::config::find(&inputs).unwrap();
        let back = crate::config::resolve(found.as_ref(), &inputs).unwrap();
        assert_eq!(back.target, TargetKind::Lambda);
        assert_eq!(back.lambda.function, "f");
        assert_eq!(back.lambda.role.as_deref(), Some(recorded.role.as_str()));
        assert!(!write_lambda_config(&path, &back, &options, &recorded).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn an_existing_file_keeps_its_comments_and_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "# mine\nname = \"echo-server\"\n\n[deploy]\nport = 8000 # the port\nurl = \"https://old\" # keep me\n\n[env]\nA = \"1\"\n\n[stages.local]\ntarget = \"local\"\n",
        )
        .unwrap();
        let s = settings(dir.path());
        let options = LaunchOptions {
            dir: dir.path().to_path_buf(),
            name: Some("echo".into()),
        };
        write_config(&path, &s, &options, &location(), "http://127.0.0.1:2/mcp").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# mine\n"), "{text}");
        assert!(text.contains("# keep me"), "{text}");
        assert!(text.contains("port = 8000 # the port"), "{text}");
        let ecs = text.find("[ecs]").unwrap();
        assert!(ecs < text.find("[stages.local]").unwrap(), "{text}");
        let back = settings(dir.path());
        assert!(back.ecs.express);
        assert_eq!(back.name, "echo");
        assert_eq!(back.ecr.repository, "echo-server");
        assert_eq!(back.deploy.url.as_deref(), Some("http://127.0.0.1:2/mcp"));
        assert_eq!(back.env["A"], "1");
        assert_eq!(back.region.as_deref(), Some("us-east-1"));
    }
}
