//! The releases a service has had: task-definition revisions, newest first,
//! with what `mcp` tagged them with ([`super::tags`]). Every ECS way of
//! running a release keeps its history this way; the local engine keeps its
//! own (one container per release, see `platform::local`).

use std::fmt;

use serde::Serialize;

use super::ImageRef;
use crate::ui::table::Table;

/// One release: a task-definition revision.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub revision: i32,
    pub task_definition: String,
    pub image: Option<ImageRef>,
    pub tag: Option<String>,
    pub git_sha: Option<String>,
    pub registered_at: Option<String>,
    pub registered_by: Option<String>,
    /// When a rollout of this revision completed (set by `mcp`).
    pub completed_at: Option<String>,
    pub live: bool,
}

/// `mcp history` of one ECS service.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub cluster: String,
    pub service: String,
    pub family: String,
    pub releases: Vec<Entry>,
}

impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut table = Table::new([
            ("", 4),
            ("REVISION", 10),
            ("TAG", 28),
            ("GIT SHA", 12),
            ("REGISTERED", 20),
            ("BY", 0),
        ]);
        for r in &self.releases {
            table.row([
                if r.live {
                    "live"
                } else if r.completed_at.is_some() {
                    "ok"
                } else {
                    ""
                }
                .to_string(),
                r.revision.to_string(),
                r.tag.as_deref().unwrap_or("-").to_string(),
                r.git_sha
                    .as_deref()
                    .map(|s| &s[..s.len().min(12)])
                    .unwrap_or("-")
                    .to_string(),
                r.registered_at.as_deref().unwrap_or("-").to_string(),
                r.registered_by
                    .as_deref()
                    .map(|b| b.rsplit('/').next().unwrap_or(b))
                    .unwrap_or("-")
                    .to_string(),
            ]);
        }
        write!(f, "{table}")
    }
}
