//! The one place output is written.
//!
//! Nothing here panics on a closed stream, unlike `println!`/`eprintln!`
//! (which the crate denies through clippy): stdout writes return their error,
//! marked [`StdoutClosed`] for a reader that went away (`mcp logs | head`),
//! which `main` turns into a quiet success; stderr writes ignore errors, since
//! there is nowhere left to report them.
//!
//! It is also where text from outside is made safe to show (see
//! [`super::sanitize`]): URL credentials are redacted in every message, report
//! and JSON document, and control characters in text output are shown escaped,
//! on a terminal and through a pipe alike: `mcp logs | grep` or `| tee` hands
//! the bytes to a terminal all the same (issue 26 item 13). `--raw` (`mcp
//! logs`) writes them as they are; JSON escapes them anyway. Raw lines
//! ([`Printer::line`], [`Printer::lines`]) are written as given: their callers
//! escape the remote part (`platform::logs::render`).

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{IsTerminal, Write};

use console::style;
use serde::Serialize;

use super::sanitize::{self, Lines};

/// `--output text|json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Default)]
pub struct PrinterOptions {
    pub format: OutputFormat,
    pub quiet: bool,
    pub verbose: u8,
    pub no_progress: bool,
    pub yes: bool,
}

/// Whether this process wrote anything to stdout: a failure's JSON object goes
/// there only when no report did (stdout stays one document a line).
static STDOUT_WRITTEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True once any data went to stdout.
pub fn stdout_written() -> bool {
    STDOUT_WRITTEN.load(std::sync::atomic::Ordering::Relaxed)
}

/// Where output goes and how it looks; decided once at start-up.
#[derive(Debug, Clone)]
pub struct Printer {
    pub format: OutputFormat,
    quiet: bool,
    verbose: u8,
    /// Colour on stderr.
    color: bool,
    /// Spinners and progress bars on stderr.
    progress: bool,
    /// Prompts may be shown and answered.
    interactive: bool,
    /// `--yes`: take the default answer to every question.
    pub yes: bool,
    /// `--raw`: text from outside is written as it came, control characters
    /// and all; otherwise they are shown escaped.
    raw: bool,
    /// `[name] ` before every status line, when several services run at once.
    prefix: String,
    /// On a terminal, with several services: this service's one line, which
    /// status lines update in place instead of scrolling.
    line: Option<indicatif::ProgressBar>,
    /// In a GitHub Actions job: groups, annotations, a job summary; text
    /// from outside kept from acting as a workflow command (see [`super::github`]).
    github: bool,
}

/// True when `CI` is set to anything but `false`/empty, as GitHub Actions, GitLab and others do.
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

impl Printer {
    pub fn new(options: &PrinterOptions) -> Self {
        let stderr_tty = std::io::stderr().is_terminal();
        let stdout_tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let fancy = stderr_tty && !no_color && !under_ci();
        console::set_colors_enabled(fancy && stdout_tty);
        console::set_colors_enabled_stderr(fancy);
        Printer {
            format: options.format,
            quiet: options.quiet,
            verbose: options.verbose,
            color: fancy,
            progress: fancy && !options.no_progress && !options.quiet,
            interactive: stderr_tty && std::io::stdin().is_terminal() && !under_ci(),
            yes: options.yes,
            raw: false,
            prefix: String::new(),
            line: None,
            github: super::github::active(),
        }
    }

    /// A printer for tests: plain, no terminal features.
    pub fn plain(format: OutputFormat) -> Self {
        Printer {
            format,
            quiet: false,
            verbose: 0,
            color: false,
            progress: false,
            interactive: false,
            yes: false,
            raw: false,
            prefix: String::new(),
            line: None,
            github: false,
        }
    }

    /// The same printer, with every status line prefixed `[name] ` and no
    /// progress bars (several services report on one stderr at once).
    pub fn with_prefix(&self, name: &str) -> Printer {
        Printer {
            prefix: format!("[{name}] "),
            progress: false,
            line: None,
            ..self.clone()
        }
    }

    /// Like [`Printer::with_prefix`], but on a terminal the service gets one
    /// line of `lines` that its status updates rewrite (warnings still scroll).
    pub fn with_line(&self, name: &str, lines: &indicatif::MultiProgress) -> Printer {
        let mut printer = self.with_prefix(name);
        if self.progress {
            let bar = lines.add(indicatif::ProgressBar::new_spinner());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {prefix:.bold} {elapsed:>4} {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_prefix(name.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(150));
            printer.line = Some(bar);
        }
        printer
    }

    /// End this service's line with its last status.
    pub fn finish_line(&self) {
        if let Some(bar) = &self.line {
            bar.finish();
        }
    }

    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    pub fn color(&self) -> bool {
        self.color
    }

    pub fn progress(&self) -> bool {
        self.progress
    }

    pub fn interactive(&self) -> bool {
        self.interactive
    }

    pub fn verbosity(&self) -> u8 {
        self.verbose
    }

    /// The same printer, writing text from outside as it came when `raw`
    /// (`mcp logs --raw`).
    pub fn with_raw(&self, raw: bool) -> Printer {
        Printer {
            raw,
            ..self.clone()
        }
    }

    /// Whether text from outside is shown escaped (always, unless `--raw`):
    /// callers of the raw [`Printer::line`] escape their remote part by it.
    pub fn escapes(&self) -> bool {
        !self.raw
    }

    /// A message for stderr: URL credentials redacted, and control characters
    /// escaped unless `--raw` (before the printer adds its own colour).
    fn for_stderr(&self, message: impl Display) -> String {
        self.inert(shown(message.to_string(), !self.raw))
    }

    /// Under GitHub Actions, text that cannot act as a workflow command.
    fn inert(&self, text: String) -> String {
        if !self.github {
            return text;
        }
        match super::github::neutralize(&text) {
            Cow::Owned(inert) => inert,
            Cow::Borrowed(_) => text,
        }
    }

    /// Whether this runs in a GitHub Actions job (`GITHUB_ACTIONS=true`).
    pub fn github(&self) -> bool {
        self.github
    }

    /// Under GitHub Actions, fold what follows into a collapsible group until
    /// the returned guard drops. Not with several services at once (their
    /// lines interleave) nor with `-q`; elsewhere it does nothing.
    pub fn group(&self, title: impl Display) -> Group {
        let open = self.github && self.prefix.is_empty() && !self.quiet;
        if open {
            stderr_line(super::github::group_start(&self.for_stderr(title)));
        }
        Group { open }
    }

    /// Under GitHub Actions, a workflow command (an annotation) on stderr,
    /// URL credentials redacted as in every other output (its text holds
    /// reasons from AWS and servers).
    pub fn workflow_command(&self, command: &str) {
        if self.github {
            stderr_line(sanitize::redact_userinfo(command));
        }
    }

    /// Under GitHub Actions, append markdown to the job summary
    /// (`$GITHUB_STEP_SUMMARY`), URL credentials redacted; a failure to write
    /// it is a warning.
    pub fn job_summary(&self, markdown: &str) {
        if self.github
            && let Err(err) = super::github::append_summary(&sanitize::redact_userinfo(markdown))
        {
            self.warn(err);
        }
    }

    /// One line of an error report on stderr (`error: …`, `hint: …`), made
    /// safe like every other message; a closed stderr is ignored.
    pub fn error_line(&self, line: &str) {
        stderr_line(self.for_stderr(line));
    }

    /// A cargo-style status line on stderr: a right-aligned verb, then the message.
    pub fn status(&self, verb: &str, message: impl Display) {
        if self.quiet {
            return;
        }
        let message = self.for_stderr(message);
        let verb = format!("{verb:>12}");
        let verb = if self.color {
            style(verb).green().bold().to_string()
        } else {
            verb
        };
        if let Some(bar) = &self.line {
            bar.set_message(format!("{} {message}", verb.trim_start()));
            return;
        }
        stderr_line(format_args!("{verb} {}{message}", self.prefix));
    }

    /// A warning on stderr (shown even with `-q`).
    pub fn warn(&self, message: impl Display) {
        let message = self.for_stderr(message);
        let label = if self.color {
            style("warning").yellow().bold().to_string()
        } else {
            "warning".into()
        };
        match &self.line {
            Some(bar) => bar.println(format!("{label}: {}{message}", self.prefix)),
            None => stderr_line(format_args!("{label}: {}{message}", self.prefix)),
        }
    }

    /// Detail shown with `-v` (level 1) or `-vv` (level 2).
    pub fn detail(&self, level: u8, message: impl Display) {
        if self.verbose >= level && !self.quiet {
            let text = self.for_stderr(message);
            let text = if self.color {
                style(text).dim().to_string()
            } else {
                text
            };
            stderr_line(text);
        }
    }

    /// A plain line on stderr (part of a human report, e.g. a table).
    pub fn note(&self, message: impl Display) {
        if !self.quiet {
            stderr_line(self.for_stderr(message));
        }
    }

    /// The result of a command on stdout: its `Display` for text, JSON otherwise.
    pub fn data<T: Serialize + Display>(&self, value: &T) -> std::io::Result<()> {
        STDOUT_WRITTEN.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut out = std::io::stdout().lock();
        let result = match self.format {
            OutputFormat::Text => {
                write!(out, "{}", self.inert(shown(value.to_string(), !self.raw)))
            }
            OutputFormat::Json => serde_json::to_value(value)
                .map(|mut json| {
                    sanitize::redact_json(&mut json);
                    json
                })
                .and_then(|json| serde_json::to_writer_pretty(&mut out, &json))
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out)),
        };
        result.and_then(|()| out.flush()).map_err(stdout_error)
    }

    /// One raw line on stdout (log lines, an image URI).
    pub fn line(&self, line: impl Display) -> std::io::Result<()> {
        STDOUT_WRITTEN.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut out = std::io::stdout().lock();
        let written = if self.github {
            writeln!(out, "{}", self.inert(line.to_string()))
        } else {
            writeln!(out, "{line}")
        };
        written.and_then(|()| out.flush()).map_err(stdout_error)
    }
}

impl Printer {
    /// Many raw lines on stdout under one lock and one flush (a page of log
    /// events). Write errors, a closed pipe among them, come back as `io::Error`.
    pub fn lines<I>(&self, lines: I) -> std::io::Result<()>
    where
        I: IntoIterator,
        I::Item: Display,
    {
        STDOUT_WRITTEN.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for line in lines {
            if self.github {
                writeln!(out, "{}", self.inert(line.to_string())).map_err(stdout_error)?;
            } else {
                writeln!(out, "{line}").map_err(stdout_error)?;
            }
        }
        out.flush().map_err(stdout_error)
    }

    /// Bytes on stdout as they are (a completion script).
    pub fn raw(&self, bytes: &[u8]) -> std::io::Result<()> {
        STDOUT_WRITTEN.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(stdout_error)
    }
}

/// An open `::group::`, closed when dropped (also on an early `?` return).
#[must_use = "the group closes when this guard drops"]
pub struct Group {
    open: bool,
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.open {
            stderr_line(super::github::GROUP_END);
        }
    }
}

/// One line on stderr, under its lock. A failed write (stderr closed) is
/// ignored: it cannot be reported anywhere.
fn stderr_line(line: impl Display) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Text as shown: URL credentials redacted; control characters escaped when `escape`.
fn shown(text: String, escape: bool) -> String {
    match sanitize::shown(&text, escape, Lines::Keep) {
        Cow::Owned(shown) => shown,
        Cow::Borrowed(_) => text,
    }
}

/// The reader of stdout went away (`mcp logs | head`). Only a closed stdout
/// is marked so: a broken pipe to the Docker engine is a real failure.
#[derive(Debug)]
pub struct StdoutClosed;

impl Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout was closed")
    }
}

impl std::error::Error for StdoutClosed {}

fn stdout_error(err: std::io::Error) -> std::io::Error {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        std::io::Error::new(std::io::ErrorKind::BrokenPipe, StdoutClosed)
    } else {
        err
    }
}

/// Whether `err` says stdout was closed (and nothing else went wrong).
pub fn is_stdout_closed(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .is_some_and(|inner| inner.is::<StdoutClosed>())
            || cause.is::<StdoutClosed>()
    })
}
