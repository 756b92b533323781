//! Requests signed for the endpoint: a function URL with `AuthType AWS_IAM`
//! answers 403 to any request without an AWS Signature Version 4, so the
//! check signs every request it sends to the endpoint's origin (the health
//! GET, each MCP POST, a resumed stream, the session's DELETE).
//!
//! `probe/` knows nothing of AWS or of `Settings`: it is given a [`Sign`]
//! (the one for Lambda is `crate::aws::sigv4`), and signs each request just
//! before it goes out. A signature covers the method, the path and the
//! body, so a redirect cannot be followed by reqwest (it would send the
//! signature of the first URL to the second): a signed request is sent by a
//! client that follows no redirects, and `wire::send` follows those on the
//! endpoint's origin itself, signing each hop again. A redirect to another
//! origin is not followed, signed or not.
//!
//! A request to another origin (a `deploy.health_path` written as a full
//! URL elsewhere, an OAuth authorization server) is never signed.

use std::fmt;
use std::sync::Arc;

/// Something that signs a request in place, with credentials resolved
/// before the check began (signing itself does not wait).
///
/// `Debug` must not show a credential.
pub trait Sign: Send + Sync + fmt::Debug {
    /// Add the signature's headers to `request`. The error never holds a
    /// credential.
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), String>;
    /// What is signed with what, for a detail line (`signing requests with
    /// SigV4 for `lambda` in eu-west-1 …`). No credential.
    fn describe(&self) -> String;
    /// What to try when the endpoint refused a signed request (403).
    fn refused_hint(&self) -> String;
    /// Values sent with a request that are credentials (a session token):
    /// scrubbed from whatever a report shows.
    fn secrets(&self) -> Vec<String>;
}

/// A signer shared by the check's clients.
pub type Signer = Arc<dyn Sign>;
