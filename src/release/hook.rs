//! `build.before`: the project's own commands, run before its image is built.
//!
//! An image built from a stale artefact looks fresh (a new tag, the old
//! binary), so whatever makes the artefacts (`./build.sh`, code generation, a
//! lockfile export) can run as part of `mcp build`, `mcp push` and `mcp deploy`,
//! on every platform. Each command runs with `sh -c` in the folder of mcp.toml,
//! stdin closed, stdout and stderr merged and shown on stderr as a build step
//! (indented like build output): stdout stays for `mcp`'s own data. The first
//! command that fails stops the run with its exit code, before anything is built.
//!
//! In one run the same commands in the same folder run once, however many
//! services share them (`mcp deploy --all`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::ui::Printer;

/// Indent of a command's output under its status line (the width of a status verb and a space).
const INDENT: &str = "             ";

/// Run `build.before` (when set), once per run for the same commands and folder.
pub async fn run_before(settings: &Settings, printer: &Printer) -> Result<()> {
    let commands = &settings.build.before;
    if commands.is_empty() {
        return Ok(());
    }
    let gate = gate(&settings.build.root, commands);
    let mut done = gate.lock().await;
    if *done {
        return Ok(());
    }
    for command in commands {
        let (dir, command, printer) = (
            settings.build.root.clone(),
            command.clone(),
            printer.clone(),
        );
        tokio::task::spawn_blocking(move || run_one(&dir, &command, &printer))
            .await
            .context("running `build.before`")??;
    }
    *done = true;
    Ok(())
}

/// The lock (and "done" mark) for one set of commands in one folder, for this process.
fn gate(dir: &Path, commands: &[String]) -> Arc<tokio::sync::Mutex<bool>> {
    type Gates = Mutex<HashMap<(PathBuf, Vec<String>), Arc<tokio::sync::Mutex<bool>>>>;
    static GATES: OnceLock<Gates> = OnceLock::new();
    GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry((dir.to_path_buf(), commands.to_vec()))
        .or_default()
        .clone()
}

/// Run one command with `sh -c` in `dir`, its output shown indented on stderr.
fn run_one(dir: &Path, command: &str, printer: &Printer) -> Result<()> {
    printer.status("Running", format!("build.before: {command}"));
    let started = Instant::now();
    let (reader, writer) = std::io::pipe().context("creating a pipe for `build.before`")?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(
            writer
                .try_clone()
                .context("creating a pipe for `build.before`")?,
        )
        .stderr(writer)
        .spawn()
        .or_mcp_spawn(command, dir)?;
    // The child holds the only write ends now: the reader ends when it (and anything it started) is done.
    for line in BufReader::new(reader).lines() {
        let line = line.context("reading the output of `build.before`")?;
        printer.note(format!("{INDENT}{}", line.trim_end()));
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for `build.before` command `{command}`"))?;
    if status.success() {
        printer.status(
            "Ran",
            format!(
                "build.before: {command} in {:.1}s",
                started.elapsed().as_secs_f64()
            ),
        );
        return Ok(());
    }
    let (how, code) = match (status.code(), signal(&status)) {
        (Some(code), _) => (format!("exited with code {code}"), code),
        (None, Some(signal)) => (format!("was killed by signal {signal}"), 128 + signal),
        (None, None) => ("failed".to_string(), 1),
    };
    let code = u8::try_from(code).ok().filter(|c| *c != 0).unwrap_or(1);
    Err(McpError::new(format!(
        "`build.before` command `{command}` {how}; nothing was built"
    ))
    .hint(format!(
        "its output is above; fix it and run it by hand in {} to check, or change `build.before` in mcp.toml",
        dir.display()
    ))
    .with_status(ExitStatus::Command(code))
    .into())
}

#[cfg(unix)]
fn signal(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// A command that could not start: `sh` is missing or the folder is gone.
trait SpawnContext<T> {
    fn or_mcp_spawn(self, command: &str, dir: &Path) -> Result<T>;
}

impl<T> SpawnContext<T> for std::io::Result<T> {
    fn or_mcp_spawn(self, command: &str, dir: &Path) -> Result<T> {
        self.map_err(|err| {
            anyhow::Error::new(err).context(
                McpError::new(format!(
                    "cannot start `build.before` command `{command}` with `sh -c` in {}",
                    dir.display()
                ))
                .hint("`build.before` runs each command with `sh`; check that `sh` is on PATH"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::OutputFormat;

    fn run(dir: &Path, command: &str) -> Result<()> {
        run_one(dir, command, &Printer::plain(OutputFormat::Text))
    }

    #[test]
    fn runs_in_the_folder_given() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), "echo made > artefact && echo to stderr >&2").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("artefact")).unwrap(),
            "made\n"
        );
    }

    #[test]
    fn a_failure_carries_the_command_and_its_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let err = run(dir.path(), "echo failing; exit 7").unwrap_err();
        let rendered = crate::ui::render::render(&err);
        assert_eq!(rendered.status, ExitStatus::Command(7));
        assert_eq!(rendered.status.code(), 7);
        assert!(
            rendered.lines[0]
                .contains("`build.before` command `echo failing; exit 7` exited with code 7"),
            "{:?}",
            rendered.lines
        );
    }

    #[test]
    fn a_killed_command_exits_128_plus_the_signal() {
        let dir = tempfile::tempdir().unwrap();
        let err = run(dir.path(), "kill -TERM $$").unwrap_err();
        assert_eq!(crate::ui::render::render(&err).status.code(), 128 + 15);
    }
}
