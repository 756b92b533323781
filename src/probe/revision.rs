//! The MCP revisions the check speaks, in one place: everything else asks
//! this module which revision is newest, which ones have the `initialize`
//! handshake and which are stateless, so a new revision is one line here.
//!
//! 2026-07-28 (SEP-2575, SEP-2567) made MCP stateless: no handshake, a
//! `server/discover` request, the revision in an `MCP-Protocol-Version`
//! header and in every request's `_meta`, no `Mcp-Session-Id`. The revisions
//! before it open a session with `initialize`.

/// Every revision `mcp` speaks, newest first.
pub const KNOWN: &[&str] = &[
    "2026-07-28",
    "2025-11-25",
    "2025-06-18",
    "2025-03-26",
    "2024-11-05",
];

/// Revisions without the `initialize` handshake (`server/discover`, `_meta`).
const STATELESS: &[&str] = &["2026-07-28"];

/// The newest revision: what the check offers first.
pub const NEWEST: &str = KNOWN[0];

/// Whether `revision` is spoken without a handshake.
pub fn is_stateless(revision: &str) -> bool {
    STATELESS.contains(&revision)
}

/// The newest revision that has the `initialize` handshake.
pub fn newest_with_initialize() -> &'static str {
    KNOWN
        .iter()
        .copied()
        .find(|r| !is_stateless(r))
        .unwrap_or(NEWEST)
}

/// `revision` as one of [`KNOWN`], when it is one.
pub fn known(revision: &str) -> Option<&'static str> {
    KNOWN.iter().copied().find(|r| *r == revision)
}

/// The newest revision of `offered` that `mcp` speaks and `accept` allows.
pub fn best_of<'a>(
    offered: impl IntoIterator<Item = &'a str>,
    accept: impl Fn(&str) -> bool,
) -> Option<&'static str> {
    let offered: Vec<&str> = offered.into_iter().collect();
    KNOWN
        .iter()
        .copied()
        .find(|r| offered.contains(r) && accept(r))
}

/// Whether requests of `revision` carry the `MCP-Protocol-Version` header
/// (introduced by 2025-06-18; earlier servers may refuse unknown headers' values).
pub fn sends_version_header(revision: &str) -> bool {
    revision >= "2025-06-18"
}

/// The revisions, for a message: `2026-07-28, 2025-11-25, …`.
pub fn list() -> String {
    KNOWN.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_is_stateless_and_the_rest_have_a_handshake() {
        assert!(is_stateless(NEWEST));
        assert_eq!(newest_with_initialize(), "2025-11-25");
        assert!(!is_stateless("2025-03-26"));
        assert!(KNOWN.windows(2).all(|w| w[0] > w[1]), "newest first");
    }

    #[test]
    fn best_of_picks_the_newest_both_sides_speak() {
        assert_eq!(
            best_of(["2025-06-18", "2026-07-28", "2099-01-01"], |_| true),
            Some("2026-07-28")
        );
        assert_eq!(
            best_of(["2025-06-18", "2026-07-28"], |r| !is_stateless(r)),
            Some("2025-06-18")
        );
        assert_eq!(best_of(["1999-01-01"], |_| true), None);
    }

    #[test]
    fn the_version_header_starts_with_2025_06_18() {
        assert!(!sends_version_header("2025-03-26"));
        assert!(sends_version_header("2025-06-18"));
        assert!(sends_version_header("2026-07-28"));
    }
}
