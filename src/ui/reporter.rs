//! Progress of long work (build steps, pushed layers), kept apart from the work
//! itself: the docker module reports through [`Reporter`] and never touches
//! indicatif. On a terminal the reporter draws one spinner line for the build
//! and a bar per layer for a push; elsewhere it writes plain lines to stderr.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Printer;

/// What happened to one layer of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerEvent {
    Waiting,
    Pushing { current: u64, total: u64 },
    Pushed { total: u64 },
    Exists,
}

pub trait Reporter: Send + Sync {
    /// A build step started (`[2/5] RUN pip install …` or `Step 2/5 : …`).
    fn step(&self, text: &str);
    /// A line of build output (shown with `-v`, and kept for failure reports).
    fn output(&self, text: &str);
    /// Progress of one layer of a push.
    fn layer(&self, id: &str, event: LayerEvent);
    /// Remove anything drawn; called when the work ends, successfully or not.
    fn finish(&self);
}

/// Human-readable bytes: `512 B`, `3.4 MB`.
pub fn bytes(n: u64) -> String {
    indicatif::DecimalBytes(n).to_string()
}

/// The reporter the printer calls for: drawn on a terminal, plain otherwise.
pub fn for_printer(printer: &Printer) -> Box<dyn Reporter> {
    if printer.progress() {
        Box::new(TerminalReporter::new(printer.clone()))
    } else {
        Box::new(PlainReporter {
            printer: printer.clone(),
        })
    }
}

/// Plain lines, for CI logs and pipes.
pub struct PlainReporter {
    printer: Printer,
}

impl Reporter for PlainReporter {
    fn step(&self, text: &str) {
        self.printer.status("Step", text);
    }
    fn output(&self, text: &str) {
        self.printer.detail(1, format!("             {text}"));
    }
    fn layer(&self, id: &str, event: LayerEvent) {
        match event {
            LayerEvent::Pushed { total } if total > 0 => self
                .printer
                .status("Pushed", format!("layer {id} ({})", bytes(total))),
            LayerEvent::Pushed { .. } => self.printer.status("Pushed", format!("layer {id}")),
            LayerEvent::Exists => self.printer.detail(
                1,
                format!("             layer {id} already in the registry"),
            ),
            LayerEvent::Waiting | LayerEvent::Pushing { .. } => {}
        }
    }
    fn finish(&self) {}
}

/// One spinner for build steps and a bar per pushed layer.
pub struct TerminalReporter {
    printer: Printer,
    multi: MultiProgress,
    spinner: Mutex<Option<ProgressBar>>,
    layers: Mutex<HashMap<String, ProgressBar>>,
}

impl TerminalReporter {
    fn new(printer: Printer) -> Self {
        TerminalReporter {
            printer,
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            spinner: Mutex::new(None),
            layers: Mutex::new(HashMap::new()),
        }
    }
}

impl Reporter for TerminalReporter {
    fn step(&self, text: &str) {
        let mut spinner = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        let bar = spinner.get_or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("    {spinner} {elapsed:>3} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        // Build output is written by the Dockerfile's commands: shown, not obeyed.
        bar.set_message(
            super::sanitize::shown(text, true, super::sanitize::Lines::One).into_owned(),
        );
    }
    fn output(&self, text: &str) {
        if self.printer.verbosity() >= 1 {
            let text = super::sanitize::shown(text, true, super::sanitize::Lines::Keep);
            let _ = self.multi.println(format!("             {text}"));
        }
    }
    fn layer(&self, id: &str, event: LayerEvent) {
        let mut layers = self.layers.lock().unwrap_or_else(|e| e.into_inner());
        let bar = layers.entry(id.to_string()).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(0));
            bar.set_style(
                ProgressStyle::with_template(
                    "    {prefix} {bar:30} {bytes:>10}/{total_bytes:<10} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(id.to_string());
            bar
        });
        match event {
            LayerEvent::Waiting => bar.set_message("waiting"),
            LayerEvent::Pushing { current, total } => {
                bar.set_length(total);
                bar.set_position(current);
                bar.set_message("pushing");
            }
            LayerEvent::Pushed { total } => {
                bar.set_length(total.max(bar.length().unwrap_or(0)));
                bar.set_position(bar.length().unwrap_or(0));
                bar.finish_with_message("pushed");
            }
            LayerEvent::Exists => bar.finish_with_message("already in the registry"),
        }
    }
    fn finish(&self) {
        if let Some(bar) = self
            .spinner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            bar.finish_and_clear();
        }
        for (_, bar) in self
            .layers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}
