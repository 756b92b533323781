//! ECS services updated by a rolling deployment.

pub mod follow;
