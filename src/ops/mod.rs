//! One module per command. Each takes resolved settings and a printer and
//! returns an exit status; none of them knows about clap.

pub mod check;
pub mod config;
pub mod deploy;
pub mod destroy;
pub mod doctor;
pub mod fleet;
pub mod history;
pub mod image;
pub mod init;
pub mod launch;
pub mod local;
pub mod logs;
pub mod rollback;
pub mod rollout;
pub mod scale;
pub mod secrets;
pub mod status;
