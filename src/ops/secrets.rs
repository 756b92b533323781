//! `mcp secrets set|list|rm`: values go to Secrets Manager, references to mcp.toml.
//!
//! A value is read from stdin (without echo on a terminal), stored under a
//! prefix (`secrets_prefix`, default `/<stage>/mcp/<service>/`), and its ARN is
//! written into the `[secrets]` table that applies (the stage's or the
//! service's when one is selected), editing mcp.toml in place so the user's
//! comments and layout stay. The next deploy wires it into the task definition
//! as a `valueFrom`. Values are never printed, logged or written to disk.

use std::fmt;
use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::aws::{self, Clients};
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::ui::Printer;
use crate::ui::table::Table;

/// The Secrets Manager name prefix for this service and stage.
fn prefix(settings: &Settings) -> String {
    settings.secret_name_prefix()
}

/// The dotted table in mcp.toml whose `[secrets]` applies to these settings.
fn table_path(settings: &Settings) -> Vec<String> {
    let mut path = Vec::new();
    if let Some(stage) = &settings.stage {
        path.extend(["stages".to_string(), stage.clone()]);
    }
    if let Some(service) = &settings.service {
        path.extend(["services".to_string(), service.clone()]);
    }
    path.push("secrets".into());
    path
}

/// Secret names become environment variable names in the container.
fn check_name(name: &str) -> Result<()> {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(McpError::usage(format!("`{name}` is not a valid secret name"))
            .hint("the name becomes an environment variable in the container: letters, digits and `_`, e.g. API_KEY")
            .into())
    }
}

/// Read the value: without echo on a terminal, all of stdin otherwise (one trailing newline dropped).
fn read_value(name: &str, printer: &Printer) -> Result<String> {
    let value = if std::io::stdin().is_terminal() {
        if !printer.interactive() {
            return Err(McpError::usage(format!("no value for `{name}` on stdin"))
                .hint(format!(
                    "pipe it in: `printf %s \"$VALUE\" | mcp secrets set {name}`"
                ))
                .into());
        }
        let term = console::Term::stderr();
        term.write_str(&format!("Value for {name} (not shown): "))
            .context("writing a prompt")?;
        term.read_secure_line().context("reading the value")?
    } else {
        let mut value = String::new();
        std::io::stdin()
            .read_to_string(&mut value)
            .context("reading the value from stdin")?;
        if value.ends_with('\n') {
            value.pop();
            if value.ends_with('\r') {
                value.pop();
            }
        }
        value
    };
    if value.is_empty() {
        return Err(McpError::usage(format!("empty value for `{name}`"))
            .hint("a secret needs a value")
            .into());
    }
    Ok(value)
}

/// Set or remove `key` in the table at `path` of the TOML file, keeping everything else as written.
///
/// The file is replaced atomically (see [`replace_file`]); a symbolic link is
/// refused rather than written through, so a link planted in place of
/// mcp.toml cannot make `mcp` rewrite the file it points to.
pub fn edit_file(file: &Path, path: &[String], key: &str, value: Option<&str>) -> Result<()> {
    refuse_symlink(file)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading `{}`", file.display()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("parsing `{}`", file.display()))?;
    let mut item = doc.as_item_mut();
    for (i, part) in path.iter().enumerate() {
        let table = item.as_table_like_mut().with_context(|| {
            format!(
                "`{}` in `{}` is not a table",
                path[..i].join("."),
                file.display()
            )
        })?;
        if table.get(part).is_none() {
            if value.is_none() {
                return Ok(());
            }
            let mut new = toml_edit::Table::new();
            // Parents of a new `[a.b.secrets]` stay implicit, as a person would write it.
            new.set_implicit(i + 1 < path.len());
            table.insert(part, toml_edit::Item::Table(new));
        }
        item = table.get_mut(part).expect("present or just inserted");
    }
    let table = item.as_table_like_mut().with_context(|| {
        format!(
            "`{}` in `{}` is not a table",
            path.join("."),
            file.display()
        )
    })?;
    match value {
        Some(value) => {
            table.insert(key, toml_edit::value(value));
        }
        None => {
            table.remove(key);
        }
    }
    replace_file(file, doc.to_string().as_bytes())
}

fn refuse_symlink(file: &Path) -> Result<()> {
    let meta =
        std::fs::symlink_metadata(file).with_context(|| format!("reading `{}`", file.display()))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(file)
            .map(|t| format!(" (to `{}`)", t.display()))
            .unwrap_or_default();
        return Err(McpError::usage(format!(
            "`{}` is a symbolic link{target}: `mcp secrets` does not write through links",
            file.display()
        ))
        .hint("run it where the real file is (--config PATH), or replace the link with the file")
        .into());
    }
    if !meta.is_file() {
        return Err(McpError::usage(format!("`{}` is not a regular file", file.display())).into());
    }
    Ok(())
}

/// Write `bytes` to a new file next to `file` and rename it over `file`: a
/// reader (or a crash) sees the old file or the new one, never half of one.
/// The new file gets the old one's permissions (and, where allowed, owner).
pub fn replace_file(file: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let old = std::fs::metadata(file).with_context(|| format!("reading `{}`", file.display()))?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("mcp.toml");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.{nanos:x}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&temp)?;
        out.write_all(bytes)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root may give a file away; for anyone else the owner is already right.
            let _ = std::os::unix::fs::fchown(&out, Some(old.uid()), Some(old.gid()));
        }
        out.set_permissions(old.permissions())?;
        out.sync_all()?;
        std::fs::rename(&temp, file)
    };
    write().map_err(|err| {
        let _ = std::fs::remove_file(&temp);
        anyhow::Error::new(err).context(format!("writing `{}`", file.display()))
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    pub name: String,
    pub secret_name: String,
    pub arn: String,
    /// Where the reference was written, e.g. `stages.production.secrets`.
    pub table: String,
    pub created: bool,
}

impl fmt::Display for Stored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.arn)
    }
}

pub async fn set(settings: &Settings, printer: &Printer, name: &str) -> Result<ExitStatus> {
    check_name(name)?;
    let file = settings
        .config_file
        .clone()
        .context("no mcp.toml to write the reference into")?;
    // Before anything is stored: a file `mcp` will not rewrite stops here.
    refuse_symlink(&file)?;
    let value = read_value(name, printer)?;
    let clients = Clients::new(settings).await;
    let secret_name = format!("{}{name}", prefix(settings));
    let created = clients
        .secrets
        .create_secret()
        .name(&secret_name)
        .secret_string(&value)
        .description(format!("{name} for {} (set by mcp)", settings.ecs.service))
        .send()
        .await;
    let (arn, created) = match created {
        Ok(out) => (out.arn().unwrap_or_default().to_string(), true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_exists_exception()) =>
        {
            let out = clients
                .secrets
                .put_secret_value()
                .secret_id(&secret_name)
                .secret_string(&value)
                .send()
                .await
                .map_err(aws::error)
                .with_context(|| format!("storing a new value of `{secret_name}`"))?;
            (out.arn().unwrap_or_default().to_string(), false)
        }
        Err(err) => {
            return Err(aws::error(err))
                .with_context(|| format!("creating secret `{secret_name}`"));
        }
    };
    drop(value);
    let path = table_path(settings);
    edit_file(&file, &path, name, Some(&arn))?;
    printer.status(
        if created { "Created" } else { "Updated" },
        format!(
            "secret {secret_name}; {} = its ARN in [{}] of {}",
            name,
            path.join("."),
            file.display()
        ),
    );
    printer.note("             the next `mcp deploy` passes it to the container as a `valueFrom`");
    warn_about_execution_role(settings, &clients, printer).await;
    printer.data(&Stored {
        name: name.to_string(),
        secret_name,
        arn,
        table: path.join("."),
        created,
    })?;
    Ok(ExitStatus::Success)
}

/// ECS reads secrets with the task's execution role: say so when there is none.
async fn warn_about_execution_role(settings: &Settings, clients: &Clients, printer: &Printer) {
    let Ok(cluster) = settings.cluster() else {
        return;
    };
    let Ok(service) =
        crate::aws::ecs::describe_service(clients, cluster, &settings.ecs.service).await
    else {
        return;
    };
    let Some(arn) = service.task_definition() else {
        return;
    };
    let Ok(out) = clients
        .ecs
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
    else {
        return;
    };
    match out.task_definition().and_then(|t| t.execution_role_arn()) {
        None => printer.warn(format!(
            "{} has no execution role: ECS needs one allowed secretsmanager:GetSecretValue on {}* to inject secrets",
            crate::aws::taskdef::short_name(arn),
            prefix(settings)
        )),
        Some(role) => printer.detail(
            1,
            format!("             ECS reads it with {role}: it needs secretsmanager:GetSecretValue on {}*", prefix(settings)),
        ),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub name: String,
    pub secret_name: String,
    pub arn: String,
    pub last_changed: Option<String>,
    /// Referenced by the resolved `[secrets]`.
    pub referenced: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub prefix: String,
    pub secrets: Vec<Listed>,
}

impl fmt::Display for Listing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut table =
            Table::new([("NAME", 4), ("LAST CHANGED", 20), ("USED", 4), ("ARN", 0)]).gap(2);
        for s in &self.secrets {
            table.row([
                s.name.clone(),
                s.last_changed.clone().unwrap_or_else(|| "-".into()),
                if s.referenced { "yes" } else { "no" }.to_string(),
                s.arn.clone(),
            ]);
        }
        write!(f, "{table}")
    }
}

pub async fn list(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let clients = Clients::new(settings).await;
    let prefix = prefix(settings);
    let filter = aws_sdk_secretsmanager::types::Filter::builder()
        .key(aws_sdk_secretsmanager::types::FilterNameStringType::Name)
        .values(&prefix)
        .build();
    let mut pages = clients
        .secrets
        .list_secrets()
        .filters(filter)
        .into_paginator()
        .send();
    let mut secrets = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(aws::error)
            .with_context(|| format!("listing secrets under `{prefix}`"))?;
        for entry in page.secret_list() {
            let Some(secret_name) = entry.name() else {
                continue;
            };
            // The filter matches prefixes of words; keep exact prefix matches.
            let Some(name) = secret_name.strip_prefix(&prefix) else {
                continue;
            };
            let arn = entry.arn().unwrap_or_default().to_string();
            secrets.push(Listed {
                name: name.to_string(),
                secret_name: secret_name.to_string(),
                referenced: settings.secrets.values().any(|v| *v == arn),
                arn,
                last_changed: entry
                    .last_changed_date()
                    .and_then(|t| jiff::Timestamp::from_second(t.secs()).ok())
                    .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string()),
            });
        }
    }
    secrets.sort_by(|a, b| a.name.cmp(&b.name));
    printer.data(&Listing { prefix, secrets })?;
    Ok(ExitStatus::Success)
}

pub async fn remove(settings: &Settings, printer: &Printer, name: &str) -> Result<ExitStatus> {
    check_name(name)?;
    let file = settings
        .config_file
        .clone()
        .context("no mcp.toml to edit")?;
    refuse_symlink(&file)?;
    let clients = Clients::new(settings).await;
    let secret_name = format!("{}{name}", prefix(settings));
    let out = clients
        .secrets
        .delete_secret()
        .secret_id(&secret_name)
        .recovery_window_in_days(7)
        .send()
        .await;
    match out {
        Ok(_) => printer.status(
            "Deleted",
            format!("secret {secret_name} (recoverable for 7 days)"),
        ),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            printer.warn(format!("no secret `{secret_name}` in Secrets Manager"));
        }
        Err(err) => {
            return Err(aws::error(err))
                .with_context(|| format!("deleting secret `{secret_name}`"));
        }
    }
    let path = table_path(settings);
    edit_file(&file, &path, name, None)?;
    printer.status(
        "Removed",
        format!("{name} from [{}] of {}", path.join("."), file.display()),
    );
    printer
        .data(&serde_json::json!({ "name": name, "secret_name": secret_name, "removed": true }))?;
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the promise that the user's comments and layout survive the edit.
    #[test]
    fn editing_keeps_comments_and_adds_implicit_parents() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mcp.toml");
        let text =
            "# my project\nname = \"x\" # inline\n\n[secrets] # refs only\nOLD = \"arn:old\"\n";
        std::fs::write(&file, text).unwrap();
        edit_file(&file, &["secrets".into()], "NEW", Some("arn:new")).unwrap();
        let after = std::fs::read_to_string(&file).unwrap();
        assert!(after.starts_with("# my project\nname = \"x\" # inline\n\n[secrets] # refs only\nOLD = \"arn:old\"\nNEW = \"arn:new\"\n"), "{after}");

        let path: Vec<String> = ["stages", "production", "services", "slack", "secrets"]
            .map(String::from)
            .to_vec();
        edit_file(&file, &path, "TOKEN", Some("arn:t")).unwrap();
        let after = std::fs::read_to_string(&file).unwrap();
        assert!(
            after.contains("[stages.production.services.slack.secrets]\nTOKEN = \"arn:t\""),
            "{after}"
        );
        assert!(
            !after.contains("[stages]\n"),
            "parents stay implicit: {after}"
        );
        crate::config::file::parse(&file, &after).unwrap();

        edit_file(&file, &["secrets".into()], "OLD", None).unwrap();
        assert!(!std::fs::read_to_string(&file).unwrap().contains("OLD"));
    }

    /// Guards issue 16 item 5: the rewrite keeps the file's mode and leaves no temporary file.
    #[cfg(unix)]
    #[test]
    fn the_rewrite_is_a_rename_that_keeps_the_mode() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mcp.toml");
        std::fs::write(&file, "name = \"x\"\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let inode = std::fs::metadata(&file).unwrap().ino();
        edit_file(&file, &["secrets".into()], "K", Some("arn:k")).unwrap();
        let meta = std::fs::metadata(&file).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o640);
        assert_ne!(meta.ino(), inode, "a new file was renamed into place");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["mcp.toml"], "no temporary file is left");
    }

    /// Guards issue 16 item 5: a link in place of mcp.toml is refused, and the
    /// file it points to stays as it was.
    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.toml");
        std::fs::write(&target, "name = \"x\"\n").unwrap();
        let link = dir.path().join("mcp.toml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = edit_file(&link, &["secrets".into()], "K", Some("arn:k")).unwrap_err();
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert!(
            mcp.message.contains("is a symbolic link"),
            "{}",
            mcp.message
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "name = \"x\"\n");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn names_are_environment_variables() {
        assert!(check_name("API_KEY").is_ok());
        assert!(check_name("1X").is_err());
        assert!(check_name("a-b").is_err());
    }
}
