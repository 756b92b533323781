//! Blue/green and canary deployments with the MCP gate, against the testbed's
//! progressive ECS simulator and its loopback load balancer: the production
//! and test listeners are real ports that route to the blue and green task
//! containers with the weights ECS sets, so the gate really talks to the new
//! release and production traffic really moves (or, as these tests prove,
//! does not).
//!
//! The new release is examples/echo-server (a real MCP server, `FROM scratch`);
//! the seeded release, and the "bad" one, is busybox httpd: it answers
//! `/healthz` but not MCP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_ecs::types::ServiceDeployment;

use crate::image::{commit_all, git};
use crate::testbed::{Output, Seeded, Testbed, run};

/// A service behind the testbed's load balancer; `advanced` gives it the
/// `advancedConfiguration` blue/green needs.
fn seed(tb: &Testbed, prefix: &str, advanced: bool) -> Seeded {
    tb.seed_service(
        prefix,
        &[
            "--load-balancer",
            if advanced { "advanced" } else { "plain" },
        ],
    )
}

fn lb(seeded: &Seeded, key: &str) -> String {
    seeded.json["load_balancer"][key]
        .as_str()
        .unwrap_or_else(|| panic!("seed output has no load_balancer.{key}: {}", seeded.json))
        .to_string()
}

/// examples/echo-server as the project's image, deployed to `seeded` with `deploy_toml`.
fn echo_project(tb: &Testbed, seeded: &Seeded, deploy_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/echo-server");
    for file in ["Dockerfile", ".dockerignore"] {
        std::fs::copy(example.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::copy(
        crate::check::echo_server_bin(),
        dir.path().join("dist/echo-server"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!(
            "name = \"{name}\"\nregion = \"{region}\"\n\n[ecr]\nrepository = \"{repo}\"\n\n\
             [ecs]\ncluster = \"{cluster}\"\nservice = \"{service}\"\ncontainer = \"{container}\"\n\n\
             [deploy]\ntimeout = \"120s\"\n{deploy_toml}\n",
            name = seeded.name,
            region = tb.region(),
            repo = seeded.get("repository"),
            cluster = seeded.get("cluster"),
            service = seeded.get("service"),
            container = seeded.get("container"),
        ),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    dir
}

/// Replace the project's image with busybox httpd: `/healthz` answers 200,
/// `/version` says `bad`, and nothing speaks MCP.
fn not_mcp(tb: &Testbed, dir: &Path) {
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            // ENTRYPOINT: the seeded task definition's `command` only replaces CMD.
            "FROM {}\nENTRYPOINT [\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/healthz && echo bad > /www/version && exec httpd -f -p 8000 -h /www\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(dir.join(".dockerignore"), "*\n!Dockerfile\n").unwrap();
    commit_all(dir);
}

/// GET `url` with plain HTTP/1.0 over loopback: (status, body).
fn http_get(url: &str) -> Option<(u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let mut stream = TcpStream::connect(authority).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.trim().to_string())?;
    Some((status, body))
}

/// Requests to the production listener's `/version` every 50 ms until dropped:
/// what production actually served while a deploy ran.
struct ProductionProbe {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl ProductionProbe {
    fn start(production_url: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let url = format!("{production_url}/version");
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                if let Some((status, body)) = http_get(&url) {
                    seen.push(if status == 200 {
                        body
                    } else {
                        format!("HTTP {status}")
                    });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            seen
        });
        ProductionProbe {
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap()
    }
}

/// The service's current service deployment, as ECS describes it.
fn current_deployment(tb: &Testbed, seeded: &Seeded) -> Option<ServiceDeployment> {
    let ecs = tb.ecs();
    let (cluster, service) = (seeded.get("cluster"), seeded.get("service"));
    tb.block_on(async {
        let out = ecs
            .describe_services()
            .cluster(&cluster)
            .services(&service)
            .send()
            .await
            .unwrap();
        let arn = out.services()[0].current_service_deployment()?.to_string();
        let out = ecs
            .describe_service_deployments()
            .service_deployment_arns(arn)
            .send()
            .await
            .unwrap();
        out.service_deployments().first().cloned()
    })
}

/// Wait until `done` holds for the current service deployment.
fn wait_for(
    tb: &Testbed,
    seeded: &Seeded,
    what: &str,
    timeout: Duration,
    done: impl Fn(&ServiceDeployment) -> bool,
) -> ServiceDeployment {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(sd) = current_deployment(tb, seeded)
            && done(&sd)
        {
            return sd;
        }
        assert!(
            Instant::now() < deadline,
            "no {what} within {timeout:?}: {:?}",
            current_deployment(tb, seeded)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `mcp` started in the background, output collected.
fn spawn(cmd: &mut Command) -> Child {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn collect(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn revision(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_string()
}

/// boto3 against the testbed, for what the Rust SDKs `mcp` links do not cover (CloudWatch).
fn python(tb: &Testbed, code: &str) {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .envs(&tb.env)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn blue_green_with_a_good_release_passes_the_gate_and_shifts_production() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-good", true);
    let (test_url, production_url) = (lb(&seeded, "test_url"), lb(&seeded, "production_url"));
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = echo_project(
        tb,
        &seeded,
        &format!(
            "strategy = \"blue_green\"\ntest_url = \"{test_url}/mcp\"\nexpect_tools = [\"echo\", \"add\"]\ngate_timeout = \"60m\""
        ),
    );
    let plan = run(tb.mcp(dir.path()).args(["deploy", "--dry-run"]));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout.contains(&format!(
            "with blue_green; the MCP gate checks {test_url}/mcp"
        )),
        "{}",
        plan.stdout
    );
    let out = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["strategy"], "blue_green");
    assert_eq!(report["gate"]["passed"], true, "{report}");
    assert_eq!(report["gate"]["action"], "continue");
    assert_eq!(
        report["gate"]["check"]["tools"],
        serde_json::json!(["add", "echo"])
    );
    assert!(
        report["gate"]["url"]
            .as_str()
            .unwrap()
            .starts_with(&test_url)
    );
    assert!(report["stage"].is_string(), "{report}");
    assert_eq!(report["previous_revision"], revision(&before));
    // One line per lifecycle stage, in order, and the gate's verdict.
    let stderr = &out.stderr;
    let order = [
        "Scaling",
        "Testing",
        "Gate",
        "passed: echo-server",
        "production traffic: 100%",
    ];
    let mut at = 0;
    for word in order {
        let found = stderr[at..]
            .find(word)
            .unwrap_or_else(|| panic!("`{word}` missing after byte {at}:\n{stderr}"));
        at += found;
    }
    // Production now reaches the new release, and it speaks MCP.
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    assert_eq!(revision(&live), report["revision"].as_str().unwrap());
    let check = run(tb.mcp(dir.path()).args([
        "check",
        "--url",
        &format!("{production_url}/mcp"),
        "-o",
        "json",
    ]));
    assert_eq!(
        check.code, 0,
        "production serves the new release: {}",
        check.stderr
    );
    assert_eq!(check.json()["tools"], serde_json::json!(["add", "echo"]));
}

// Issue 22: a release that speaks only MCP 2026-07-28 (no `initialize`
// handshake) is healthy: the gate reaches it through `server/discover`,
// passes it, and production shifts. Before, the gate sent only `initialize`
// and rolled such a release back.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn blue_green_of_a_release_that_speaks_only_2026_07_28_passes_the_gate() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-2026", true);
    let (test_url, production_url) = (lb(&seeded, "test_url"), lb(&seeded, "production_url"));
    let dir = echo_project(
        tb,
        &seeded,
        &format!(
            "strategy = \"blue_green\"\ntest_url = \"{test_url}/mcp\"\n\n\
             [env]\nMCP_PROTOCOLS = \"2026-07-28\""
        ),
    );
    let out = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["gate"]["passed"], true, "{report}");
    let check = &report["gate"]["check"];
    assert_eq!(check["protocol"], "2026-07-28", "{report}");
    assert_eq!(check["session"], "stateless", "{report}");
    assert_eq!(check["steps"][1]["step"], "server/discover", "{report}");
    assert_eq!(check["tools"], serde_json::json!(["add", "echo"]));
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    assert_eq!(revision(&live), report["revision"].as_str().unwrap());
    // Production serves the release, and it is the 2026-only one: the
    // handshake of 2025-11-25 is refused, naming the revision it speaks.
    let pinned = run(tb.mcp(dir.path()).args([
        "check",
        "--url",
        &format!("{production_url}/mcp"),
        "--protocol",
        "2025-11-25",
        "-o",
        "json",
    ]));
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

/// Guards issue 28: the gate proves a release works for its clients. The
/// live release (echo-server with `CONFORMANCE=1`) serves three more tools;
/// a release without them breaks the live contract and fails the gate at
/// `contract`; a release whose smoke call fails fails it at `tools/call`.
/// Neither reaches production traffic.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn the_gate_refuses_a_release_that_breaks_the_contract_or_fails_a_smoke_call() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-contract", true);
    let (test_url, production_url) = (lb(&seeded, "test_url"), lb(&seeded, "production_url"));
    let deploy_toml = format!(
        "strategy = \"blue_green\"\nurl = \"{production_url}/mcp\"\ntest_url = \"{test_url}/mcp\""
    );
    let dir = echo_project(
        tb,
        &seeded,
        &format!("{deploy_toml}\n\n[env]\nCONFORMANCE = \"1\""),
    );
    let toml = dir.path().join("mcp.toml");
    let first = run(tb
        .mcp(dir.path())
        .args(["deploy", "--wait-until", "complete", "-o", "json"]));
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));

    // With CONFORMANCE=0 the release lists two tools where clients had five.
    let with_env = std::fs::read_to_string(&toml).unwrap();
    let plain = with_env.replace("CONFORMANCE = \"1\"", "CONFORMANCE = \"0\"");
    assert_ne!(plain, with_env);
    std::fs::write(&toml, &plain).unwrap();
    let out = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("Contract of the live release: 5 tools"),
        "{}",
        out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "rolled_back", "{report}");
    assert_eq!(report["gate"]["failed_step"], "contract", "{report}");
    let breaking = report["gate"]["check"]["contract"]["breaking"]
        .as_array()
        .unwrap();
    assert!(
        breaking
            .iter()
            .any(|b| b.as_str().unwrap() == "tool test_missing_capability: removed"),
        "{report}"
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        live
    );

    // Breaking allowed, but a smoke call that does not get its answer.
    std::fs::write(
        &toml,
        format!(
            "{plain}\n[[check.calls]]\ntool = \"echo\"\narguments = {{ text = \"hello\" }}\nexpect = \"goodbye\"\n"
        ),
    )
    .unwrap();
    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "--allow-breaking", "-o", "json"]));
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(report["gate"]["failed_step"], "tools/call", "{report}");
    let calls = &report["gate"]["check"]["calls"];
    assert_eq!(calls[0]["tool"], "echo", "{report}");
    assert_eq!(calls[0]["ok"], false, "{report}");
    assert!(
        calls[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("without `goodbye`")),
        "{report}"
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        live
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_release_that_fails_initialize_is_rolled_back_at_the_gate_and_never_serves_production() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-bad", true);
    let (test_url, production_url) = (lb(&seeded, "test_url"), lb(&seeded, "production_url"));
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = echo_project(
        tb,
        &seeded,
        &format!("strategy = \"blue_green\"\ntest_url = \"{test_url}/mcp\""),
    );
    not_mcp(tb, dir.path());
    let probe = ProductionProbe::start(&production_url);
    let out = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    let served = probe.finish();
    assert_eq!(
        out.code, 3,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "rolled_back", "{report}");
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(report["gate"]["failed_step"], "initialize", "{report}");
    assert_eq!(report["gate"]["action"], "rollback");
    assert_eq!(
        report["gate"]["check"]["steps"][0]["ok"], true,
        "/healthz answered: {report}"
    );
    let reason = report["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the MCP gate failed at initialize"),
        "{reason}"
    );
    assert_eq!(report["live_revision"], revision(&before));
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
    let sd = current_deployment(tb, &seeded).unwrap();
    assert_eq!(sd.status().map(|s| s.as_str()), Some("ROLLBACK_SUCCESSFUL"));

    // Production never reached the new release: what it served, and the listener's own counts.
    assert!(served.len() > 10, "the probe ran: {served:?}");
    assert!(
        served.iter().all(|b| b == "v1"),
        "production served: {served:?}"
    );
    let control = tb.var("MCP_TESTBED_CONTROL");
    let lbs: serde_json::Value = serde_json::from_slice(
        &Command::new("curl")
            .args([
                "-fsS",
                &format!(
                    "{control}/service-lb?cluster={}&service={}",
                    seeded.get("cluster"),
                    seeded.get("service")
                ),
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let stats = &lbs["loadBalancers"][0]["production"]["stats"];
    let green = lb(&seeded, "target_group_b");
    assert_eq!(
        stats[&green]["requests"].as_u64().unwrap_or(0),
        0,
        "production requests to green: {stats}"
    );
    assert!(
        stats[&lb(&seeded, "target_group_a")]["requests"]
            .as_u64()
            .unwrap()
            > 10,
        "{stats}"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_canary_whose_alarm_fires_during_the_canary_bake_is_rolled_back() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-canary", true);
    let test_url = lb(&seeded, "test_url");
    let alarm = format!("{}-5xx", seeded.name);
    python(
        tb,
        &format!(
            "import boto3; boto3.client('cloudwatch').put_metric_alarm(AlarmName='{alarm}', MetricName='5xx', \
             Namespace='mcp', Statistic='Sum', Period=60, EvaluationPeriods=1, Threshold=1, \
             ComparisonOperator='GreaterThanOrEqualToThreshold')"
        ),
    );
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = echo_project(
        tb,
        &seeded,
        &format!(
            "strategy = \"canary\"\ncanary_percent = 20.0\ncanary_bake = \"30m\"\nalarms = [\"{alarm}\"]\ntest_url = \"{test_url}/mcp\""
        ),
    );
    let child = spawn(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    // Wait for the canary share (a testbed minute is a second: the canary bakes 30 s).
    wait_for(
        tb,
        &seeded,
        "canary traffic",
        Duration::from_secs(120),
        |sd| {
            sd.target_service_revision()
                .and_then(|t| t.requested_production_traffic_weight())
                == Some(20.0)
        },
    );
    python(
        tb,
        &format!(
            "import boto3; boto3.client('cloudwatch').set_alarm_state(AlarmName='{alarm}', StateValue='ALARM', StateReason='test')"
        ),
    );
    let out = collect(child);
    assert_eq!(
        out.code, 3,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "rolled_back", "{report}");
    assert_eq!(report["strategy"], "canary");
    assert_eq!(
        report["gate"]["passed"], true,
        "the gate passed; the alarm rolled it back"
    );
    assert!(
        report["reason"].as_str().unwrap().contains(&alarm),
        "{report}"
    );
    assert!(
        out.stderr
            .contains("production traffic: 20% to the new revision"),
        "{}",
        out.stderr
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn rollback_during_the_bake_stops_the_deployment_in_seconds() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-bake", true);
    let (test_url, production_url) = (lb(&seeded, "test_url"), lb(&seeded, "production_url"));
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    // 60 testbed minutes: a minute of bake.
    let dir = echo_project(
        tb,
        &seeded,
        &format!(
            "strategy = \"blue_green\"\nbake = \"60m\"\ntest_url = \"{test_url}/mcp\"\ngate_timeout = \"60m\""
        ),
    );
    let deployed = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    assert_eq!(deployed.json()["status"], "succeeded");
    // `--wait-until shifted` (the default) returned while the old revision bakes.
    let sd = current_deployment(tb, &seeded).unwrap();
    assert_eq!(
        sd.status().map(|s| s.as_str()),
        Some("IN_PROGRESS"),
        "{sd:?}"
    );
    // It returned at the production shift; the bake follows a moment later
    // (later still on a loaded machine): wait for it, bounded.
    let waited = Instant::now();
    while current_deployment(tb, &seeded)
        .and_then(|sd| sd.lifecycle_stage().map(|s| s.as_str().to_string()))
        .as_deref()
        != Some("BAKE_TIME")
    {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the deployment never reached BAKE_TIME: {:?}",
            current_deployment(tb, &seeded)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = run(tb.mcp(dir.path()).args(["status"]));
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status
            .stdout
            .contains("traffic    production 100% new / 0% old"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("bake "), "{}", status.stdout);
    assert_ne!(
        http_get(&format!("{production_url}/version")).unwrap().1,
        "v1",
        "production is on the new release"
    );

    let started = Instant::now();
    let out = run(tb.mcp(dir.path()).args(["rollback", "-o", "json"]));
    let took = started.elapsed();
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains("StopServiceDeployment ROLLBACK"),
        "{}",
        out.stderr
    );
    assert!(
        took < Duration::from_secs(15),
        "an instant rollback took {took:?}"
    );
    let report = out.json();
    assert_eq!(report["live_revision"], revision(&before), "{report}");
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
    let sd = current_deployment(tb, &seeded).unwrap();
    assert_eq!(sd.status().map(|s| s.as_str()), Some("ROLLBACK_SUCCESSFUL"));
    assert_eq!(
        http_get(&format!("{production_url}/version")).unwrap().1,
        "v1",
        "production is back on the old release"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn when_mcp_dies_at_the_pause_the_hook_timeout_rolls_back() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-killed", true);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    // A test URL that accepts connections and never answers: the gate is still checking when mcp dies.
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blackhole.local_addr().unwrap().port();
    let dir = echo_project(
        tb,
        &seeded,
        &format!(
            "strategy = \"blue_green\"\ntest_url = \"http://127.0.0.1:{port}/mcp\"\ngate_timeout = \"5m\""
        ),
    );
    let mut child = spawn(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    wait_for(
        tb,
        &seeded,
        "the gate's pause",
        Duration::from_secs(120),
        |sd| {
            sd.lifecycle_hook_details()
                .iter()
                .any(|h| h.status().map(|s| s.as_str()) == Some("AWAITING_ACTION"))
        },
    );
    child.kill().unwrap();
    let _ = child.wait();
    let sd = wait_for(
        tb,
        &seeded,
        "ROLLBACK_SUCCESSFUL",
        Duration::from_secs(60),
        |sd| sd.status().map(|s| s.as_str()) == Some("ROLLBACK_SUCCESSFUL"),
    );
    let hook = &sd.lifecycle_hook_details()[0];
    assert_eq!(
        hook.status().map(|s| s.as_str()),
        Some("TIMED_OUT"),
        "{sd:?}"
    );
    assert_eq!(hook.timeout_action().map(|s| s.as_str()), Some("ROLLBACK"));
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
    drop(blackhole);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_service_without_advanced_configuration_is_refused_before_any_build() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-plain", false);
    let dir = echo_project(
        tb,
        &seeded,
        "strategy = \"blue_green\"\ntest_url = \"http://127.0.0.1:9/mcp\"",
    );
    // A build would fail loudly: exit 2 proves none was attempted.
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {}\nRUN exit 9\n", tb.var("MCP_TESTBED_BASE_IMAGE")),
    )
    .unwrap();
    commit_all(dir.path());
    let out = run(tb.mcp(dir.path()).args(["deploy"]));
    assert_eq!(
        out.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains("has no advancedConfiguration"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: give the service's load balancer an advanced configuration"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("advanced_configuration {"),
        "Terraform fields: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("AlternateTargetGroupArn"),
        "CloudFormation fields: {}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("Building") && !out.stderr.contains("Pushing"),
        "{}",
        out.stderr
    );

    let doctor = run(tb.mcp(dir.path()).args(["doctor", "-o", "json"]));
    assert_eq!(doctor.code, 1, "{}", doctor.stderr);
    let report = doctor.json();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "deploy strategy")
        .unwrap_or_else(|| panic!("no strategy check: {report}"))
        .clone();
    assert_eq!(check["outcome"], "failed", "{check}");
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .contains("has no advancedConfiguration"),
        "{check}"
    );
    assert!(
        check["hint"]
            .as_str()
            .unwrap()
            .contains("advanced_configuration {"),
        "{check}"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn status_wait_resumes_a_deploy_interrupted_at_the_pause_and_runs_the_gate() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-resume", true);
    let test_url = lb(&seeded, "test_url");
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blackhole.local_addr().unwrap().port();
    // 60 testbed minutes at the pause: time enough to resume before ECS rolls back.
    let toml = |url: &str| {
        format!("strategy = \"blue_green\"\ntest_url = \"{url}\"\ngate_timeout = \"60m\"")
    };
    let dir = echo_project(tb, &seeded, &toml(&format!("http://127.0.0.1:{port}/mcp")));
    let mut child = spawn(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    let paused = wait_for(
        tb,
        &seeded,
        "the gate's pause",
        Duration::from_secs(120),
        |sd| {
            sd.lifecycle_hook_details()
                .iter()
                .any(|h| h.status().map(|s| s.as_str()) == Some("AWAITING_ACTION"))
        },
    );
    child.kill().unwrap();
    let _ = child.wait();
    let new_revision = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    // The right test URL now: `mcp status --wait` picks the deployment up at the pause.
    let path = dir.path().join("mcp.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        &format!("http://127.0.0.1:{port}/mcp"),
        &format!("{test_url}/mcp"),
    );
    std::fs::write(&path, text).unwrap();
    let out = run(tb.mcp(dir.path()).args(["status", "--wait"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(out.stderr.contains("Following"), "{}", out.stderr);
    assert!(
        out.stderr.contains("passed: echo-server"),
        "the gate ran: {}",
        out.stderr
    );
    let sd = current_deployment(tb, &seeded).unwrap();
    assert_eq!(
        sd.service_deployment_arn(),
        paused.service_deployment_arn(),
        "the same deployment"
    );
    assert_eq!(
        sd.status().map(|s| s.as_str()),
        Some("SUCCESSFUL"),
        "followed to the end"
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        new_revision
    );
    drop(blackhole);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn without_a_test_url_the_check_of_deploy_url_after_the_shift_rolls_back_during_the_bake() {
    let tb = crate::testbed!();
    let seeded = seed(tb, "pg-url", true);
    let production_url = lb(&seeded, "production_url");
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    // No gate: production shifts to the bad release, the check of deploy.url fails (after a
    // minute of retries), and the bake (150 testbed minutes) still has the old release running.
    let dir = echo_project(
        tb,
        &seeded,
        &format!("strategy = \"blue_green\"\nbake = \"150m\"\nurl = \"{production_url}/mcp\""),
    );
    not_mcp(tb, dir.path());
    let out = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(
        out.code, 3,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "rolled_back", "{report}");
    assert!(
        report["gate"].is_null(),
        "no gate without test_url: {report}"
    );
    assert_eq!(report["check"]["failed_step"], "initialize", "{report}");
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .starts_with("production traffic shifted but the MCP check"),
        "{report}"
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
    assert_eq!(
        http_get(&format!("{production_url}/version")).unwrap().1,
        "v1"
    );
}
