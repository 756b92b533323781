//! `mcp logs` against the testbed: a seeded service whose tasks ship their output
//! to CloudWatch Logs, plus events the tests write themselves (PutLogEvents) with
//! known timestamps into streams named like ECS names them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatchlogs::types::InputLogEvent;

use crate::testbed::{Seeded, Testbed, run, unique};

/// A stream named like the ones ECS's awslogs driver creates, for a made-up task.
fn task_stream(seeded: &Seeded) -> (String, String) {
    let task = format!("{:032x}", rand_u128());
    (format!("ecs/{}/{task}", seeded.get("container")), task)
}

fn rand_u128() -> u128 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // Distinct per call within one process; good enough for stream names.
    nanos.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835) ^ u128::from(std::process::id())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

/// Write `events` (timestamp in ms, message) into `stream` of `group`, creating the stream.
fn put(tb: &Testbed, group: &str, stream: &str, events: &[(i64, &str)]) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&tb.sdk());
    tb.block_on(async {
        let created = logs
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send()
            .await;
        if let Err(err) = created {
            let code = aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata::code(&err);
            assert_eq!(code, Some("ResourceAlreadyExistsException"), "{err:?}");
        }
        let mut request = logs
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream);
        for (ts, message) in events {
            request = request.log_events(
                InputLogEvent::builder()
                    .timestamp(*ts)
                    .message(*message)
                    .build()
                    .unwrap(),
            );
        }
        request.send().await.unwrap();
    });
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn messages(lines: &[serde_json::Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn since_until_filter_and_task_select_exactly_the_expected_events() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("logs-read", &[]);
    let group = seeded.get("log_group");
    let dir = seeded.project(tb);
    // Two hours ago, whole seconds: far from the seeded tasks' own output (now).
    let base = (now_ms() - 2 * 3600 * 1000) / 1000 * 1000;
    let (a, task_a) = task_stream(&seeded);
    let (b, _) = task_stream(&seeded);
    put(
        tb,
        &group,
        &a,
        &[
            (base - 60_000, "too early"),
            (base, "GET /a 200"),
            (base + 10_000, "ERROR connection refused by db"),
            (base + 20_500, "WARN slow"),
            (base + 30_000, "ERROR timeout"),
            (base + 120_000, "too late"),
        ],
    );
    put(
        tb,
        &group,
        &b,
        &[
            (base + 15_000, "b hello"),
            (base + 25_000, "ERROR connection refused again"),
        ],
    );
    let window = [
        "--since".to_string(),
        rfc3339(base),
        "--until".to_string(),
        rfc3339(base + 60_000),
    ];
    let logs = |extra: &[&str]| {
        let out = run(tb
            .mcp(dir.path())
            .args(["logs", "--output", "json"])
            .args(&window)
            .args(extra));
        assert_eq!(
            out.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            out.stdout, out.stderr
        );
        json_lines(&out.stdout)
    };

    // Every stream, in time order, nothing outside the window.
    let all = logs(&[]);
    assert_eq!(
        messages(&all),
        [
            "GET /a 200",
            "ERROR connection refused by db",
            "b hello",
            "WARN slow",
            "ERROR connection refused again",
            "ERROR timeout",
        ]
    );
    let slow = &all[3];
    assert_eq!(slow["stream"], a.as_str());
    assert_eq!(slow["task"], task_a.as_str());
    let at: jiff::Timestamp = slow["timestamp"].as_str().unwrap().parse().unwrap();
    assert_eq!(at.as_millisecond(), base + 20_500, "{slow}");

    // Filter patterns are CloudWatch's: a term, a quoted phrase.
    assert_eq!(
        messages(&logs(&["--filter", "ERROR"])),
        [
            "ERROR connection refused by db",
            "ERROR connection refused again",
            "ERROR timeout"
        ]
    );
    assert_eq!(
        messages(&logs(&["--filter", "\"connection refused\""])),
        [
            "ERROR connection refused by db",
            "ERROR connection refused again"
        ]
    );

    // One task: one stream (by id or by ARN).
    let only_a = logs(&["--task", &task_a]);
    assert_eq!(
        messages(&only_a),
        [
            "GET /a 200",
            "ERROR connection refused by db",
            "WARN slow",
            "ERROR timeout"
        ]
    );
    let arn = format!(
        "arn:aws:ecs:{}:123456789012:task/{}/{task_a}",
        tb.region(),
        seeded.get("cluster")
    );
    assert_eq!(messages(&logs(&["--task", &arn])), messages(&only_a));

    // Durations ago: 3h..1h holds all our events and none of the tasks' own output.
    let out = run(tb
        .mcp(dir.path())
        .args(["logs", "--since", "3h", "--until", "1h", "--filter", "too"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(text.len(), 2, "{}", out.stdout);
    // Text: time, the task's short id, the message.
    assert_eq!(
        text[0],
        format!(
            "{:.3} {} too early",
            jiff::Timestamp::from_millisecond(base - 60_000).unwrap(),
            &task_a[..8]
        )
    );
    assert!(text[1].ends_with(" too late"), "{}", text[1]);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn revision_reads_the_streams_of_that_revisions_tasks() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("logs-rev", &[]);
    let dir = seeded.project(tb);
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let revision = live.rsplit(':').next().unwrap().to_string();
    // A stream of a task that never ran this revision is left out.
    let (other, _) = task_stream(&seeded);
    put(
        tb,
        &seeded.get("log_group"),
        &other,
        &[(now_ms() - 1000, "not ours")],
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = run(tb
            .mcp(dir.path())
            .args(["logs", "-o", "json", "--revision", &revision]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let lines = json_lines(&out.stdout);
        assert!(!messages(&lines).contains(&"not ours".to_string()));
        // The seeded server says so when it starts (shipped by the testbed's awslogs).
        if messages(&lines)
            .iter()
            .any(|m| m.starts_with("serving on :8000"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the task's start-up line never showed:\n{}",
            out.stdout
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let out = run(tb.mcp(dir.path()).args(["logs", "--revision", "999"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("no tasks of"), "{}", out.stderr);
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
}

/// `mcp logs -f` as a child whose stdout lines arrive on a channel.
struct Follower {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Follower {
    fn start(tb: &Testbed, dir: &std::path::Path, args: &[&str]) -> Follower {
        let mut child = tb
            .mcp(dir)
            .args(["logs", "--follow", "--output", "json"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Follower { child, lines }
    }

    /// Lines until `done` says so or `timeout` passes.
    fn read_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&[String]) -> bool,
    ) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        while !done(&seen) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        seen
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ours(lines: &[String], marker: &str) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}: {l}"))
        })
        .filter_map(|v| v["message"].as_str().map(str::to_string))
        .filter(|m| m.starts_with(marker))
        .collect()
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn follow_sees_new_events_and_new_streams_each_exactly_once() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("logs-follow", &[]);
    let group = seeded.get("log_group");
    let dir = seeded.project(tb);
    let marker = unique("mark");
    let (a, _) = task_stream(&seeded);
    put(
        tb,
        &group,
        &a,
        &[(now_ms() - 5_000, &format!("{marker} before"))],
    );

    let follower = Follower::start(tb, dir.path(), &["--since", "1m"]);
    let got = follower.read_until(Duration::from_secs(20), |l| !ours(l, &marker).is_empty());
    assert_eq!(ours(&got, &marker), [format!("{marker} before")]);

    // After it started: more in the same stream, then a stream that did not exist
    // (a task of a new deployment), events close together and at one millisecond.
    let t = now_ms();
    put(
        tb,
        &group,
        &a,
        &[
            (t, &format!("{marker} one")),
            (t + 1, &format!("{marker} two")),
        ],
    );
    let (late, _) = task_stream(&seeded);
    put(
        tb,
        &group,
        &late,
        &[
            (t + 1, &format!("{marker} new stream")),
            (t + 2, &format!("{marker} three")),
        ],
    );
    let mut all = got;
    all.extend(follower.read_until(Duration::from_secs(20), |l| ours(l, &marker).len() >= 4));
    // Several more polls, whose windows overlap the events above: nothing twice.
    all.extend(follower.read_until(Duration::from_secs(4), |_| false));
    let mut seen = ours(&all, &marker);
    seen.sort();
    let mut expected: Vec<String> = ["before", "one", "two", "new stream", "three"]
        .iter()
        .map(|m| format!("{marker} {m}"))
        .collect();
    expected.sort();
    assert_eq!(seen, expected);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("logs-pipe", &[]);
    let group = seeded.get("log_group");
    let dir = seeded.project(tb);
    let (a, _) = task_stream(&seeded);
    put(tb, &group, &a, &[(now_ms() - 1000, "first")]);
    let mut follower = Follower::start(tb, dir.path(), &["--since", "1m"]);
    let got = follower.read_until(Duration::from_secs(20), |l| !l.is_empty());
    assert!(!got.is_empty(), "nothing was printed");
    // The reader goes away (like `| head -1`); the next write meets a closed pipe.
    drop(std::mem::replace(&mut follower.lines, mpsc::channel().1));
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        put(tb, &group, &a, &[(now_ms(), "more")]);
        if let Some(status) = follower.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "mcp kept running with its reader gone"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(follower.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_task_definition_without_awslogs_is_a_clear_error() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("logs-none", &[]);
    let dir = seeded.project(tb);
    let ecs = tb.ecs();
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let current = tb.task_definition(&live);
    let seeded_container = &current.container_definitions()[0];
    // The same container, minus its logConfiguration.
    let container = aws_sdk_ecs::types::ContainerDefinition::builder()
        .set_name(seeded_container.name().map(str::to_string))
        .set_image(seeded_container.image().map(str::to_string))
        .essential(true)
        .set_command(Some(seeded_container.command().to_vec()))
        .set_port_mappings(Some(seeded_container.port_mappings().to_vec()))
        .build();
    tb.block_on(async {
        let registered = ecs
            .register_task_definition()
            .family(current.family().unwrap())
            .set_requires_compatibilities(Some(current.requires_compatibilities().to_vec()))
            .set_network_mode(current.network_mode().cloned())
            .set_cpu(current.cpu().map(str::to_string))
            .set_memory(current.memory().map(str::to_string))
            .set_execution_role_arn(current.execution_role_arn().map(str::to_string))
            .container_definitions(container)
            .send()
            .await
            .unwrap();
        let arn = registered
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap();
        ecs.update_service()
            .cluster(seeded.get("cluster"))
            .service(seeded.get("service"))
            .task_definition(arn)
            .send()
            .await
            .unwrap();
    });
    let out = run(tb.mcp(dir.path()).args(["logs"]));
    assert_eq!(
        out.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .contains("has no logConfiguration, not `awslogs`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint:") && out.stderr.contains("--log-group"),
        "{}",
        out.stderr
    );

    // Naming the group reads it all the same.
    let out = run(tb
        .mcp(dir.path())
        .args(["logs", "--log-group", &seeded.get("log_group")]));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// The running task container of a seeded service.
fn task_container(seeded: &Seeded) -> String {
    let ps = std::process::Command::new("docker")
        .args([
            "ps",
            "-q",
            "--filter",
            &format!("label=mcp-testbed.service={}", seeded.get("service")),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&ps.stdout)
        .lines()
        .next()
        .expect("a running task container")
        .to_string()
}

/// Guards Live Tail end to end (issue 11 item 9): the SDK sends StartLiveTail to
/// the `stream-` form of the endpoint's host, which the testbed names and serves
/// as an event stream of what the task really prints.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn live_prints_the_lines_a_running_task_prints_from_then_on() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("logs-live", &[]);
    let group = seeded.get("log_group");
    let dir = seeded.project(tb);
    let marker = unique("live");
    // Already in CloudWatch when the tail starts: Live Tail shows new events only.
    let (old, _) = task_stream(&seeded);
    put(tb, &group, &old, &[(now_ms(), &format!("{marker} before"))]);

    let container = task_container(&seeded);
    let follower = Follower::start(tb, dir.path(), &["--live"]);
    // The task prints a numbered line each half second (to its own stdout, which the
    // awslogs driver ships) until one arrives: the session starts a moment after `mcp` does.
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    while ours(&got, &marker).is_empty() && Instant::now() < deadline {
        n += 1;
        let printed = std::process::Command::new("docker")
            .args(["exec", &container, "sh", "-c"])
            .arg(format!("echo '{marker} line {n}' > /proc/1/fd/1"))
            .status()
            .unwrap();
        assert!(printed.success(), "docker exec into the task failed");
        got.extend(follower.read_until(Duration::from_millis(500), |_| false));
    }
    let first: usize = ours(&got, &marker)
        .first()
        .unwrap_or_else(|| panic!("`mcp logs --live` printed none of the task's lines: {got:?}"))
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Two more lines after the first arrived: each exactly once, in order, with its task.
    for k in [n + 1, n + 2] {
        std::process::Command::new("docker")
            .args(["exec", &container, "sh", "-c"])
            .arg(format!("echo '{marker} line {k}' > /proc/1/fd/1"))
            .status()
            .unwrap();
    }
    let last = format!("{marker} line {}", n + 2);
    got.extend(follower.read_until(Duration::from_secs(20), |l| {
        ours(l, &marker).contains(&last)
    }));
    let expected: Vec<String> = (first..=n + 2)
        .map(|k| format!("{marker} line {k}"))
        .collect();
    assert_eq!(ours(&got, &marker), expected, "{got:?}");
    let task = container_task(&got, &marker);
    assert!(
        task.iter().all(|t| t.len() == 32),
        "every line names its task: {task:?}"
    );
}

/// The `task` field of our lines.
fn container_task(lines: &[String], marker: &str) -> Vec<String> {
    lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["message"].as_str().is_some_and(|m| m.starts_with(marker)))
        .map(|v| v["task"].as_str().unwrap_or_default().to_string())
        .collect()
}
