//! One thin module per command: take resolved settings and a printer, pick
//! the platform ([`crate::platform::for_settings`]) when the command runs a
//! release, call it, print the report, return an exit status. None of them
//! knows about clap, and none calls another: what two commands share lives
//! below them (`platform/`, `release/`, `probe/`).

pub mod build;
pub mod check;
pub mod config;
pub mod cost;
pub mod deploy;
pub mod destroy;
pub mod doctor;
pub mod down;
pub mod fleet;
pub mod history;
pub mod init;
pub mod launch;
pub mod logs;
pub mod previews;
pub mod push;
pub mod restart;
pub mod rollback;
pub mod scale;
pub mod secrets;
pub mod stages;
pub mod status;
