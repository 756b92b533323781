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

/// Runs `POST $MCP_TESTBED_CONTROL/sync` every 300 ms until dropped, and once
/// more to its end when dropped: what a command pushed is in the simulator's
/// ECR before the test goes on, however long a sync takes on a loaded machine.
pub(crate) struct Syncing {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    url: String,
}

/// One sync; `max` seconds at most.
fn sync_once(url: &str, max: u32) -> bool {
    Command::new("curl")
        .args([
            "-fsS",
            "-o",
            "/dev/null",
            "--max-time",
            &max.to_string(),
            "-X",
            "POST",
            url,
        ])
        .status()
        .is_ok_and(|s| s.success())
}

impl Syncing {
    /// Syncs `repository` alone, or every repository when `None`.
    pub(crate) fn start(tb: &Testbed, repository: Option<&str>) -> Syncing {
        let stop = Arc::new(AtomicBool::new(false));
        let url = match repository {
            Some(name) => format!("{}/sync?repository={name}", tb.var("MCP_TESTBED_CONTROL")),
            None => format!("{}/sync", tb.var("MCP_TESTBED_CONTROL")),
        };
        let flag = stop.clone();
        let thread_url = url.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                sync_once(&thread_url, 30);
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        Syncing {
            stop,
            thread: Some(thread),
            url,
        }
    }
}

impl Drop for Syncing {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Not in a panic's unwinding: the test's own failure says more.
        if !std::thread::panicking() {
            assert!(
                sync_once(&self.url, 120),
                "the testbed's registry sync ({}) did not answer within 120 s",
                self.url
            );
        }
    }
}

/// `mcp ARGS` in `dir`, with the registry kept in sync with the simulator's
/// ECR: the repository of `--name N`, else of mcp.toml's `name`, else all.
pub(crate) fn mcp(tb: &Testbed, dir: &Path, args: &[&str]) -> Output {
    let from_args = args
        .iter()
        .position(|a| *a == "--name")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.to_string());
    let from_toml = || {
        std::fs::read_to_string(dir.join("mcp.toml"))
            .ok()?
            .lines()
            .find_map(|l| {
                l.strip_prefix("name = \"")?
                    .strip_suffix('"')
                    .map(str::to_string)
            })
    };
    let repository = from_args.or_else(from_toml);
    let _sync = Syncing::start(tb, repository.as_deref());
    run(tb.mcp(dir).args(args))
}

/// `mcp launch --name NAME --yes` in `dir` as the access key `key` (one a
/// [`Deny`] refuses actions to), with NAME's repository kept in sync.
fn launch_as(tb: &Testbed, dir: &Path, name: &str, key: &str) -> Output {
    let _sync = Syncing::start(tb, Some(name));
    run(tb
        .mcp(dir)
        .env("AWS_ACCESS_KEY_ID", key)
        .args(["launch", "--name", name, "--yes"]))
}

/// examples/echo-server as a fresh clone has it (its Dockerfile, .dockerignore
/// and mcp.toml, the static binary in dist/), committed in a new git repository.
pub(crate) fn echo_clone() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/echo-server");
    for file in ["Dockerfile", ".dockerignore", ".gitignore", "mcp.toml"] {
        std::fs::copy(example.join(file), dir.path().join(file)).unwrap();
    }
    // The test puts the static binary into dist/ itself (built once per test
    // run), which is what the example's `build.before = ["./build.sh"]` does:
    // the copy goes without the hook (and without the sources it builds from).
    let toml = dir.path().join("mcp.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let without_hook: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("before = "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(
        text.len(),
        without_hook.len(),
        "the example's build.before hook moved"
    );
    std::fs::write(&toml, without_hook).unwrap();
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::copy(
        crate::check::echo_server_bin(),
        dir.path().join("dist/echo-server"),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    // The binary is in .gitignore but goes into the image: tracked, the tree is
    // clean and the image tag reproducible (an untracked file sent makes it dirty).
    git(dir.path(), &["add", "-f", "dist/echo-server"]);
    commit_all(dir.path());
    dir
}

/// Runs `mcp destroy --all-resources --yes` in `dir` when dropped, and removes
/// the local images built for `name`, so a test (passing or not) leaves no task
/// containers or images behind on the shared engine.
struct Destroyed<'a> {
    tb: &'a Testbed,
    dir: &'a Path,
    name: &'a str,
}

impl Drop for Destroyed<'_> {
    fn drop(&mut self) {
        let _ = run(self
            .tb
            .mcp(self.dir)
            .args(["destroy", "--all-resources", "--yes", "-q"]));
        let Ok(listed) = Command::new("docker")
            .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .output()
        else {
            return;
        };
        // The names are unique to this test (`testbed::unique`): no one else's image matches.
        let ours: Vec<String> = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .filter(|image| {
                let repository = image.rsplit_once(':').map_or(*image, |(r, _)| r);
                repository == self.name || repository.ends_with(&format!("/{}", self.name))
            })
            .map(str::to_string)
            .collect();
        if !ours.is_empty() {
            // --no-prune: the parents may be build-cache layers another test's build is using.
            let _ = Command::new("docker")
                .args(["rmi", "--no-prune"])
                .args(&ours)
                .output();
        }
    }
}

/// The Express service as the simulator describes it.
pub(crate) fn describe(
    tb: &Testbed,
    arn: &str,
) -> Option<aws_sdk_ecs::types::EcsExpressGatewayService> {
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
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn launch_of_the_echo_server_ends_with_a_checked_url_and_a_rerun_changes_nothing() {
    let tb = crate::testbed!();
    let dir = echo_clone();
    let name = testbed::unique("launch");
    let _cleanup = Destroyed {
        tb,
        dir: dir.path(),
        name: &name,
    };

    let launched = mcp(
        tb,
        dir.path(),
        &["launch", "--name", &name, "--yes", "-o", "json"],
    );
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
    assert!(
        container.image().contains("@sha256:"),
        "{}",
        container.image()
    );
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
    let again = mcp(
        tb,
        dir.path(),
        &["launch", "--name", &name, "--yes", "-o", "json"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.json()["status"],
        "already_launched",
        "{}",
        again.stdout
    );
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

// Issue 22: an echo server that speaks only MCP 2026-07-28 (no `initialize`
// handshake) is launched: `mcp launch`'s last step, the check, reaches it
// through `server/discover` and passes.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn launch_of_a_server_that_speaks_only_2026_07_28_ends_with_its_check_passing() {
    let tb = crate::testbed!();
    let dir = echo_clone();
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    assert!(toml.contains("[env]\n"), "{toml}");
    std::fs::write(
        dir.path().join("mcp.toml"),
        toml.replace("[env]\n", "[env]\nMCP_PROTOCOLS = \"2026-07-28\"\n"),
    )
    .unwrap();
    commit_all(dir.path());
    let name = testbed::unique("launch26");
    let _cleanup = Destroyed {
        tb,
        dir: dir.path(),
        name: &name,
    };

    let launched = mcp(
        tb,
        dir.path(),
        &["launch", "--name", &name, "--yes", "-o", "json"],
    );
    assert_eq!(launched.code, 0, "{}\n{}", launched.stdout, launched.stderr);
    let report = launched.json();
    assert_eq!(report["status"], "launched", "{report}");
    let check = &report["check"];
    assert_eq!(check["healthy"], true, "{report}");
    assert_eq!(check["protocol"], "2026-07-28", "{report}");
    assert_eq!(check["session"], "stateless", "{report}");
    assert!(
        check["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["step"] == "server/discover" && s["ok"] == true),
        "{report}"
    );
    assert_eq!(check["tools"], serde_json::json!(["add", "echo"]));
    // The service runs the 2026-only server: the 2025 handshake is refused.
    let url = report["url"].as_str().unwrap();
    let pinned = mcp(
        tb,
        dir.path(),
        &[
            "check",
            "--url",
            url,
            "--protocol",
            "2025-11-25",
            "-o",
            "json",
        ],
    );
    assert_eq!(pinned.code, 1, "{}\n{}", pinned.stdout, pinned.stderr);
    let pinned = pinned.json();
    assert_eq!(pinned["failed_step"], "initialize", "{pinned}");
    assert!(
        pinned["error"]
            .as_str()
            .is_some_and(|e| e.contains("(it supports 2026-07-28)")),
        "{pinned}"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn deploys_to_a_launched_service_are_followed_a_release_failing_its_check_is_rolled_back_and_destroy_removes_it()
 {
    let tb = crate::testbed!();
    let dir = echo_clone();
    let name = testbed::unique("xdeploy");
    let _cleanup = Destroyed {
        tb,
        dir: dir.path(),
        name: &name,
    };
    let launched = mcp(
        tb,
        dir.path(),
        &["launch", "--name", &name, "--yes", "-o", "json"],
    );
    assert_eq!(launched.code, 0, "{}", launched.stderr);
    let url = launched.json()["url"].as_str().unwrap().to_string();
    let arn = service_arn(tb, &name);
    let first = tb.live_task_definition("default", &name);

    // A change: a new variable. It goes out through UpdateExpressGatewayService and is followed.
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        toml.replace("[env]\n", "[env]\nGREETING = \"hello\"\n"),
    )
    .unwrap();
    commit_all(dir.path());
    let deployed = mcp(tb, dir.path(), &["deploy", "-o", "json"]);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let report = deployed.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert!(
        deployed.stderr.contains("deployment completed"),
        "{}",
        deployed.stderr
    );
    let second = tb.live_task_definition("default", &name);
    assert_ne!(second, first);
    let service = describe(tb, &arn).unwrap();
    let container = service.active_configurations()[0]
        .primary_container()
        .unwrap();
    assert!(
        container
            .environment()
            .iter()
            .any(|kv| kv.name() == Some("GREETING") && kv.value() == Some("hello")),
        "{container:?}"
    );
    assert_eq!(
        container.image(),
        report["image"].as_str().unwrap(),
        "the image by digest"
    );

    // A release that answers its health path but not MCP: the check fails, the last release comes back.
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {}\nCMD [\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/healthz && httpd -f -p $PORT -h /www\"]\n", tb.var("MCP_TESTBED_BASE_IMAGE")),
    )
    .unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "*\n").unwrap();
    commit_all(dir.path());
    let failed = mcp(tb, dir.path(), &["deploy", "-o", "json"]);
    assert_eq!(failed.code, 3, "{}\n{}", failed.stdout, failed.stderr);
    let failed = failed.json();
    assert_eq!(failed["status"], "rolled_back", "{failed}");
    assert_eq!(failed["check"]["failed_step"], "initialize", "{failed}");
    let service = describe(tb, &arn).unwrap();
    assert_eq!(
        service.active_configurations()[0]
            .primary_container()
            .unwrap()
            .image(),
        report["image"].as_str().unwrap(),
        "the previous release's image runs again"
    );
    let check = mcp(tb, dir.path(), &["check", "-o", "json"]);
    assert_eq!(check.code, 0, "the URL answers MCP again: {}", check.stderr);

    // status, history and logs read the service as they read any other.
    let history = mcp(tb, dir.path(), &["history", "-o", "json"]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    let logs = mcp(tb, dir.path(), &["logs", "--since", "10m"]);
    assert_eq!(logs.code, 0, "{}", logs.stderr);

    // destroy: refuses without a terminal or --yes, then removes service, log group and repository.
    let refused = mcp(tb, dir.path(), &["destroy"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert_eq!(
        describe(tb, &arn).map(|s| s
            .status()
            .unwrap()
            .status_code()
            .unwrap()
            .as_str()
            .to_string()),
        Some("ACTIVE".to_string())
    );
    let destroyed = mcp(
        tb,
        dir.path(),
        &["destroy", "--all-resources", "--yes", "-o", "json"],
    );
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert_eq!(destroyed.json()["status"], "destroyed");
    assert_eq!(
        describe(tb, &arn).map(|s| s
            .status()
            .unwrap()
            .status_code()
            .unwrap()
            .as_str()
            .to_string()),
        Some("INACTIVE".to_string())
    );
    let unreachable = Command::new("curl")
        .args(["-fsS", "--max-time", "3", &url.replace("/mcp", "/healthz")])
        .output()
        .unwrap();
    assert!(!unreachable.status.success(), "the URL no longer answers");
    let ecr = aws_sdk_ecr::Client::new(&tb.sdk());
    let repo = tb.block_on(ecr.describe_repositories().repository_names(&name).send());
    assert!(repo.is_err(), "the repository is gone");
}

/// Roles of one test only: a unique name each, so a test can see them made (or not).
fn own_roles(dir: &Path, prefix: &str) -> (String, String) {
    let execution = format!("{prefix}-exec");
    let infrastructure = format!("{prefix}-infra");
    let toml = std::fs::read_to_string(dir.join("mcp.toml")).unwrap();
    std::fs::write(
        dir.join("mcp.toml"),
        format!(
            "{toml}\n[ecs]\nexecution_role = \"{execution}\"\ninfrastructure_role = \"{infrastructure}\"\n"
        ),
    )
    .unwrap();
    commit_all(dir);
    (execution, infrastructure)
}

fn role_exists(tb: &Testbed, name: &str) -> bool {
    let iam = aws_sdk_iam::Client::new(&tb.sdk());
    tb.block_on(iam.get_role().role_name(name).send()).is_ok()
}

/// A deny rule for one access key: moto is shared, so a rule never reaches others.
pub(crate) struct Deny<'a> {
    tb: &'a Testbed,
    pub(crate) key: String,
}

impl<'a> Deny<'a> {
    pub(crate) fn new(tb: &'a Testbed, actions: &[&str]) -> Deny<'a> {
        let key = testbed::unique("testing-deny");
        let body = serde_json::json!({ "actions": actions, "access_key_id": key }).to_string();
        let out = Command::new("curl")
            .args(["-fsS", "--max-time", "5", "-X", "POST", "-d", &body])
            .arg(format!("{}/deny", tb.var("MCP_TESTBED_CONTROL")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Deny { tb, key }
    }
}

impl Drop for Deny<'_> {
    fn drop(&mut self) {
        let body = serde_json::json!({ "access_key_id": self.key }).to_string();
        let _ = Command::new("curl")
            .args(["-fsS", "--max-time", "5", "-X", "DELETE", "-d", &body])
            .arg(format!("{}/deny", self.tb.var("MCP_TESTBED_CONTROL")))
            .output();
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_denied_iam_action_is_named_with_the_statement_that_allows_it_and_nothing_is_made() {
    let tb = crate::testbed!();
    let dir = echo_clone();
    let name = testbed::unique("xdenied");
    let (execution, infrastructure) = own_roles(dir.path(), &name);
    let deny = Deny::new(tb, &["iam:CreateRole"]);
    let out = launch_as(tb, dir.path(), &name, &deny.key);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("AWS refused `iam:CreateRole`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("\"Effect\":\"Allow\",\"Action\":\"iam:CreateRole\""),
        "the statement that allows it: {}",
        out.stderr
    );
    assert!(!role_exists(tb, &execution) && !role_exists(tb, &infrastructure));
    let ecr = aws_sdk_ecr::Client::new(&tb.sdk());
    let repo = tb.block_on(ecr.describe_repositories().repository_names(&name).send());
    assert!(repo.is_err(), "no repository was made before the roles");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_launch_refused_half_way_says_what_exists_and_a_rerun_carries_on() {
    let tb = crate::testbed!();
    let dir = echo_clone();
    let name = testbed::unique("xresume");
    let _cleanup = Destroyed {
        tb,
        dir: dir.path(),
        name: &name,
    };
    let (execution, _) = own_roles(dir.path(), &name);
    // The roles, log group, repository and image get made; the service is refused.
    let deny = Deny::new(tb, &["ecs:CreateExpressGatewayService"]);
    let first = launch_as(tb, dir.path(), &name, &deny.key);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(
        first.stderr.contains("`ecs:CreateExpressGatewayService`"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("stopped half-way"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains(&format!("role/{execution}")),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("mcp launch` again"),
        "{}",
        first.stderr
    );
    assert!(role_exists(tb, &execution));
    assert!(describe(tb, &service_arn(tb, &name)).is_none());
    drop(deny);

    // Again, allowed this time: nothing made twice, the service made, the URL checked.
    let second = mcp(
        tb,
        dir.path(),
        &["launch", "--name", &name, "--yes", "-o", "json"],
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    let report = second.json();
    assert_eq!(report["status"], "launched", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    let created: Vec<String> = report["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        created,
        [format!("Express service {}", service_arn(tb, &name))],
        "only the service is new"
    );
    assert!(
        second.stderr.contains("Fresh"),
        "the image is not built again: {}",
        second.stderr
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_region_without_express_mode_is_a_clear_error_and_nothing_is_made() {
    let tb = crate::testbed!();
    let dir = echo_clone();
    let name = testbed::unique("xregion");
    let (execution, _) = own_roles(dir.path(), &name);
    let out = mcp(
        tb,
        dir.path(),
        &["launch", "--name", &name, "--yes", "--region", "us-west-1"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("ECS Express Mode is not available in us-west-1; nothing was created"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    assert!(!role_exists(tb, &execution));
    let west = aws_sdk_ecr::config::Builder::from(&tb.sdk())
        .region(aws_sdk_ecr::config::Region::new("us-west-1"))
        .build();
    let ecr = aws_sdk_ecr::Client::from_conf(west);
    let repo = tb.block_on(ecr.describe_repositories().repository_names(&name).send());
    assert!(repo.is_err(), "no repository");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn an_interrupted_launch_resumes_where_it_stopped() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let tb = crate::testbed!();
    let dir = echo_clone();
    let name = testbed::unique("xkilled");
    let _cleanup = Destroyed {
        tb,
        dir: dir.path(),
        name: &name,
    };
    let arn = service_arn(tb, &name);
    // Killed once the service exists, while it waits for the first deployment.
    let mut child = {
        let _sync = Syncing::start(tb, Some(&name));
        let mut child = tb
            .mcp(dir.path())
            .args(["launch", "--name", &name, "--yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        for line in stderr.lines() {
            let line = line.unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("Deploying") {
                break;
            }
        }
        assert!(seen.contains("Deploying"), "launch ended early:\n{seen}");
        child
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(describe(tb, &arn).is_some(), "the service was made");
    assert!(
        !std::fs::read_to_string(dir.path().join("mcp.toml"))
            .unwrap()
            .contains("express = true"),
        "mcp.toml is written only at the end"
    );

    let again = mcp(
        tb,
        dir.path(),
        &["launch", "--name", &name, "--yes", "-o", "json"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("from an earlier launch that did not finish"),
        "{}",
        again.stderr
    );
    let report = again.json();
    assert_eq!(report["status"], "launched", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert_eq!(
        report["created"],
        serde_json::json!([]),
        "nothing made twice"
    );
    assert_eq!(
        tb.live_task_definition("default", &name),
        format!(
            "arn:aws:ecs:{}:{}:task-definition/{name}:1",
            tb.region(),
            tb.var("MCP_TESTBED_ACCOUNT")
        ),
        "the same release, not a second one"
    );
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    assert!(toml.contains("express = true"), "{toml}");
}
