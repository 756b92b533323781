//! `mcp check` against real servers on loopback: the example echo server
//! (examples/echo-server, built once per test process), a plain HTTP server
//! that does not speak MCP, and a health path that fails. No testbed needed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

use crate::local::free_port;
use crate::testbed::{Output, run};

const TOKEN: &str = "tok-3b1f9c0e-never-print-me";

/// The echo server's binary, built once per process (debug, its own target
/// directory), statically linked so the same file runs here and `FROM scratch`.
pub fn echo_server_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("echo-server");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "--quiet", "--locked", "--manifest-path"])
            .arg(root.join("examples/echo-server/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .args(["--target", "x86_64-unknown-linux-gnu"])
            .env("RUSTFLAGS", "-C target-feature=+crt-static")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "building examples/echo-server failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        target.join("x86_64-unknown-linux-gnu/debug/echo-server")
    })
}

/// A child process killed when the test ends, however it ends.
pub struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Start the server `command(port)` makes on a free port and wait until it
    /// says `ready` (a line it prints once it listens). Parallel tests pick
    /// ports too, so a port can be taken between the pick and the bind: the
    /// server then exits, and it is started again on another port. (Waiting
    /// for the port to accept connections alone could find another test's
    /// server there.)
    fn start(command: impl Fn(u16) -> Command, ready: &str, dir: tempfile::TempDir) -> Server {
        let log = dir.path().join("server.log");
        for _attempt in 0..5 {
            let port = free_port();
            let mut cmd = command(port);
            let deadline = Instant::now() + Duration::from_secs(60);
            let file = std::fs::File::create(&log).unwrap();
            let child = cmd
                .stdin(Stdio::null())
                .stdout(file.try_clone().unwrap())
                .stderr(file)
                .spawn()
                .unwrap();
            let mut server = Server {
                child,
                port,
                log: log.clone(),
                _dir: tempfile::tempdir().unwrap(),
            };
            loop {
                if server.log().contains(ready) {
                    // Ours listens: the port answers us, not a neighbour.
                    server._dir = dir;
                    return server;
                }
                if let Ok(Some(status)) = server.child.try_wait() {
                    let text = server.log();
                    if text.contains("in use") {
                        break; // lost the port to another test: next port
                    }
                    panic!("server exited with {status}:\n{text}");
                }
                assert!(
                    Instant::now() < deadline,
                    "server did not say `{ready}` on port {port}:\n{}",
                    server.log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!(
            "no free port after 5 tries:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    pub fn echo(token: Option<&str>) -> Server {
        Server::echo_with(token, None)
    }

    fn echo_with(token: Option<&str>, allowed_hosts: Option<&str>) -> Server {
        let (token, allowed_hosts) = (token.map(str::to_string), allowed_hosts.map(str::to_string));
        // Built before the port is picked and the clock runs: the first build
        // takes a minute when every test process asks cargo for it at once.
        let bin = echo_server_bin();
        Server::start(
            move |port| {
                let mut cmd = Command::new(bin);
                cmd.env("PORT", port.to_string());
                match &token {
                    Some(token) => cmd.env("AUTH_TOKEN", token),
                    None => cmd.env_remove("AUTH_TOKEN"),
                };
                match &allowed_hosts {
                    Some(hosts) => cmd.env("ALLOWED_HOSTS", hosts),
                    None => cmd.env_remove("ALLOWED_HOSTS"),
                };
                cmd
            },
            "listening on",
            tempfile::tempdir().unwrap(),
        )
    }

    /// The echo server with `CONFORMANCE=1`: the diagnostic tools the MCP
    /// conformance suite calls (tests/it/conformance.rs), default hosts, no token.
    pub fn echo_conformance() -> Server {
        let bin = echo_server_bin();
        Server::start(
            move |port| {
                let mut cmd = Command::new(bin);
                cmd.env("PORT", port.to_string())
                    .env("CONFORMANCE", "1")
                    .env_remove("AUTH_TOKEN")
                    .env_remove("ALLOWED_HOSTS");
                cmd
            },
            "listening on",
            tempfile::tempdir().unwrap(),
        )
    }

    /// The echo server accepting only the MCP revisions in `protocols`
    /// (`MCP_PROTOCOLS`, comma-separated), default hosts, no token.
    pub fn echo_speaking(protocols: &str) -> Server {
        let protocols = protocols.to_string();
        let bin = echo_server_bin();
        Server::start(
            move |port| {
                let mut cmd = Command::new(bin);
                cmd.env("PORT", port.to_string())
                    .env("MCP_PROTOCOLS", &protocols)
                    .env_remove("AUTH_TOKEN")
                    .env_remove("ALLOWED_HOSTS")
                    .env_remove("CONFORMANCE");
                cmd
            },
            "listening on",
            tempfile::tempdir().unwrap(),
        )
    }

    /// `python3 -m http.server`: answers GET /healthz, but POST with 501.
    pub fn plain_http() -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("healthz"), "ok\n").unwrap();
        let root = dir.path().to_path_buf();
        Server::start(
            move |port| {
                let mut cmd = Command::new("python3");
                cmd.args([
                    "-u",
                    "-m",
                    "http.server",
                    "--bind",
                    "127.0.0.1",
                    "--directory",
                ])
                .arg(&root)
                .arg(port.to_string());
                cmd
            },
            "Serving HTTP on",
            dir,
        )
    }
}

/// `mcp` in `dir`, with none of the caller's `MCP_*` settings.
fn mcp(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mcp").unwrap();
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("MCP_") || key == "ECHO_TOKEN" {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1").env("CI", "true");
    cmd
}

/// A directory with an mcp.toml holding `deploy_toml` under `[deploy]`.
fn project(deploy_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!("name = \"check-test\"\n\n[deploy]\n{deploy_toml}\n"),
    )
    .unwrap();
    dir
}

fn assert_no_token(out: &Output) {
    assert!(
        !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
        "the token was printed:\nstdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn check_lists_the_tools_of_a_real_mcp_server() {
    let server = Server::echo(None);
    let dir = tempfile::tempdir().unwrap();
    let out = run(mcp(dir.path()).args(["check", "--url", &server.url("/mcp"), "-o", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["healthy"], true);
    assert_eq!(json["failed_step"], serde_json::Value::Null);
    assert_eq!(json["server"]["name"], "echo-server");
    assert_eq!(json["server"]["version"], "0.1.0");
    assert!(
        json["protocol_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("20")),
        "{json}"
    );
    let mut tools: Vec<&str> = json["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    tools.sort_unstable();
    assert_eq!(tools, ["add", "echo"]);
    assert!(
        json["capabilities"]
            .as_array()
            .unwrap()
            .contains(&"tools".into())
    );
    assert!(json["latency_ms"].as_f64().is_some());
    assert_eq!(json["health_url"], server.url("/healthz"));
    // The server saw the health check and the MCP requests.
    let log = server.log();
    assert!(log.contains("GET /healthz 200"), "{log}");
    assert!(log.contains("POST /mcp 200"), "{log}");

    // Text: one line per step on stdout, the verdict on stderr.
    let out = run(mcp(dir.path()).args(["check", "--url", &server.url("/mcp")]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("ok    tools/list       2 tools:"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("Healthy"), "{}", out.stderr);
}

// Issue 22: a server that speaks only MCP 2026-07-28 (no `initialize`
// handshake) is healthy, reached through `server/discover`; pinned to a 2025
// revision, the check fails naming the revisions the server supports.
#[test]
fn a_server_that_speaks_only_2026_07_28_is_healthy_through_server_discover() {
    let server = Server::echo_speaking("2026-07-28");
    let dir = tempfile::tempdir().unwrap();
    let out = run(mcp(dir.path()).args(["check", "--url", &server.url("/mcp"), "-o", "json"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let json = out.json();
    assert_eq!(json["healthy"], true, "{json}");
    assert_eq!(json["protocol"], "2026-07-28", "{json}");
    assert_eq!(json["session"], "stateless", "{json}");
    let steps: Vec<(&str, bool)> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["ok"] == true))
        .collect();
    assert_eq!(
        steps,
        [
            ("health", true),
            ("server/discover", true),
            ("tools/list", true)
        ],
        "{json}"
    );
    let mut tools: Vec<&str> = json["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    tools.sort_unstable();
    assert_eq!(tools, ["add", "echo"]);

    // Pinned to the 2025 handshake, which this server refuses with -32022.
    let out = run(mcp(dir.path()).args([
        "check",
        "--url",
        &server.url("/mcp"),
        "--protocol",
        "2025-11-25",
        "-o",
        "json",
    ]));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let json = out.json();
    assert_eq!(json["healthy"], false, "{json}");
    assert_eq!(json["failed_step"], "initialize", "{json}");
    assert_eq!(
        json["error"], "the server does not support protocol 2025-11-25 (it supports 2026-07-28)",
        "{json}"
    );
    assert!(
        out.stderr.contains(
            "failed the `initialize` step: the server does not support protocol 2025-11-25 \
             (it supports 2026-07-28)"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn check_fails_at_initialize_against_a_server_that_is_not_mcp() {
    let server = Server::plain_http();
    let dir = tempfile::tempdir().unwrap();
    let out = run(mcp(dir.path()).args(["check", "--url", &server.url("/mcp"), "-o", "json"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["healthy"], false);
    assert_eq!(json["failed_step"], "initialize");
    assert_eq!(json["steps"][0]["ok"], true, "health passed: {json}");
    assert_eq!(json["tools"], serde_json::json!([]));
    assert!(
        out.stderr.contains("failed the `initialize` step"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("501"), "{}", out.stderr);
    assert!(
        out.stderr.contains("hint: is http://127.0.0.1"),
        "{}",
        out.stderr
    );
}

// Guards the knob a server behind a load balancer needs: rmcp refuses Host
// headers outside its allowed list, and the hint says where to add one.
#[test]
fn a_host_the_server_does_not_allow_fails_at_initialize_with_a_hint() {
    let server = Server::echo_with(None, Some("demo.example.com"));
    let dir = tempfile::tempdir().unwrap();
    let out = run(mcp(dir.path()).args(["check", "--url", &server.url("/mcp")]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("Host header"), "{}", out.stderr);
    assert!(out.stderr.contains("ALLOWED_HOSTS"), "{}", out.stderr);
    assert!(server.log().contains("POST /mcp 403"), "{}", server.log());

    // Listed (a bare name allows any port), the same server passes.
    let server = Server::echo_with(None, Some("demo.example.com, 127.0.0.1"));
    let out = run(mcp(dir.path()).args(["check", "--url", &server.url("/mcp")]));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// The status of an MCP `initialize` POSTed to `url` with `Host: host`.
fn initialize_status(url: &str, host: &str) -> String {
    let out = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"])
        .args(["-H", &format!("Host: {host}")])
        .args(["-H", "Content-Type: application/json"])
        .args(["-H", "Accept: application/json, text/event-stream"])
        .args([
            "-d",
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}"#,
        ])
        .arg(url)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// The echo example behind ECS Express Mode (`mcp launch`): its URL's host is
// under `.on.aws`, which a leading-dot entry of ALLOWED_HOSTS allows; other
// hosts still get rmcp's 403, which `mcp check` explains.
#[test]
fn a_leading_dot_in_allowed_hosts_allows_the_hosts_under_that_domain_only() {
    let server = Server::echo_with(None, Some("demo.example.com,.on.aws"));
    let url = server.url("/mcp");
    assert_eq!(
        initialize_status(&url, "mcp-a1b2.ecs.us-east-1.on.aws"),
        "200"
    );
    assert_eq!(
        initialize_status(&url, "MCP-A1B2.ECS.us-east-1.on.aws:443"),
        "200"
    );
    assert_eq!(initialize_status(&url, "demo.example.com"), "200");
    assert_eq!(initialize_status(&url, "on.aws.evil.example"), "403");
    assert_eq!(initialize_status(&url, "notonaws"), "403");
    // The loopback name is not listed: `mcp check` says where to add it.
    let dir = tempfile::tempdir().unwrap();
    let out = run(mcp(dir.path()).args(["check", "--url", &url]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("ALLOWED_HOSTS"), "{}", out.stderr);
    // The example's own list passes a check on loopback, as `--stage local` runs it.
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/echo-server/mcp.toml"),
    )
    .unwrap();
    let listed = toml
        .lines()
        .find_map(|l| l.strip_prefix("ALLOWED_HOSTS = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("examples/echo-server/mcp.toml sets ALLOWED_HOSTS");
    assert!(listed.split(',').any(|h| h == ".on.aws"), "{listed}");
    let server = Server::echo_with(None, Some(listed));
    let out = run(mcp(dir.path()).args(["check", "--url", &server.url("/mcp")]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        initialize_status(&server.url("/mcp"), "x.ecs.eu-west-1.on.aws"),
        "200"
    );
}

#[test]
fn check_fails_at_health_when_the_health_path_does_not_answer_2xx() {
    let server = Server::echo(None);
    let dir = project(&format!(
        "url = \"{}\"\nhealth_path = \"/missing\"",
        server.url("/mcp")
    ));
    let out = run(mcp(dir.path()).args(["check", "-o", "json"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["failed_step"], "health");
    assert_eq!(json["health_url"], server.url("/missing"));
    assert!(json["error"].as_str().unwrap().contains("404"), "{json}");
    assert!(
        out.stderr.contains("failed the `health` step"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("deploy.health_path"), "{}", out.stderr);
    // Nothing after a failed step is attempted.
    assert!(!server.log().contains("POST /mcp"), "{}", server.log());
}

#[test]
fn check_of_a_port_nobody_listens_on_fails_at_health() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/mcp", free_port());
    let out = run(mcp(dir.path()).args(["check", "--url", &url, "--timeout", "5s"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("FAIL  health"), "{}", out.stdout);
    assert!(out.stdout.contains("skip  initialize"), "{}", out.stdout);
    assert!(
        out.stderr.contains("hint: is the server running"),
        "{}",
        out.stderr
    );
}

// Guards the promise that the bearer token reaches the server and is never
// printed: not in text, not in JSON, not with -vv, not in errors.
#[test]
fn bearer_token_reaches_the_server_and_is_never_printed() {
    let server = Server::echo(Some(TOKEN));
    let dir = project(&format!(
        "url = \"{}\"\nauth_token_env = \"ECHO_TOKEN\"",
        server.url("/mcp")
    ));

    for args in [
        &["check", "-vv"][..],
        &["check", "-vv", "-o", "json"][..],
        &["check", "-o", "json"][..],
    ] {
        let out = run(mcp(dir.path()).args(args).env("ECHO_TOKEN", TOKEN));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_no_token(&out);
        if args.contains(&"json") {
            assert_eq!(out.json()["authenticated"], true);
        }
        if args.contains(&"-vv") {
            assert!(
                out.stderr
                    .contains("sending a bearer token from ECHO_TOKEN (not shown)"),
                "{}",
                out.stderr
            );
        }
    }

    // A wrong token fails the handshake, and is not printed either.
    let wrong = format!("{TOKEN}-wrong");
    let out = run(mcp(dir.path())
        .args(["check", "-vv", "-o", "json"])
        .env("ECHO_TOKEN", &wrong));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stdout.contains(&wrong) && !out.stderr.contains(&wrong));
    assert_no_token(&out);
    assert_eq!(out.json()["failed_step"], "initialize");
    assert!(
        out.stderr.contains("refused the bearer token"),
        "{}",
        out.stderr
    );

    // No token configured: the hint says how to give one.
    let bare = project(&format!("url = \"{}\"", server.url("/mcp")));
    let out = run(mcp(bare.path()).args(["check"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("failed the `initialize` step"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("deploy.auth_token_env"),
        "{}",
        out.stderr
    );
    // The server never logs a header, so never the token.
    assert!(!server.log().contains(TOKEN));
    assert!(server.log().contains("POST /mcp 401"), "{}", server.log());
}

#[test]
fn a_token_variable_that_is_not_set_is_named() {
    let dir = project("url = \"http://127.0.0.1:1/mcp\"\nauth_token_env = \"ECHO_TOKEN\"");
    let out = run(mcp(dir.path()).args(["check"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("names the environment variable ECHO_TOKEN, but it is not set"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: export ECHO_TOKEN"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_url_is_a_usage_error_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(mcp(dir.path()).args(["check"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("deploy.url"), "{}", out.stderr);
    assert!(out.stderr.contains("--url"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}
