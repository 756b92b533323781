//! Smoke calls and contract diffs (issue 28 item 5) against servers no one here
//! wrote: FastMCP and the TypeScript SDK v2 (tests/interop/py_fastmcp.py and
//! ts_sdk2.mjs, installed by tests/testbed/interop.sh, which up.sh runs), each
//! as the default release and as the releases `INTEROP_RELEASE` picks: a tool
//! that raises, one that hangs, a tool removed, a required argument added, and
//! one that only adds. `INTEROP_CALLED` makes the server write down every tool
//! it runs, so "no calls configured, no tool called" is seen from its side.
//! No AWS part of the testbed is needed, only its installs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

use crate::interop::{installs, repo_file};
use crate::local::free_port;
use crate::testbed::{Output, run};

#[derive(Clone, Copy, Debug)]
enum Sdk {
    /// FastMCP (the `fastmcp` package).
    FastMcp,
    /// `@modelcontextprotocol/server` 2.x.
    TypeScript2,
}

/// One release of a server, killed when the test ends, however it ends.
struct Release {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Release {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Release {
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("out.log")).unwrap_or_default()
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    /// The file the server writes each called tool's name to.
    fn called_file(&self) -> PathBuf {
        self.dir.path().join("called")
    }

    /// The tools the server ran, one per call, in order.
    fn called(&self) -> Vec<String> {
        std::fs::read_to_string(self.called_file())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// `release` of `sdk` (`""`: the default one) on a free port, once it says
    /// it listens. A parallel test can take the port between the pick and the
    /// bind: the server then exits saying so, and starts again on another.
    fn start(sdk: Sdk, release: &str) -> Release {
        let installs = installs();
        let mut last = String::new();
        for _attempt in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let port = free_port();
            let log = std::fs::File::create(dir.path().join("out.log")).unwrap();
            let (mut cmd, ready) = match sdk {
                Sdk::FastMcp => {
                    let mut cmd = Command::new(installs.join("py2/bin/python"));
                    cmd.arg(repo_file("tests/interop/py_fastmcp.py"))
                        .env("PYTHONUNBUFFERED", "1")
                        .env_remove("PYTHONPATH");
                    (cmd, "Uvicorn running on")
                }
                Sdk::TypeScript2 => {
                    // Node resolves packages from the script's folder.
                    let copy = dir.path().join("ts_sdk2.mjs");
                    std::fs::copy(repo_file("tests/interop/ts_sdk2.mjs"), &copy).unwrap();
                    std::os::unix::fs::symlink(
                        installs.join("ts2/node_modules"),
                        dir.path().join("node_modules"),
                    )
                    .unwrap();
                    let mut cmd = Command::new("node");
                    cmd.arg(copy);
                    (cmd, "listening on")
                }
            };
            cmd.arg(port.to_string())
                .env("INTEROP_CALLED", dir.path().join("called"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log);
            if release.is_empty() {
                cmd.env_remove("INTEROP_RELEASE");
            } else {
                cmd.env("INTEROP_RELEASE", release);
            }
            let mut proc = Release {
                child: cmd.spawn().unwrap(),
                port,
                dir,
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
                        break;
                    }
                    panic!("{sdk:?} release {release:?} exited with {status}:\n{text}");
                }
                assert!(
                    Instant::now() < deadline,
                    "{sdk:?} release {release:?} did not say `{ready}` within 60 s:\n{text}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("no free port after 5 tries:\n{last}");
    }
}

/// `mcp check -o json --url URL ARGS...` in `dir` (which may hold an mcp.toml).
fn check_in(dir: &Path, url: &str, args: &[&str]) -> (Output, Value) {
    let mut cmd = Command::cargo_bin("mcp").unwrap();
    cmd.current_dir(dir);
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

/// The same from a folder with no mcp.toml.
fn check(url: &str, args: &[&str]) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    check_in(dir.path(), url, args)
}

fn describe(out: &Output, json: &Value, server: &Release) -> String {
    format!(
        "exit {}\njson: {}\nstderr:\n{}\nserver log:\n{}",
        out.code,
        serde_json::to_string_pretty(json).unwrap(),
        out.stderr,
        server.log()
    )
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A tool that raises fails the check at `tools/call`, naming the tool and the
/// server's own error text, in `error` and in the `calls` record.
fn a_raising_tool_fails_its_call(sdk: Sdk) {
    let server = Release::start(sdk, "raises");
    let (out, json) = check(&server.url(), &["--call", r#"echo={"text":"smoke"}"#]);
    let why = || describe(&out, &json, &server);
    assert_eq!(out.code, 1, "{}", why());
    assert_eq!(json["healthy"], false, "{}", why());
    assert_eq!(json["failed_step"], "tools/call", "{}", why());
    let error = json["error"].as_str().unwrap_or_default();
    assert!(error.contains("echo"), "the error names no tool: {}", why());
    assert!(
        error.contains("lookup-db.internal refused the connection"),
        "the error does not carry the server's text: {}",
        why()
    );
    let calls = json["calls"]
        .as_array()
        .unwrap_or_else(|| panic!("no calls: {}", why()));
    assert_eq!(calls.len(), 1, "{}", why());
    assert_eq!(calls[0]["tool"], "echo", "{}", why());
    assert_eq!(calls[0]["ok"], false, "{}", why());
    assert!(out.stderr.contains("lookup-db.internal"), "{}", why());
    assert_eq!(server.called(), ["echo"], "{}", why());
}

/// A tool that never answers fails on the call's own `timeout` from
/// `[[check.calls]]` (2 s, where each step may take 10 s).
fn a_hanging_tool_fails_on_the_call_timeout(sdk: Sdk) {
    let server = Release::start(sdk, "hangs");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        "[[check.calls]]\ntool = \"echo\"\narguments = { text = \"smoke\" }\ntimeout = \"2s\"\n",
    )
    .unwrap();
    let (out, json) = check_in(dir.path(), &server.url(), &[]);
    let why = || describe(&out, &json, &server);
    assert_eq!(out.code, 1, "{}", why());
    assert_eq!(json["failed_step"], "tools/call", "{}", why());
    let error = json["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("echo") && error.contains("within 2s"),
        "the error does not name the tool and its 2s time-out: {}",
        why()
    );
    assert_eq!(json["calls"][0]["tool"], "echo", "{}", why());
    assert_eq!(json["calls"][0]["ok"], false, "{}", why());
    assert_eq!(server.called(), ["echo"], "{}", why());
}

/// With no calls configured the check lists tools, reads and compares the
/// contract, and never runs one: the server's record stays empty. Then one
/// `--call` shows up in that record, so the record is not blind.
fn no_calls_configured_no_tool_called(sdk: Sdk) {
    let server = Release::start(sdk, "");
    let contract = server.dir.path().join("contract.json");
    let contract_arg = contract.to_str().unwrap();
    let runs: [&[&str]; 3] = [
        &[],
        &["--save-contract", contract_arg],
        &["--baseline", contract_arg],
    ];
    for args in runs {
        let (out, json) = check(&server.url(), args);
        let why = || format!("args {args:?}: {}", describe(&out, &json, &server));
        assert_eq!(out.code, 0, "{}", why());
        assert_eq!(json["healthy"], true, "{}", why());
        assert!(
            !server.called_file().exists(),
            "a tool was called with no calls configured: {:?}\n{}",
            server.called(),
            why()
        );
    }
    let (out, json) = check(&server.url(), &["--call", r#"add={"a":2,"b":3}"#]);
    let why = || describe(&out, &json, &server);
    assert_eq!(out.code, 0, "{}", why());
    assert_eq!(json["calls"][0]["ok"], true, "{}", why());
    assert_eq!(server.called(), ["add"], "{}", why());
}

/// `mcp check --url NEW --baseline SOURCE`: exit, breaking, compatible.
fn diff(new: &Release, source: &str, allow: bool) -> (Output, Value, Vec<String>, Vec<String>) {
    let mut args = vec!["--baseline", source];
    if allow {
        args.push("--allow-breaking");
    }
    let (out, json) = check(&new.url(), &args);
    let breaking = strings(&json["contract"]["breaking"]);
    let compatible = strings(&json["contract"]["compatible"]);
    (out, json, breaking, compatible)
}

/// Each release against the default one, as a running server (URL) and as a
/// `--save-contract` file: removed tool and added required argument fail
/// naming them; only-adds passes listing the additions; the saved contract
/// compared with its own server is no difference at all.
fn the_contract_diff_sorts_each_release(sdk: Sdk) {
    // The four releases start side by side (a Python one takes seconds).
    let [old, removes, requires, adds] = std::thread::scope(|s| {
        ["", "removes", "requires", "adds"]
            .map(|release| s.spawn(move || Release::start(sdk, release)))
            .map(|started| started.join().unwrap())
    });
    let saved = old.dir.path().join("baseline.json");
    let saved_arg = saved.to_str().unwrap().to_string();
    let (out, json) = check(&old.url(), &["--save-contract", &saved_arg]);
    assert_eq!(out.code, 0, "{}", describe(&out, &json, &old));
    let text = std::fs::read_to_string(&saved).unwrap();
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert!(parsed["tools"]["echo"].is_object(), "{text}");
    assert!(parsed["tools"]["add"].is_object(), "{text}");

    // Round trip: the saved file as the baseline of the server it came from.
    let (out, json, breaking, compatible) = diff(&old, &saved_arg, false);
    let why = || describe(&out, &json, &old);
    assert_eq!(out.code, 0, "{}", why());
    assert_eq!(
        json["contract"]["baseline"],
        saved_arg.as_str(),
        "{}",
        why()
    );
    assert!(breaking.is_empty() && compatible.is_empty(), "{}", why());
    // Saved again: the same bytes (sorted, stable).
    let again = old.dir.path().join("again.json");
    let (out, json) = check(&old.url(), &["--save-contract", again.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", describe(&out, &json, &old));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);

    let sources = [old.url(), saved_arg.clone()];
    let cases = [
        ("removes", &removes, "tool add: removed"),
        (
            "requires",
            &requires,
            "tool echo: input property lang: added, required",
        ),
    ];
    for (release, new, line) in cases {
        for source in &sources {
            let (out, json, breaking, _) = diff(new, source, false);
            let why = || format!("{release} vs {source}: {}", describe(&out, &json, new));
            assert_eq!(out.code, 1, "{}", why());
            assert_eq!(json["healthy"], false, "{}", why());
            assert_eq!(json["failed_step"], "contract", "{}", why());
            assert_eq!(breaking, [line], "{}", why());
            assert_eq!(json["contract"]["allowed"], false, "{}", why());
            assert!(
                json["error"].as_str().unwrap_or_default().contains(line),
                "{}",
                why()
            );
            assert!(out.stderr.contains(line), "{}", why());
            // --allow-breaking lists it and lets the release through.
            let (out, json, breaking, _) = diff(new, source, true);
            let why = || {
                format!(
                    "{release} vs {source}, allowed: {}",
                    describe(&out, &json, new)
                )
            };
            assert_eq!(out.code, 0, "{}", why());
            assert_eq!(json["contract"]["allowed"], true, "{}", why());
            assert_eq!(breaking, [line], "{}", why());
        }
        assert!(new.called().is_empty(), "{:?}", new.called());
    }

    let new = &adds;
    for source in &sources {
        let (out, json, breaking, compatible) = diff(new, source, false);
        let why = || format!("adds vs {source}: {}", describe(&out, &json, new));
        assert_eq!(out.code, 0, "{}", why());
        assert_eq!(json["healthy"], true, "{}", why());
        assert!(breaking.is_empty(), "{}", why());
        assert!(
            compatible.iter().any(|c| c == "tool reverse: added"),
            "the new tool is not listed: {}",
            why()
        );
        assert!(
            compatible
                .iter()
                .any(|c| c.starts_with("tool echo: input property upper: added")),
            "the new optional argument is not listed: {}",
            why()
        );
        assert!(out.stderr.contains("tool reverse: added"), "{}", why());
    }
}

macro_rules! per_sdk {
    ($($name:ident: $sdk:expr;)*) => {$(
        mod $name {
            use super::*;

            #[test]
            #[ignore = "needs the testbed: tests/testbed/up.sh"]
            fn a_raising_tool_fails_its_call_naming_it_and_the_servers_error() {
                a_raising_tool_fails_its_call($sdk);
            }

            #[test]
            #[ignore = "needs the testbed: tests/testbed/up.sh"]
            fn a_hanging_tool_fails_on_the_calls_timeout() {
                a_hanging_tool_fails_on_the_call_timeout($sdk);
            }

            #[test]
            #[ignore = "needs the testbed: tests/testbed/up.sh"]
            fn with_no_calls_configured_no_tool_is_called() {
                no_calls_configured_no_tool_called($sdk);
            }

            #[test]
            #[ignore = "needs the testbed: tests/testbed/up.sh"]
            fn removed_and_newly_required_break_additions_pass() {
                the_contract_diff_sorts_each_release($sdk);
            }
        }
    )*};
}

per_sdk! {
    fastmcp: Sdk::FastMcp;
    typescript_sdk_2: Sdk::TypeScript2;
}
