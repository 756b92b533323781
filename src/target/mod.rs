//! Where a deploy lands.
//!
//! A deploy to ECS does not end when `UpdateService` returns: that call only
//! starts a deployment, and ECS may take minutes to replace the tasks, or give up
//! and roll back on its own. [`follow`] watches one deployment, by id, until it
//! reaches an end, and reports what happened on the way as events; it neither
//! prints nor decides exit codes, which is the deploy operation's job.

pub mod follow;
pub mod local;
