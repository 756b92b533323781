//! A session that does not survive the load balancer: the answer that
//! says a request of the session reached a task that does not know it, the
//! failure it makes, and the fixes to offer.

use std::time::Instant;

use super::wire::{Reply, Wire};
use super::{CheckReport, Secret, Step};

/// An answer that says the session is unknown where the request landed:
/// 404 (the specification's answer), or 400 that names the session.
pub(super) fn session_lost(reply: &Reply) -> bool {
    let names_session = || {
        let text = match reply.error() {
            Some(e) => e.message.to_ascii_lowercase(),
            None => reply.body.to_ascii_lowercase(),
        };
        text.contains("session")
    };
    reply.status == 404 || (reply.status == 400 && names_session())
}

/// The fixes for a server whose sessions do not survive the load balancer.
pub const SESSION_FIXES: &str = "make the server stateless (Python SDK and FastMCP: `stateless_http=True`; TypeScript SDK: `sessionIdGenerator: undefined`; rmcp: `StreamableHttpServerConfig { stateful_mode: false, .. }`), or serve the 2026-07-28 revision, which has no sessions; else run one task, or keep sessions in a store every task shares. Load balancer cookie stickiness is no fix: most MCP clients keep no cookies";

pub(super) fn fail_session(
    report: &mut CheckReport,
    started: Instant,
    wire: &Wire,
    method: &str,
    reply: &Reply,
    secret: &Secret,
) {
    report.fail(
        Step::Session,
        started,
        secret.scrub(&format!(
            "request {} of the session (`{method}`) answered {}: the server keeps sessions in memory, and the load balancer sent a request of the session to a task that does not know it",
            wire.sent - wire.session_since,
            reply.describe()
        )),
        Some(SESSION_FIXES.to_string()),
    );
}
