//! Where a release runs.
//!
//! One module per way of running a release: [`ecs`] (an ECS service updated
//! by a rolling deployment) and [`local`] (containers on the local Docker
//! engine).

pub mod ecs;
pub mod local;
