//! The tags `mcp` puts on what it registers, so `mcp history`, `mcp status`
//! and `mcp rollback` can tell later what a revision is and whether it ran.
//! They are part of the release model, not of one platform: every ECS way of
//! running a release reads and writes the same ones.

/// The git commit the image was built from.
pub const GIT_SHA: &str = "mcp:git-sha";
/// The `mcp` version that registered the revision.
pub const VERSION: &str = "mcp:version";
/// The AWS identity that ran the deploy.
pub const DEPLOYED_BY: &str = "mcp:deployed-by";
/// The image tag (the digest alone does not say which build it was).
pub const IMAGE_TAG: &str = "mcp:image-tag";
/// Set on a revision once a rollout of it completed and passed its check:
/// `mcp rollback` goes back to the newest such revision.
pub const COMPLETED_AT: &str = "mcp:completed-at";
