//! Everything `mcp` shows a person or a program.
//!
//! stdout carries only data (JSON, image URIs, log lines); status, progress and
//! errors go to stderr. Colour, spinners and prompts appear only on a terminal,
//! and never with `NO_COLOR` or under `CI`, so logs of CI jobs stay plain.

pub mod github;
pub mod output;
pub mod printer;
pub mod render;
pub mod reporter;
pub mod sanitize;
pub mod table;

pub use output::Output;
pub use printer::{OutputFormat, Printer, PrinterOptions};
