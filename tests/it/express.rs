//! `mcp launch` / ECS Express services on the testbed: examples/echo-server from
//! a clean clone to a checked URL, a rerun that changes nothing, deploys and
//! rollbacks through `UpdateExpressGatewayService`, `mcp destroy`, denied
//! permissions, a launch that stopped half-way, a region without Express.
//!
//! The simulator's Express Mode (tests/testbed/express.py) serves each
//! service's URL as `http://127.0.0.1:<port>`. Pushes notify only the shared
//! moto on :5055; when `MCP_TESTBED_ENV_FILE` points at another instance, a
//! background loop asks that instance to `POST /_testbed/sync` while `mcp` runs,
//! so the pushed image shows in its ECR.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::image::{commit_all, git};
use crate::testbed::{self, Output, Testbed, run};

/// Runs `POST $MCP_TESTBED_CONTROL/sync` every 300 ms until dropped.
struct Syncing {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Syncing {
    fn start(tb: &Testbed) -> Syncing {
        let stop = Arc::new(AtomicBool::new(false));
        let url = format!("{}/sync", tb.var("MCP_TESTBED_CONTROL"));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let _ = Command::new("curl")
                    .args(["-fsS", "-o", "/dev/null", "--max-time", "5", "-X", "POST", &url])
                    .status();
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        Syncing {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Syncing {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `mcp ARGS` in `dir`, with the registry kept in sync with the simulator's ECR.
fn mcp(tb: &Testbed, dir: &Path, args: &[&str]) -> Output {
    let _sync = Syncing::start(tb);
    run(tb.mcp(dir).args(args))
}

/// examples/echo-server as a fresh clone has it (its Dockerfile, .dockerignore
/// and mcp.toml, the static binary in dist/), committed in a new git repository.
fn echo_clone() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/echo-server");
    for file in ["Dockerfile", ".dockerignore", ".gitignore", "mcp.toml"] {
        std::fs::copy(example.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::copy(
        crate::check::echo_server_bin(),
        dir.path().join("dist/echo-server"),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    dir
}

/// The Express service as the simulator describes it.
fn describe(tb: &Testbed, arn: &str) -> Option<aws_sdk_ecs::types::EcsExpressGatewayService> {
    let ecs = tb.ecs();
    tb.block_on(async {
        match ecs
            .describe_express_gateway_service()
            .service_arn(arn)
            .send()
            .await
        {
            Ok(out) => out.service().cloned(),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                None
            }
            Err(err) => panic!("DescribeExpressGatewayService: {err:?}"),
        }
    })
}

fn service_arn(tb: &Testbed, name: &str) -> String {
    format!(
        "arn:aws:ecs:{}:{}:service/default/{name}",
        tb.region(),
        tb.var("MCP_TESTBED_ACCOUNT")
    )
}

#[test]
fn launch_of_the_echo_server_ends_with_a_checked_url_and_a_rerun_changes_nothing() {
    let tb = crate::testbed!();
    let dir = echo_clone();
    let name = testbed::unique("launch");

    let launched = mcp(tb, dir.path(), &["launch", "--name", &name, "--yes", "-o", "json"]);
    assert_eq!(launched.code, 0, "{}", launched.stderr);
    let report = launched.json();
    assert_eq!(report["status"], "launched", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert_eq!(report["check"]["tools"], serde_json::json!(["add", "echo"]));
    let url = report["url"].as_str().unwrap().to_string();
    // The URL is the one Express reports, never built from the name.
    let arn = service_arn(tb, &name);
    assert_eq!(report["service_arn"], arn.as_str());
    let service = describe(tb, &arn).expect("the Express service exists");
    let endpoint = service.active_configurations()[0].ingress_paths()[0].endpoint();
    assert_eq!(url, format!("{endpoint}/mcp"));
    assert!(
        launched.stderr.contains("\"mcpServers\""),
        "the client snippet is shown: {}",
        launched.stderr
    );
    // The container the service runs: the pushed image by digest, deploy.port, [env], the health path.
    let config = &service.active_configurations()[0];
    let container = config.primary_container().unwrap();
    assert!(container.image().contains("@sha256:"), "{}", container.image());
    assert_eq!(container.container_port(), Some(8000));
    assert!(
        container
            .environment()
            .iter()
            .any(|kv| kv.name() == Some("ALLOWED_HOSTS")),
        "[env] is passed: {container:?}"
    );
    assert_eq!(config.health_check_path(), Some("/healthz"));

    // mcp.toml now names the service; every other command reads it from there.
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    assert!(toml.contains("express = true"), "{toml}");
    assert!(toml.contains(&format!("url = \"{url}\"")), "{toml}");
    assert!(
        toml.contains("# `mcp --stage local …`"),
        "the example's comments are kept: {toml}"
    );
    let check = mcp(tb, dir.path(), &["check", "-o", "json"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(check.json()["tools"], serde_json::json!(["add", "echo"]));
    let status = mcp(tb, dir.path(), &["status", "-o", "json"]);
    assert_eq!(status.code, 0, "{}", status.stderr);

    // Again: says so, changes nothing (no build, no new revision, same file).
    let live = tb.live_task_definition("default", &name);
    let again = mcp(tb, dir.path(), &["launch", "--name", &name, "--yes", "-o", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["status"], "already_launched", "{}", again.stdout);
    assert_eq!(again.json()["url"], url.as_str());
    assert!(again.stderr.contains("mcp deploy"), "{}", again.stderr);
    assert!(!again.stderr.contains("Building"), "{}", again.stderr);
    assert_eq!(tb.live_task_definition("default", &name), live);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap(),
        toml
    );
    // Without --name too: mcp.toml holds it now.
    let bare = mcp(tb, dir.path(), &["launch", "-o", "json"]);
    assert_eq!(bare.code, 0, "{}", bare.stderr);
    assert_eq!(bare.json()["status"], "already_launched");
}
