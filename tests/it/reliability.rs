//! What `mcp` reports must be what ECS runs: a deadline alone never decides
//! (issue 25 item 1), Ctrl-C says how to resume (item 2), and a side read that
//! fails (stopped-task details, events, logs, tags) never ends a follow (item 3).

use crate::image::{commit_all, fixture_project};
use crate::testbed::{Seeded, Testbed, run};

fn project(tb: &Testbed, seeded: &Seeded, deploy_toml: &str) -> tempfile::TempDir {
    let config = format!(
        "\n[ecs]\ncluster = \"{}\"\nservice = \"{}\"\ncontainer = \"{}\"\n\n[deploy]\n{deploy_toml}",
        seeded.get("cluster"),
        seeded.get("service"),
        seeded.get("container"),
    );
    fixture_project(tb, &seeded.get("repository"), &config)
}

fn revision(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_string()
}

/// The server runs `seconds`, then exits 1: its tasks never stay up for the
/// service's rollout delay, so the rollout neither completes nor fails fast.
fn dies_after(tb: &Testbed, dir: &std::path::Path, seconds: u32) {
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM {}\nENTRYPOINT [\"sh\", \"-c\", \"echo up; sleep {seconds}; exit 1\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    commit_all(dir);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_rollback_after_the_deadline_that_ecs_completes_is_reported_as_rolled_back() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service(
        "deadline",
        &["--no-circuit-breaker", "--rollout-delay", "4"],
    );
    let (cluster, service) = (seeded.get("cluster"), seeded.get("service"));
    let before = tb.live_task_definition(&cluster, &service);
    let dir = project(tb, &seeded, "timeout = \"6s\"\n");
    dies_after(tb, dir.path(), 3);

    let out = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    let report = out.json();
    let live = tb.live_task_definition(&cluster, &service);
    assert_eq!(live, before, "ECS runs the previous release again");
    assert_eq!(report["status"], "rolled_back", "stderr:\n{}", out.stderr);
    assert_eq!(out.code, 3, "stderr:\n{}", out.stderr);
    assert_eq!(report["live_revision"], revision(&before), "{report}");
}

/// From now on a rollout of `service` takes a minute (seeding with that delay
/// would wait a minute for the first one).
fn slow_rollouts(tb: &Testbed, cluster: &str, service: &str) {
    let ecs = tb.ecs();
    tb.block_on(async {
        let out = ecs
            .describe_services()
            .cluster(cluster)
            .services(service)
            .send()
            .await
            .unwrap();
        let arn = out.services()[0].service_arn().unwrap().to_string();
        let tag = aws_sdk_ecs::types::Tag::builder()
            .key("testbed:rollout-delay")
            .value("60")
            .build();
        ecs.tag_resource()
            .resource_arn(arn)
            .tags(tag)
            .send()
            .await
            .unwrap();
    });
}

/// `mcp` spawned with its stderr read line by line, to press Ctrl-C at a chosen moment.
struct Spawned {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Spawned {
    fn new(cmd: &mut std::process::Command) -> Spawned {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Spawned {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Wait for a stderr line containing `needle` (the test fails after `within`).
    fn wait_for(&mut self, needle: &str, within: std::time::Duration) {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(line) = self
                .lines
                .recv_timeout(std::time::Duration::from_millis(200))
            {
                let found = line.contains(needle);
                self.seen.push(line);
                if found {
                    return;
                }
            }
        }
        let _ = self.child.kill();
        panic!("no stderr line with {needle:?}:\n{}", self.seen.join("\n"));
    }

    fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }

    /// The exit code, stdout and all of stderr (the child is killed after 30 s).
    fn finish(mut self) -> (Option<i32>, String, String) {
        use std::io::Read;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("mcp did not exit after Ctrl-C:\n{}", self.seen.join("\n"));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        while let Ok(line) = self
            .lines
            .recv_timeout(std::time::Duration::from_millis(500))
        {
            self.seen.push(line);
        }
        (status.code(), stdout, self.seen.join("\n"))
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn ctrl_c_while_following_a_rolling_deploy_says_the_command_that_picks_it_up() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("resume", &[]);
    slow_rollouts(tb, &seeded.get("cluster"), &seeded.get("service"));
    let dir = project(tb, &seeded, "timeout = \"120s\"\n");
    commit_all(dir.path());

    let mut mcp = Spawned::new(tb.mcp(dir.path()).args(["deploy"]));
    mcp.wait_for("Rollout [", std::time::Duration::from_secs(240));
    mcp.interrupt();
    let (code, stdout, stderr) = mcp.finish();
    assert_eq!(code, Some(130), "stdout:\n{stdout}\nstderr:\n{stderr}");
    // On the terminal (stderr), next to "interrupted", not only in the report.
    assert!(
        stderr.contains("`mcp status --wait`"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn ctrl_c_names_the_service_in_the_resume_command_when_there_are_several() {
    let tb = crate::testbed!();
    let cluster = crate::testbed::unique("resume-fleet");
    let mut names = Vec::new();
    for name in ["first", "second"] {
        let service = format!("{cluster}-{name}");
        let mut args = vec!["service", "--cluster", &cluster, "--service", &service];
        args.extend(["--repository", &service, "--wait"]);
        tb.python("seed.py", &args);
        slow_rollouts(tb, &cluster, &service);
        names.push(service);
    }
    let services = format!(
        "\n[ecs]\ncluster = \"{cluster}\"\ncontainer = \"mcp\"\n\n[deploy]\ntimeout = \"120s\"\n\n\
         [services.first]\necr = {{ repository = \"{a}\" }}\necs = {{ service = \"{a}\" }}\n\n\
         [services.second]\necr = {{ repository = \"{b}\" }}\necs = {{ service = \"{b}\" }}\n",
        a = names[0],
        b = names[1],
    );
    let dir = fixture_project(tb, &cluster, &services);
    commit_all(dir.path());

    let mut mcp = Spawned::new(tb.mcp(dir.path()).args(["deploy", "second"]));
    mcp.wait_for("Rollout [", std::time::Duration::from_secs(240));
    mcp.interrupt();
    let (code, stdout, stderr) = mcp.finish();
    assert_eq!(code, Some(130), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stderr.contains("`mcp status --wait second`"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

/// Make `actions` answer with a fault (`unparseable`, `server-error`) for the
/// callers using `key` (tests/testbed/fault.py); dropped when the guard goes.
struct Fault {
    control: String,
    key: String,
}

impl Fault {
    fn new(tb: &Testbed, actions: &[&str], kind: &str) -> Fault {
        let fault = Fault {
            control: tb.var("MCP_TESTBED_CONTROL"),
            key: crate::testbed::unique("testing-fault"),
        };
        let body =
            serde_json::json!({"actions": actions, "access_key_id": fault.key, "kind": kind});
        fault.control("POST", &body);
        fault
    }

    /// More faults for the same caller.
    fn also(self, actions: &[&str], kind: &str) -> Fault {
        let body = serde_json::json!({"actions": actions, "access_key_id": self.key, "kind": kind});
        self.control("POST", &body);
        self
    }

    fn control(&self, method: &str, body: &serde_json::Value) {
        let out = std::process::Command::new("curl")
            .args(["-fsS", "--max-time", "10", "-X", method, "-d"])
            .arg(body.to_string())
            .arg(format!("{}/fault", self.control))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{method} /_testbed/fault: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Fault {
    fn drop(&mut self) {
        let _ = std::process::Command::new("curl")
            .args(["-fsS", "--max-time", "10", "-X", "DELETE", "-d"])
            .arg(serde_json::json!({"access_key_id": self.key}).to_string())
            .arg(format!("{}/fault", self.control))
            .output();
    }
}

/// The server exits 3 at start: ECS's circuit breaker rolls the service back.
fn crashes(tb: &Testbed, dir: &std::path::Path) {
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM {}\nENTRYPOINT [\"sh\", \"-c\", \"echo fatal; exit 3\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    commit_all(dir);
}

const DESCRIBE_TASKS_NOTE: &str = "note describing stopped tasks (DescribeTasks) failed";

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn stopped_task_details_that_cannot_be_parsed_never_end_the_follow_of_a_deploy() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("side-read", &[]);
    let (cluster, service) = (seeded.get("cluster"), seeded.get("service"));
    let before = tb.live_task_definition(&cluster, &service);
    let dir = project(tb, &seeded, "timeout = \"90s\"\n");
    crashes(tb, dir.path());

    let fault = Fault::new(tb, &["ecs:DescribeTasks"], "unparseable");
    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "-o", "json"])
        .env("AWS_ACCESS_KEY_ID", &fault.key));
    let report = out.json();
    assert_eq!(report["status"], "rolled_back", "stderr:\n{}", out.stderr);
    // What ECS did: its circuit breaker put the previous release back.
    assert_eq!(tb.live_task_definition(&cluster, &service), before);
    assert_eq!(out.code, 3, "stderr:\n{}", out.stderr);
    assert_eq!(report["live_revision"], revision(&before), "{report}");
    assert_eq!(
        out.stderr.matches(DESCRIBE_TASKS_NOTE).count(),
        1,
        "said once:\n{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("following the rollout failed"),
        "{}",
        out.stderr
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn stopped_task_details_that_cannot_be_parsed_never_end_status_wait() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("side-read-status", &[]);
    let (cluster, service) = (seeded.get("cluster"), seeded.get("service"));
    let before = tb.live_task_definition(&cluster, &service);
    let dir = project(tb, &seeded, "timeout = \"90s\"\n");
    crashes(tb, dir.path());
    let started = run(tb.mcp(dir.path()).args(["deploy", "--no-wait"]));
    assert_eq!(started.code, 0, "{}", started.stderr);

    let fault = Fault::new(tb, &["ecs:DescribeTasks"], "unparseable");
    let out = run(tb
        .mcp(dir.path())
        .args(["status", "--wait"])
        .env("AWS_ACCESS_KEY_ID", &fault.key));
    assert_eq!(
        out.code, 3,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains("Finished rolled_back"),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr.matches(DESCRIBE_TASKS_NOTE).count(),
        1,
        "said once:\n{}",
        out.stderr
    );
    assert_eq!(tb.live_task_definition(&cluster, &service), before);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn log_lines_and_tags_that_cannot_be_read_or_written_are_notes() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("side-read-logs", &[]);
    let (cluster, service) = (seeded.get("cluster"), seeded.get("service"));
    let before = tb.live_task_definition(&cluster, &service);
    let dir = project(tb, &seeded, "timeout = \"90s\"\n");
    // TagResource answers nothing to parse: it gets a server error (the SDK retries, then gives up).
    let fault = Fault::new(tb, &["logs:GetLogEvents"], "unparseable")
        .also(&["ecs:TagResource"], "server-error");

    // A release that runs: the tag that marks it completed cannot be written.
    commit_all(dir.path());
    let good = run(tb
        .mcp(dir.path())
        .args(["deploy", "-o", "json"])
        .env("AWS_ACCESS_KEY_ID", &fault.key));
    assert_eq!(good.code, 0, "stderr:\n{}", good.stderr);
    assert_eq!(good.json()["status"], "succeeded");
    assert!(
        good.stderr.contains("(TagResource) failed"),
        "{}",
        good.stderr
    );
    let good_revision = tb.live_task_definition(&cluster, &service);
    assert_ne!(good_revision, before);

    // A release that crashes: its log lines cannot be read; ECS's rollback is reported.
    crashes(tb, dir.path());
    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "-o", "json"])
        .env("AWS_ACCESS_KEY_ID", &fault.key));
    let report = out.json();
    assert_eq!(report["status"], "rolled_back", "stderr:\n{}", out.stderr);
    assert_eq!(out.code, 3, "stderr:\n{}", out.stderr);
    assert_eq!(
        report["live_revision"],
        revision(&good_revision),
        "{report}"
    );
    assert_eq!(
        out.stderr
            .matches("log lines (GetLogEvents) failed")
            .count(),
        1,
        "said once:\n{}",
        out.stderr
    );
}

/// A blue/green release whose tasks crash, followed while DescribeTasks answers
/// what the SDK cannot parse: the report says what ECS did (the previous release
/// serves), never "succeeded" (seen once with the fault on).
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_blue_green_release_that_crashes_is_never_reported_as_succeeded_when_task_details_fail() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("side-read-bg", &["--load-balancer", "advanced"]);
    let (cluster, service) = (seeded.get("cluster"), seeded.get("service"));
    let test_url = seeded.json["load_balancer"]["test_url"]
        .as_str()
        .unwrap_or_else(|| panic!("seed output has no load_balancer.test_url: {}", seeded.json))
        .to_string();
    let before = tb.live_task_definition(&cluster, &service);
    let dir = project(
        tb,
        &seeded,
        &format!("timeout = \"120s\"\nstrategy = \"blue_green\"\ntest_url = \"{test_url}/mcp\"\n"),
    );
    crashes(tb, dir.path());

    let fault = Fault::new(tb, &["ecs:DescribeTasks"], "unparseable");
    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "-o", "json"])
        .env("AWS_ACCESS_KEY_ID", &fault.key));
    let report = out.json();
    assert_ne!(report["status"], "succeeded", "stderr:\n{}", out.stderr);
    assert_ne!(out.code, 0, "stderr:\n{}", out.stderr);
    // Whatever the report says, it says what ECS runs now.
    let live = tb.live_task_definition(&cluster, &service);
    assert_eq!(live, before, "the crashing release must not serve");
    assert_eq!(report["live_revision"], revision(&live), "{report}");
}
