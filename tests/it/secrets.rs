//! `mcp secrets`: values to Secrets Manager, references to mcp.toml, wired by the next deploy.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::image::{commit_all, fixture_project};
use crate::testbed::run;

const VALUE: &str = "sk-live-4f8a9c0e-never-print-me";

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_secret_set_through_mcp_reaches_the_task_as_value_from_and_nowhere_else() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("secrets", &[]);
    let config = format!(
        "\n# the service seed 001 describes\n[ecs]\ncluster = \"{}\"\nservice = \"{}\"\ncontainer = \"mcp\"\n\n[deploy]\ntimeout = \"90s\"\n",
        seeded.get("cluster"),
        seeded.get("service")
    );
    let dir = fixture_project(tb, &seeded.get("repository"), &config);

    // The value comes on stdin, as from a password manager or a CI secret.
    let mut child = tb
        .mcp(dir.path())
        .args(["secrets", "set", "API_KEY", "-vv", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{VALUE}\n").as_bytes())
        .unwrap();
    let set = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&set.stdout),
        String::from_utf8_lossy(&set.stderr),
    );
    assert!(set.status.success(), "{stderr}");
    assert!(
        !stdout.contains(VALUE) && !stderr.contains(VALUE),
        "the value was printed"
    );
    let stored: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let arn = stored["arn"].as_str().unwrap().to_string();
    assert_eq!(
        stored["secret_name"],
        format!("/default/mcp/{}/API_KEY", seeded.get("repository"))
    );

    // mcp.toml got the reference and kept the user's comment.
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    assert!(toml.contains("# the service seed 001 describes"), "{toml}");
    assert!(
        toml.contains(&format!("[secrets]\nAPI_KEY = \"{arn}\"")),
        "{toml}"
    );
    assert!(!toml.contains(VALUE));

    let list = run(tb.mcp(dir.path()).args(["secrets", "list", "-o", "json"]));
    assert_eq!(list.code, 0, "{}", list.stderr);
    let listed = list.json();
    let entry = listed["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "API_KEY")
        .unwrap()
        .clone();
    assert_eq!(entry["arn"], arn.as_str());
    assert_eq!(entry["referenced"], true);
    assert!(entry["last_changed"].is_string());
    assert!(!list.stdout.contains(VALUE));

    commit_all(dir.path());
    let deployed = run(tb.mcp(dir.path()).args(["deploy", "-vv", "-o", "json"]));
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    assert!(
        !deployed.stdout.contains(VALUE) && !deployed.stderr.contains(VALUE),
        "the value was printed"
    );
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let definition = tb.task_definition(&live);
    let secret = definition.container_definitions()[0]
        .secrets()
        .iter()
        .find(|s| s.name() == "API_KEY")
        .unwrap()
        .clone();
    assert_eq!(secret.value_from(), arn);

    // ECS (the testbed) injected it into the running container: the wiring is real.
    let ps = Command::new("docker")
        .args([
            "ps",
            "-q",
            "--filter",
            &format!("label=mcp-testbed.service={}", seeded.get("service")),
        ])
        .output()
        .unwrap();
    let container = String::from_utf8_lossy(&ps.stdout)
        .lines()
        .next()
        .expect("a running task container")
        .to_string();
    let env = Command::new("docker")
        .args(["exec", &container, "env"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&env.stdout).contains(&format!("API_KEY={VALUE}")));

    // No log line carries it.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&tb.sdk());
    let events = tb.block_on(async {
        logs.filter_log_events()
            .log_group_name(seeded.get("log_group"))
            .send()
            .await
            .unwrap()
    });
    assert!(!events.events().is_empty());
    assert!(
        events
            .events()
            .iter()
            .all(|e| !e.message().unwrap_or_default().contains(VALUE))
    );

    let removed = run(tb.mcp(dir.path()).args(["secrets", "rm", "API_KEY"]));
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(
        !std::fs::read_to_string(dir.path().join("mcp.toml"))
            .unwrap()
            .contains("API_KEY")
    );

    // The next deploy drops the reference too (its secret is deleted).
    commit_all(dir.path());
    let again = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(again.code, 0, "{}", again.stderr);
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let definition = tb.task_definition(&live);
    assert!(
        definition.container_definitions()[0]
            .secrets()
            .iter()
            .all(|s| s.name() != "API_KEY")
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_secret_set_for_a_stage_goes_into_that_stage_table() {
    let tb = crate::testbed!();
    let dir = fixture_project(
        tb,
        &crate::testbed::unique("stagesecret"),
        "\n[stages.production]\necs = { cluster = \"prod\" }\n",
    );
    let mut child = tb
        .mcp(dir.path())
        .args(["secrets", "set", "JWT_SECRET", "--stage", "production"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"jwt-value").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    assert!(
        toml.contains("[stages.production.secrets]\nJWT_SECRET = \"arn:aws:secretsmanager:"),
        "{toml}"
    );
    assert!(toml.contains(":secret:/production/mcp/"), "{toml}");
}
