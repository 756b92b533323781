//! Integration tests that drive the built `mcp` binary against the testbed: a
//! real Docker engine, a real registry and the AWS API simulator. One binary for
//! all areas, so the slow-to-link AWS SDK is linked once.

pub mod testbed;

pub mod check;
mod deploy;
mod doctor;
mod express;
mod fleet;
mod image;
mod install;
mod local;
mod logs;
mod readme;
mod secrets;
mod security;
mod up_sh;
