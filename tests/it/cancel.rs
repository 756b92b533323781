//! Ctrl-C (SIGINT sent to the `mcp` child) at different moments of a deploy:
//! it ends within about a second with exit 130, says what state it left and
//! how to resume, and starts nothing more.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::image::{commit_all, fixture_project};
use crate::testbed::{self, Testbed};

/// A spawned `mcp` whose stderr lines arrive on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn spawn(cmd: &mut std::process::Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Wait (up to `within`) for a stderr line containing `needle`.
    fn wait_for(&mut self, needle: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                let found = line.contains(needle);
                self.seen.push(line);
                if found {
                    return;
                }
            }
        }
        let _ = self.child.kill();
        panic!(
            "no stderr line with {needle:?} within {within:?}:\n{}",
            self.seen.join("\n")
        );
    }

    fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }

    /// Wait for the exit (at most `within`): the exit code, stdout and all of stderr.
    fn finish(mut self, within: Duration) -> (Option<i32>, String, String) {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!(
                    "mcp did not exit within {within:?} of Ctrl-C:\n{}",
                    self.seen.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(500)) {
            self.seen.push(line);
        }
        (status.code(), stdout, self.seen.join("\n"))
    }
}

/// Within a second, give or take a loaded machine.
const PROMPTLY: Duration = Duration::from_secs(3);

fn project(tb: &Testbed, seeded: &testbed::Seeded) -> tempfile::TempDir {
    let config = format!(
        "\n[ecs]\ncluster = \"{}\"\nservice = \"{}\"\ncontainer = \"{}\"\n\n[deploy]\ntimeout = \"120s\"\n",
        seeded.get("cluster"),
        seeded.get("service"),
        seeded.get("container"),
    );
    let dir = fixture_project(tb, &seeded.get("repository"), &config);
    commit_all(dir.path());
    dir
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn ctrl_c_during_a_rollout_reports_it_in_flight_and_how_to_resume() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("cancel-rollout", &["--rollout-delay", "60"]);
    let dir = project(tb, &seeded);

    let mut mcp = Running::spawn(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    mcp.wait_for("Deploying", Duration::from_secs(240));
    mcp.interrupt();
    let (code, stdout, stderr) = mcp.finish(PROMPTLY);
    assert_eq!(code, Some(130), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("the report on stdout");
    assert_eq!(report["status"], "interrupted", "{report}");
    assert!(stdout.contains("mcp status --wait"), "{stdout}");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn ctrl_c_during_the_build_ends_at_once_having_changed_nothing() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("cancel-build", &[]);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = project(tb, &seeded);

    let mut mcp = Running::spawn(tb.mcp(dir.path()).args(["deploy"]));
    mcp.wait_for("Building", Duration::from_secs(120));
    mcp.interrupt();
    let (code, stdout, stderr) = mcp.finish(PROMPTLY);
    assert_eq!(code, Some(130), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert!(!stderr.contains("Registered"), "{stderr}");
    // Nothing registered, nothing rolled out, even a while later.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn ctrl_c_during_deploy_all_starts_no_queued_service() {
    let tb = crate::testbed!();
    let cluster = testbed::unique("cancel-fleet");
    let seed = |name: &str| {
        let service = format!("{cluster}-{name}");
        let json = tb.python(
            "seed.py",
            &[
                "service",
                "--cluster",
                &cluster,
                "--service",
                &service,
                "--repository",
                &service,
                "--rollout-delay",
                "60",
                "--wait",
            ],
        );
        testbed::Seeded {
            name: service,
            json,
        }
    };
    let seeded = [seed("first"), seed("second")];
    let services = format!(
        "\n[ecs]\ncluster = \"{cluster}\"\ncontainer = \"mcp\"\n\n[deploy]\ntimeout = \"120s\"\n\n\
         [services.first]\necr = {{ repository = \"{a}\" }}\necs = {{ service = \"{a}\" }}\n\n\
         [services.second]\necr = {{ repository = \"{b}\" }}\necs = {{ service = \"{b}\" }}\n",
        a = seeded[0].name,
        b = seeded[1].name,
    );
    let dir = fixture_project(tb, &cluster, &services);
    commit_all(dir.path());
    let second_before = tb.live_task_definition(&cluster, &seeded[1].name);

    // One rollout at a time: the second is queued while the first is followed.
    let mut mcp = Running::spawn(
        tb.mcp(dir.path())
            .args(["deploy", "--all", "--jobs", "1", "-o", "json"]),
    );
    mcp.wait_for("Deploying", Duration::from_secs(300));
    mcp.interrupt();
    let (code, stdout, stderr) = mcp.finish(PROMPTLY);
    assert_eq!(code, Some(130), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let entries: serde_json::Value = serde_json::from_str(&stdout).expect("the summary on stdout");
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{stdout}");
    assert_eq!(entries[0]["exit_code"], 130, "{stdout}");
    assert_eq!(entries[1]["exit_code"], 130, "{stdout}");
    assert_eq!(
        stderr.matches("Deploying").count(),
        1,
        "one rollout started:\n{stderr}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        tb.live_task_definition(&cluster, &seeded[1].name),
        second_before,
        "the queued service was not touched"
    );
}
