//! The local target (`target = "local"`): releases as containers on the local engine.

use std::process::Command;

use crate::image::commit_all;
use crate::testbed::{self, Testbed, run};

/// A free loopback port for one test's releases.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A project whose server is busybox httpd on $PORT with a /healthz page.
pub fn local_project(tb: &Testbed, port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let name = testbed::unique("local");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nCMD [\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/healthz && echo serving as $GREETING with key length ${{#API_KEY}} && httpd -f -v -p $PORT -h /www\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!(
            "name = \"{name}\"\n\n[deploy]\ntimeout = \"30s\"\nport = {port}\n\n[env]\nGREETING = \"local\"\n\n[secrets]\nAPI_KEY = \"arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/mcp/api\"\n\n[stages.local]\ntarget = \"local\"\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join(".env"), "API_KEY=local-dev-key-123\n").unwrap();
    std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
    crate::image::git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    dir
}

pub fn healthz(port: u16) -> bool {
    Command::new("curl")
        .args([
            "-fsS",
            "--max-time",
            "3",
            &format!("http://127.0.0.1:{port}/healthz"),
        ])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn local_deploy_failed_release_restores_the_previous_and_rollback_and_down_work() {
    let tb = crate::testbed!();
    let port = free_port();
    let dir = local_project(tb, port);
    let mcp = |args: &[&str]| {
        run(tb
            .mcp(dir.path())
            .args(["--stage", "local"])
            .args(args)
            .env_remove("API_KEY"))
    };

    let first = mcp(&["deploy", "--no-check", "-o", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let first = first.json();
    assert_eq!(first["status"], "succeeded");
    assert_eq!(first["revision"], "release 1");
    assert!(healthz(port));
    // The secret came from .env and was never printed.
    let logs = Command::new("docker")
        .args(["logs", first["deployment_id"].as_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&logs.stdout).contains("serving as local with key length 17"),
        "{logs:?}"
    );

    // A release that exits at start: the previous release runs again, exit 3.
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nCMD [\"sh\", \"-c\", \"echo cannot start >&2; exit 4\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    commit_all(dir.path());
    let failed = mcp(&["deploy", "--no-check", "-o", "json"]);
    assert_eq!(failed.code, 3, "{}\n{}", failed.stdout, failed.stderr);
    let failed_json = failed.json();
    assert_eq!(failed_json["status"], "rolled_back");
    assert_eq!(failed_json["live_revision"], "release 1");
    assert!(
        failed_json["reason"]
            .as_str()
            .unwrap()
            .contains("exited with code 4"),
        "{failed_json}"
    );
    assert!(
        failed_json["reason"]
            .as_str()
            .unwrap()
            .contains("cannot start"),
        "the last output is shown: {failed_json}"
    );
    assert!(healthz(port), "release 1 answers again");
    assert!(
        !failed.stdout.contains("local-dev-key-123")
            && !failed.stderr.contains("local-dev-key-123")
    );

    let status = mcp(&["status", "-o", "json"]).json();
    assert_eq!(status["live"]["release"], 1);
    let history = mcp(&["history", "-o", "json"]).json();
    let releases = history["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 2);
    assert_eq!(releases[0]["release"], 2);
    assert_eq!(releases[0]["live"], false);

    // A good release 3, then roll back to 1.
    std::fs::write(dir.path().join("Dockerfile"), format!("FROM {}\nCMD [\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/healthz && httpd -f -p $PORT -h /www\"]\n", tb.var("MCP_TESTBED_BASE_IMAGE"))).unwrap();
    commit_all(dir.path());
    let third = mcp(&["deploy", "--no-check", "-o", "json"]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(third.json()["revision"], "release 3");
    let back = mcp(&["rollback", "--to", "1", "-o", "json"]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert_eq!(back.json()["live_revision"], "release 1");
    assert!(healthz(port));

    let down = mcp(&["down"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert!(!healthz(port));
    assert_eq!(
        mcp(&["history", "-o", "json"]).json()["releases"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn local_secret_without_a_value_is_a_clear_error() {
    let tb = crate::testbed!();
    let dir = local_project(tb, free_port());
    std::fs::remove_file(dir.path().join(".env")).unwrap();
    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "--stage", "local"])
        .env_remove("API_KEY"));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error: no local value for secret(s) API_KEY"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(".env"), "{}", out.stderr);
}

/// examples/echo-server as a user runs it: its Dockerfile (`FROM scratch`), its
/// .dockerignore and a local stage, with the static binary in dist/.
pub fn echo_project(port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/echo-server");
    for file in ["Dockerfile", ".dockerignore"] {
        std::fs::copy(example.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::copy(
        crate::check::echo_server_bin(),
        dir.path().join("dist/echo-server"),
    )
    .unwrap();
    let name = testbed::unique("echo");
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!("name = \"{name}\"\n\n[deploy]\ntimeout = \"30s\"\nport = {port}\n\n[stages.local]\ntarget = \"local\"\n"),
    )
    .unwrap();
    crate::image::git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    dir
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn echo_server_deploys_locally_and_a_release_that_is_not_mcp_is_rolled_back() {
    let tb = crate::testbed!();
    let port = free_port();
    let dir = echo_project(port);
    let mcp = |args: &[&str]| run(tb.mcp(dir.path()).args(["--stage", "local"]).args(args));

    let deployed = mcp(&["deploy", "-o", "json"]);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let report = deployed.json();
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert_eq!(report["check"]["tools"], serde_json::json!(["add", "echo"]));
    assert!(
        deployed.stderr.contains("\"mcpServers\""),
        "the client snippet is shown: {}",
        deployed.stderr
    );

    let check = run(tb.mcp(dir.path()).args([
        "check",
        "--url",
        &format!("http://127.0.0.1:{port}/mcp"),
        "-o",
        "json",
    ]));
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(check.json()["tools"], serde_json::json!(["add", "echo"]));

    // A release that answers /healthz but not MCP: the check fails, release 1 comes back.
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {}\nCMD [\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/healthz && httpd -f -p $PORT -h /www\"]\n", tb.var("MCP_TESTBED_BASE_IMAGE")),
    )
    .unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "*\n").unwrap();
    commit_all(dir.path());
    let failed = mcp(&["deploy", "-o", "json"]);
    assert_eq!(failed.code, 3, "{}\n{}", failed.stdout, failed.stderr);
    let failed = failed.json();
    assert_eq!(failed["status"], "rolled_back");
    assert_eq!(failed["check"]["failed_step"], "initialize", "{failed}");
    assert_eq!(failed["live_revision"], "release 1");
    let again = run(tb.mcp(dir.path()).args([
        "check",
        "--url",
        &format!("http://127.0.0.1:{port}/mcp"),
        "-o",
        "json",
    ]));
    assert_eq!(
        again.code, 0,
        "release 1 answers MCP again: {}",
        again.stderr
    );

    // Its logs: the requests the checks made.
    let logs = mcp(&["logs", "--since", "5m"]);
    assert_eq!(logs.code, 0, "{}", logs.stderr);
    assert!(!logs.stdout.trim().is_empty(), "{}", logs.stderr);
    assert!(mcp(&["down"]).code == 0);
}

/// Guards issue 28 item 3: a deploy reads the live release's contract before
/// it changes anything, and a release that takes tools away from its
/// clients fails its check and is rolled back, unless `--allow-breaking`.
/// Release 1 runs the echo server with `CONFORMANCE=1` (three more tools);
/// release 2 without it removes them.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_release_that_removes_a_tool_is_rolled_back_unless_breaking_is_allowed() {
    let tb = crate::testbed!();
    let port = free_port();
    let dir = echo_project(port);
    let toml = dir.path().join("mcp.toml");
    let plain = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        plain.replace(
            "[stages.local]",
            "[env]\nCONFORMANCE = \"1\"\n\n[stages.local]",
        ),
    )
    .unwrap();
    let mcp = |args: &[&str]| run(tb.mcp(dir.path()).args(["--stage", "local"]).args(args));
    let first = mcp(&["deploy", "-o", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let tools = first.json()["check"]["tools"].clone();
    assert!(
        tools.as_array().unwrap().len() > 2,
        "release 1 serves the conformance tools: {tools}"
    );

    // Release 2 takes them away: the check after it fails at `contract`.
    std::fs::write(&toml, &plain).unwrap();
    let second = mcp(&["deploy", "-o", "json"]);
    assert_eq!(second.code, 3, "{}\n{}", second.stdout, second.stderr);
    assert!(
        second.stderr.contains("Contract"),
        "the live contract is read first: {}",
        second.stderr
    );
    let report = second.json();
    assert_eq!(report["status"], "rolled_back", "{report}");
    assert_eq!(report["check"]["failed_step"], "contract", "{report}");
    let breaking = report["check"]["contract"]["breaking"].as_array().unwrap();
    assert!(
        breaking
            .iter()
            .any(|b| b.as_str().unwrap().ends_with(": removed")),
        "{report}"
    );
    assert_eq!(report["live_revision"], "release 1", "{report}");

    // The same release with --allow-breaking goes through, the changes listed.
    let allowed = mcp(&["deploy", "--allow-breaking", "-o", "json"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    let report = allowed.json();
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert_eq!(report["check"]["contract"]["allowed"], true, "{report}");
    assert!(
        !report["check"]["contract"]["breaking"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{report}"
    );
    assert!(mcp(&["down"]).code == 0);
}
