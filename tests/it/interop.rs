//! `mcp check` against MCP servers built with other SDKs from their registries
//! (tests/interop/, installed by tests/testbed/interop.sh, which up.sh runs):
//! the MCP Python SDK 1.x and 2.x, FastMCP, the TypeScript SDK v1 and v2, and
//! rmcp (examples/echo-server), each in its default and its stateless mode.
//!
//! Each server runs as one task, then as two tasks behind tests/interop/spread.py,
//! a loopback balancer that sends every HTTP request to the next task with no
//! affinity, as an ALB target group with two tasks does. On one task every server
//! is healthy and the check reports the revision it spoke and whether the server
//! kept a session. On two, a server that keeps its sessions in memory fails every
//! time at the `session` step with the cause and the fix; a stateless one passes.
//! No AWS part of the testbed is needed, only its installs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

use crate::local::free_port;
use crate::testbed::{Output, run};

const NEWEST: &str = "2026-07-28";
const LEGACY: &str = "2025-11-25";

/// Where interop.sh installed the SDKs: `$MCP_TESTBED_DIR/interop`.
pub(crate) fn installs() -> PathBuf {
    let state = std::env::var("MCP_TESTBED_DIR").unwrap_or_else(|_| "/tmp/mcp-testbed".into());
    let dir = Path::new(&state).join("interop");
    for part in ["py1", "py2", "ts1", "ts2"] {
        assert!(
            dir.join(part).join(".stamp").is_file(),
            "this test needs the MCP SDKs in {}: run `bash tests/testbed/up.sh` (or tests/testbed/interop.sh)",
            dir.display()
        );
    }
    dir
}

pub(crate) fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A process killed when the test ends, however it ends.
struct Proc {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Start `command(dir, port)` on a free port and wait until its output says
    /// `ready` (printed once it listens). A parallel test can take the port
    /// between the pick and the bind: the process then exits saying the
    /// address is in use, and it starts again on another port.
    fn start(command: impl Fn(&Path, u16) -> Command, ready: &str) -> Proc {
        let mut last = String::new();
        for _attempt in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let log = dir.path().join("out.log");
            let port = free_port();
            let file = std::fs::File::create(&log).unwrap();
            let child = command(dir.path(), port)
                .stdin(Stdio::null())
                .stdout(file.try_clone().unwrap())
                .stderr(file)
                .spawn()
                .unwrap();
            let mut proc = Proc {
                child,
                port,
                log,
                _dir: dir,
            };
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let text = proc.log();
                if text.contains(ready) {
                    return proc;
                }
                if let Ok(Some(status)) = proc.child.try_wait() {
                    if text.contains("in use") {
                        last = text;
                        break; // lost the port to another test: next port
                    }
                    panic!("exited with {status} before saying `{ready}`:\n{text}");
                }
                assert!(
                    Instant::now() < deadline,
                    "did not say `{ready}` on port {port} within 60 s:\n{text}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("no free port after 5 tries:\n{last}");
    }
}

/// An MCP server of one SDK in one mode.
#[derive(Clone, Copy)]
enum Sdk {
    /// The MCP Python SDK 1.x (FastMCP in `mcp`).
    Python1,
    /// The MCP Python SDK 2.x (MCPServer).
    Python2,
    /// FastMCP (the `fastmcp` package).
    FastMcp,
    /// `@modelcontextprotocol/sdk` 1.x.
    TypeScript1,
    /// `@modelcontextprotocol/server` 2.x.
    TypeScript2,
    /// rmcp: examples/echo-server.
    Rmcp,
}

impl Sdk {
    /// The name its server reports (`serverInfo.name`).
    fn server_name(self) -> &'static str {
        match self {
            Sdk::Python1 => "interop-python-sdk-1",
            Sdk::Python2 => "interop-python-sdk-2",
            Sdk::FastMcp => "interop-fastmcp",
            Sdk::TypeScript1 => "interop-typescript-sdk-1",
            Sdk::TypeScript2 => "interop-typescript-sdk-2",
            Sdk::Rmcp => "echo-server",
        }
    }
}

/// One task of `sdk` started with `mode` (`""` is the SDK's default).
fn task(sdk: Sdk, mode: &'static str) -> Proc {
    let python = |venv: &'static str, script: &'static str| {
        let installs = installs();
        Proc::start(
            move |_dir, port| {
                let mut cmd = Command::new(installs.join(venv).join("bin/python"));
                cmd.arg(repo_file(script)).arg(port.to_string());
                if !mode.is_empty() {
                    cmd.arg(mode);
                }
                cmd.env("PYTHONUNBUFFERED", "1").env_remove("PYTHONPATH");
                cmd
            },
            "Uvicorn running on",
        )
    };
    // Node resolves packages from the script's folder: a copy of the script
    // beside a link to the installed node_modules.
    let node = |folder: &'static str, script: &'static str| {
        let installs = installs();
        Proc::start(
            move |dir, port| {
                let copy = dir.join(script);
                std::fs::copy(repo_file(&format!("tests/interop/{script}")), &copy).unwrap();
                std::os::unix::fs::symlink(
                    installs.join(folder).join("node_modules"),
                    dir.join("node_modules"),
                )
                .unwrap();
                let mut cmd = Command::new("node");
                cmd.arg(&copy).arg(port.to_string());
                if !mode.is_empty() {
                    cmd.arg(mode);
                }
                cmd
            },
            "listening on",
        )
    };
    match sdk {
        Sdk::Python1 => python("py1", "tests/interop/py_mcp1.py"),
        Sdk::Python2 => python("py2", "tests/interop/py_mcp2.py"),
        Sdk::FastMcp => python("py2", "tests/interop/py_fastmcp.py"),
        Sdk::TypeScript1 => node("ts1", "ts_sdk1.mjs"),
        Sdk::TypeScript2 => node("ts2", "ts_sdk2.mjs"),
        Sdk::Rmcp => {
            assert!(mode.is_empty(), "the echo server has no modes");
            let bin = crate::check::echo_server_bin();
            Proc::start(
                move |_dir, port| {
                    let mut cmd = Command::new(bin);
                    cmd.env("PORT", port.to_string())
                        .env_remove("AUTH_TOKEN")
                        .env_remove("ALLOWED_HOSTS");
                    cmd
                },
                "listening on",
            )
        }
    }
}

/// tests/interop/spread.py in front of `tasks`: its URL is the service's.
fn spread(tasks: &[&Proc]) -> Proc {
    let ports: Vec<String> = tasks.iter().map(|t| t.port.to_string()).collect();
    let mut balancer = Proc::start(
        |_dir, _port| {
            let mut cmd = Command::new("python3");
            cmd.arg(repo_file("tests/interop/spread.py")).args(&ports);
            cmd.env("PYTHONUNBUFFERED", "1");
            cmd
        },
        "spreading on",
    );
    // It picks its own port (bound, so no race): the one it printed.
    let log = balancer.log();
    let url = log
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("spread.py printed no URL:\n{log}"));
    balancer.port = url.rsplit(':').next().unwrap().parse().unwrap();
    balancer
}

fn url(proc: &Proc) -> String {
    format!("http://127.0.0.1:{}/mcp", proc.port)
}

/// `mcp check -o json --url URL ARGS...` from a folder with no mcp.toml.
fn check(url: &str, args: &[&str]) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("mcp").unwrap();
    cmd.current_dir(dir.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("MCP_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1").env("CI", "true");
    cmd.args(["check", "-o", "json", "--url", url]).args(args);
    let out = run(&mut cmd);
    let json = out.json();
    (out, json)
}

fn describe(out: &Output, json: &Value) -> String {
    format!(
        "exit {}\njson: {}\nstderr:\n{}",
        out.code,
        serde_json::to_string_pretty(json).unwrap(),
        out.stderr
    )
}

/// One task: healthy, speaks `protocol`, `session` as expected, lists and calls its tools.
fn assert_one_task(sdk: Sdk, proc: &Proc, args: &[&str], protocol: &str, session: &str) {
    let mut all = args.to_vec();
    all.extend(["--call", r#"echo={"text":"interop"}"#]);
    let (out, json) = check(&url(proc), &all);
    let why = || format!("{}\nserver log:\n{}", describe(&out, &json), proc.log());
    assert_eq!(out.code, 0, "{}", why());
    assert_eq!(json["healthy"], true, "{}", why());
    assert_eq!(json["failed_step"], Value::Null, "{}", why());
    assert_eq!(json["protocol"], protocol, "{}", why());
    assert_eq!(json["session"], session, "{}", why());
    assert_eq!(json["server"]["name"], sdk.server_name(), "{}", why());
    let mut tools: Vec<&str> = json["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {}", why()))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    tools.sort_unstable();
    assert_eq!(tools, ["add", "echo"], "{}", why());
}

/// Two tasks behind the balancer, a server that keeps sessions in memory: the
/// check fails at `session` every time, names the cause and `fix`.
fn assert_two_tasks_fail(balancer: &Proc, args: &[&str], fix: &str) {
    for attempt in 1..=3 {
        let (out, json) = check(&url(balancer), args);
        let why = || format!("attempt {attempt}: {}", describe(&out, &json));
        assert_eq!(out.code, 1, "{}", why());
        assert_eq!(json["healthy"], false, "{}", why());
        assert_eq!(json["failed_step"], "session", "{}", why());
        assert_eq!(json["session"], "stateful", "{}", why());
        let error = json["error"].as_str().unwrap_or_default().to_lowercase();
        assert!(
            error.contains("session") && error.contains("load balancer"),
            "the error names neither the session nor the load balancer: {}",
            why()
        );
        let hint = json["hint"].as_str().unwrap_or_default();
        assert!(
            hint.contains(fix),
            "the hint does not name `{fix}`: {}",
            why()
        );
        assert!(out.stderr.contains(fix), "{}", why());
    }
}

/// Two tasks behind the balancer, a stateless server: healthy.
fn assert_two_tasks_pass(sdk: Sdk, balancer: &Proc, args: &[&str], protocol: &str) {
    let (out, json) = check(&url(balancer), args);
    let why = || describe(&out, &json);
    assert_eq!(out.code, 0, "{}", why());
    assert_eq!(json["healthy"], true, "{}", why());
    assert_eq!(json["protocol"], protocol, "{}", why());
    assert_eq!(json["session"], "stateless", "{}", why());
    assert_eq!(json["server"]["name"], sdk.server_name(), "{}", why());
}

/// What a server should do, per revision the check speaks to it.
struct Expect {
    /// With the check's default (negotiation): the revision used.
    negotiated: &'static str,
    /// And whether it kept a session.
    negotiated_session: &'static str,
    /// With `--protocol 2025-11-25` (when the server speaks both eras): its session.
    legacy_session: Option<&'static str>,
    /// What the hint must name when the server fails on two tasks.
    fix: &'static str,
}

fn prove(sdk: Sdk, mode: &'static str, expect: Expect) {
    let pinned = ["--protocol", LEGACY];
    let first = task(sdk, mode);
    assert_one_task(
        sdk,
        &first,
        &[],
        expect.negotiated,
        expect.negotiated_session,
    );
    if let Some(session) = expect.legacy_session {
        assert_one_task(sdk, &first, &pinned, LEGACY, session);
    }

    let second = task(sdk, mode);
    let balancer = spread(&[&first, &second]);
    let mut runs: Vec<(&[&str], &str, &str)> =
        vec![(&[], expect.negotiated, expect.negotiated_session)];
    if let Some(session) = expect.legacy_session {
        runs.push((&pinned, LEGACY, session));
    }
    for (args, protocol, session) in runs {
        if session == "stateful" {
            assert_two_tasks_fail(&balancer, args, expect.fix);
        } else {
            assert_two_tasks_pass(sdk, &balancer, args, protocol);
        }
    }
}

const PYTHON_FIX: &str = "stateless_http";
const TYPESCRIPT_FIX: &str = "sessionIdGenerator";

// The Python SDK 1.x speaks the 2025 revisions only; FastMCP keeps sessions by default.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn python_sdk_1_default_keeps_sessions_and_fails_on_two_tasks() {
    let expect = Expect {
        negotiated: LEGACY,
        negotiated_session: "stateful",
        legacy_session: None,
        fix: PYTHON_FIX,
    };
    prove(Sdk::Python1, "", expect);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn python_sdk_1_stateless_passes_on_two_tasks() {
    let expect = Expect {
        negotiated: LEGACY,
        negotiated_session: "stateless",
        legacy_session: None,
        fix: PYTHON_FIX,
    };
    prove(Sdk::Python1, "--stateless", expect);
}

// The Python SDK 2.x serves 2026-07-28 per request whatever its mode; its mode
// decides only how the 2025 handshake is served.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn python_sdk_2_default_passes_with_2026_and_fails_on_two_tasks_with_2025() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: Some("stateful"),
        fix: PYTHON_FIX,
    };
    prove(Sdk::Python2, "", expect);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn python_sdk_2_stateless_passes_on_two_tasks_with_both_revisions() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: Some("stateless"),
        fix: PYTHON_FIX,
    };
    prove(Sdk::Python2, "--stateless", expect);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn fastmcp_default_passes_with_2026_and_fails_on_two_tasks_with_2025() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: Some("stateful"),
        fix: PYTHON_FIX,
    };
    prove(Sdk::FastMcp, "", expect);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn fastmcp_stateless_passes_on_two_tasks_with_both_revisions() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: Some("stateless"),
        fix: PYTHON_FIX,
    };
    prove(Sdk::FastMcp, "--stateless", expect);
}

// The TypeScript SDK v1 speaks the 2025 revisions only.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn typescript_sdk_1_with_a_session_id_generator_fails_on_two_tasks() {
    let expect = Expect {
        negotiated: LEGACY,
        negotiated_session: "stateful",
        legacy_session: None,
        fix: TYPESCRIPT_FIX,
    };
    prove(Sdk::TypeScript1, "", expect);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn typescript_sdk_1_stateless_passes_on_two_tasks() {
    let expect = Expect {
        negotiated: LEGACY,
        negotiated_session: "stateless",
        legacy_session: None,
        fix: TYPESCRIPT_FIX,
    };
    prove(Sdk::TypeScript1, "--stateless", expect);
}

// The TypeScript SDK v2's default (createMcpHandler) is stateless for both eras.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn typescript_sdk_2_default_passes_on_two_tasks_with_both_revisions() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: Some("stateless"),
        fix: TYPESCRIPT_FIX,
    };
    prove(Sdk::TypeScript2, "", expect);
}

// Its recipe for keeping a sessionful 2025 deployment: sessions for 2025 clients only.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn typescript_sdk_2_with_2025_sessions_fails_on_two_tasks_with_2025_only() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: Some("stateful"),
        fix: TYPESCRIPT_FIX,
    };
    prove(Sdk::TypeScript2, "--sessions", expect);
}

// A server that speaks 2026-07-28 only is healthy, on one task and on two; a
// check pinned to 2025-11-25 fails at `initialize`, saying what the server speaks.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn typescript_sdk_2_modern_only_passes_and_refuses_a_2025_check() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: None,
        fix: TYPESCRIPT_FIX,
    };
    prove(Sdk::TypeScript2, "--modern-only", expect);

    let server = task(Sdk::TypeScript2, "--modern-only");
    let (out, json) = check(&url(&server), &["--protocol", LEGACY]);
    let why = || describe(&out, &json);
    assert_eq!(out.code, 1, "{}", why());
    assert_eq!(json["failed_step"], "initialize", "{}", why());
    assert!(
        json["error"].as_str().unwrap_or_default().contains(NEWEST),
        "the error does not name the revision the server speaks: {}",
        why()
    );
}

// rmcp: the example echo server as it is (stateful_mode false, JSON responses:
// it has no mode that keeps sessions), 2026-07-28 and the 2025 handshake.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn rmcp_echo_server_passes_on_two_tasks_with_both_revisions() {
    let expect = Expect {
        negotiated: NEWEST,
        negotiated_session: "stateless",
        legacy_session: Some("stateless"),
        fix: "stateful_mode",
    };
    prove(Sdk::Rmcp, "", expect);
}
