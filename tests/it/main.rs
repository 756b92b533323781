//! Integration tests that drive the built `mcp` binary against the testbed: a
//! real Docker engine, a real registry and the AWS API simulator. One binary for
//! all areas, so the slow-to-link AWS SDK is linked once.

pub mod testbed;

mod alb;
mod cancel;
pub mod check;
mod conformance;
mod cost;
mod deploy;
mod docs;
mod doctor;
mod express;
mod fleet;
mod github;
mod hook;
mod iam;
mod image;
mod install;
mod interop;
mod lambda;
mod lambda_image;
mod lambda_launch;
mod lambda_sigv4;
mod lambda_sim;
mod local;
mod logs;
mod output;
mod preflight;
mod previews;
mod progressive;
mod readme;
mod reliability;
mod restart;
mod secrets;
mod security;
mod smoke;
mod stages;
mod up_sh;
