//! The release model every platform shares.
//!
//! A release is an image (one [`ImageRef`] type, parsed once), put live
//! somewhere by a platform; what happened is a [`Report`] with a
//! [`DeployStatus`] and the exit code that follows from it. ECS platforms
//! remember releases as tagged task-definition revisions ([`tags`],
//! [`history`]). [`build`] makes a release's image: tag, build, push to ECR,
//! or check an image built elsewhere (`--image`); [`lambda_image`] adds the
//! Lambda Web Adapter to a Lambda stage's image, pulling it with the login
//! [`registry_login`] finds.

pub mod build;
pub mod cost;
pub mod gate;
pub mod history;
pub mod hook;
pub mod image;
pub mod lambda_image;
pub mod preview;
pub mod registry_login;
pub mod report;
pub mod tags;

pub use image::ImageRef;
pub use report::{ContainerExit, DeployStatus, Report, StoppedTask, TaskLog};
