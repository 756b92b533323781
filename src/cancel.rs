//! One cancellation for the whole process: Ctrl-C.
//!
//! Once a program listens for SIGINT (tokio's `ctrl_c`), the signal no longer
//! ends it: whoever does not listen swallows it. So `mcp` listens once, at the
//! start ([`listen`]), and turns the first Ctrl-C into one process-wide
//! [`CancellationToken`]. Every wait selects on [`cancelled`], and every change
//! to AWS is preceded by [`check`], so the work stops at the next checkpoint and
//! tells its own report. What the run has changed so far is recorded here
//! ([`registered`], [`rolling_out`], [`settled`]) so that whatever stops it can
//! say what state it left and how to resume (`mcp status --wait`).
//!
//! Two backstops make "within a second" true even in a call that does not look
//! at the token: [`run`] gives the work [`GRACE`] after the first Ctrl-C, then
//! drops it and ends with the recorded state (exit 130); a second Ctrl-C, or
//! a main thread blocked past twice that, exits from the listener.

use std::future::Future;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use anyhow::Result;
use tokio_util::sync::CancellationToken;

use crate::error::{ExitStatus, McpError};
use crate::ui::Printer;

/// How long the work has, after Ctrl-C, to stop at a checkpoint and report.
pub const GRACE: Duration = Duration::from_millis(800);

static TOKEN: LazyLock<CancellationToken> = LazyLock::new(CancellationToken::new);
static CHANGES: Mutex<Vec<Change>> = Mutex::new(Vec::new());

/// What this run has changed on one service.
#[derive(Debug, Clone)]
struct Change {
    /// The `[services.<name>]` key, for the resume command.
    key: Option<String>,
    /// The ECS service (or what stands for it).
    service: String,
    phase: Phase,
}

#[derive(Debug, Clone)]
enum Phase {
    /// A new revision exists; nothing runs it yet.
    Registered(String),
    /// UpdateService was called (or is being called) with this revision.
    RollingOut(String),
    /// The rollout ended; the report says how.
    Settled,
}

/// The process-wide token.
pub fn token() -> &'static CancellationToken {
    &TOKEN
}

/// True once Ctrl-C was pressed.
pub fn is_cancelled() -> bool {
    TOKEN.is_cancelled()
}

/// Resolves when Ctrl-C is pressed (at once if it already was).
pub async fn cancelled() {
    TOKEN.cancelled().await;
}

fn record(key: Option<&str>, service: &str, phase: Phase) {
    let mut changes = CHANGES.lock().unwrap_or_else(|e| e.into_inner());
    let key = key.map(str::to_string);
    match changes
        .iter_mut()
        .find(|c| c.key == key && c.service == service)
    {
        Some(change) => change.phase = phase,
        None => changes.push(Change {
            key,
            service: service.to_string(),
            phase,
        }),
    }
}

/// A new revision of `service`'s task definition was registered.
pub fn registered(key: Option<&str>, service: &str, revision: &str) {
    record(key, service, Phase::Registered(revision.to_string()));
}

/// UpdateService to `revision` is about to be called: from here on a rollout
/// may be in flight.
pub fn rolling_out(key: Option<&str>, service: &str, revision: &str) {
    record(key, service, Phase::RollingOut(revision.to_string()));
}

/// The rollout of `service` ended (its report tells how).
pub fn settled(key: Option<&str>, service: &str) {
    record(key, service, Phase::Settled);
}

/// What this run left, in one sentence.
pub fn state() -> String {
    let changes = CHANGES.lock().unwrap_or_else(|e| e.into_inner());
    if changes.is_empty() {
        return "nothing was changed".into();
    }
    changes
        .iter()
        .map(|c| match &c.phase {
            Phase::Registered(revision) => format!(
                "`{}`: revision {revision} registered but not rolled out",
                c.service
            ),
            Phase::RollingOut(revision) => format!(
                "`{}`: rollout of {revision} in flight; ECS carries on",
                c.service
            ),
            Phase::Settled => format!("`{}`: its rollout had ended", c.service),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The command(s) to see where things stand and resume.
pub fn resume() -> String {
    let changes = CHANGES.lock().unwrap_or_else(|e| e.into_inner());
    let mut commands: Vec<String> = changes
        .iter()
        .map(|c| match &c.key {
            Some(key) => format!("`mcp status --wait {key}`"),
            None => "`mcp status --wait`".to_string(),
        })
        .collect();
    commands.dedup();
    if commands.is_empty() {
        return "nothing to resume: run the command again".into();
    }
    let mut hint = format!("see where it stands with {}", commands.join(", "));
    if changes
        .iter()
        .any(|c| matches!(c.phase, Phase::Registered(_)))
    {
        hint.push_str("; run `mcp deploy` again to roll a registered revision out");
    }
    hint
}

/// The error that ends a command interrupted `doing` ("before registering …",
/// "while …"): exit 130, the state left and the resume command.
pub fn interrupted(doing: &str) -> anyhow::Error {
    McpError::new(format!("interrupted {doing}: {}", state()))
        .with_status(ExitStatus::Interrupted)
        .hint(resume())
        .into()
}

/// A checkpoint: an error (exit 130) when Ctrl-C was pressed. Call it before
/// every change (to AWS, to the engine).
pub fn check(doing: &str) -> Result<()> {
    if is_cancelled() {
        return Err(interrupted(doing));
    }
    Ok(())
}

/// Run `work` unless Ctrl-C comes first (then the interrupted error for `doing`).
/// Only for work whose abandonment changes nothing (reads, waits).
pub async fn or_cancelled<T>(doing: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::select! {
        biased;
        () = cancelled() => Err(interrupted(doing)),
        out = work => out,
    }
}

/// Listen for Ctrl-C for the rest of the process: the first cancels the
/// token, the second exits at once (130) after saying what state it leaves,
/// as does a process still running twice [`GRACE`] after the first.
/// Call once, inside the runtime.
pub fn listen(printer: &Printer) {
    let printer = printer.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        TOKEN.cancel();
        // The last backstop: work that blocks the main thread (a prompt
        // reading the terminal) cannot be dropped by `run`; end it from here.
        let again = tokio::select! {
            _ = tokio::signal::ctrl_c() => true,
            () = tokio::time::sleep(GRACE * 2) => false,
        };
        let what = if again {
            "interrupted again"
        } else {
            "interrupted"
        };
        printer.error_line(&format!("error: {what}: {}", state()));
        printer.error_line(&format!("hint: {}", resume()));
        std::process::exit(i32::from(ExitStatus::Interrupted.code()));
    });
}

/// Run a whole command: after Ctrl-C it has [`GRACE`] to finish by itself
/// (and tell its report); then it is dropped and the run ends with the state it left.
pub async fn run<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::pin!(work);
    tokio::select! {
        out = &mut work => out,
        () = cancelled() => match tokio::time::timeout(GRACE, &mut work).await {
            Ok(out) => out,
            Err(_) => Err(interrupted("while waiting for AWS or the engine")),
        },
    }
}
