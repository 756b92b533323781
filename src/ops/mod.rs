//! One module per command. Each takes resolved settings and a printer and
//! returns an exit status; none of them knows about clap.

pub mod config;
pub mod doctor;
pub mod image;
pub mod init;
