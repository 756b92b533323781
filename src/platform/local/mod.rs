//! The local Docker engine.

pub mod engine;
