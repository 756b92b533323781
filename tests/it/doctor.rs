//! `mcp doctor` against the testbed.

use crate::testbed::run;

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn every_check_passes_on_the_testbed() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("doctor", &[]);
    let dir = seeded.project(tb);
    let out = run(tb.mcp(dir.path()).args(["doctor", "--output", "json"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["healthy"], true);
    let checks = report["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "config",
            "docker engine",
            "aws credentials",
            "ecr repository",
            "ecs cluster",
            "ecs service",
            "cost tags",
            "container",
            "log group",
            "mcp on PATH"
        ]
    );
    for check in checks {
        // A seeded service was never deployed by mcp: it lacks the cost tags (docs/cost.md).
        let expected = if check["name"] == "cost tags" {
            "warning"
        } else {
            "ok"
        };
        assert_eq!(check["outcome"], expected, "{check}");
    }
    let detail = |name: &str| {
        checks.iter().find(|c| c["name"] == name).unwrap()["detail"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        detail("docker engine").contains("API 1."),
        "{}",
        detail("docker engine")
    );
    assert!(detail("aws credentials").contains(&tb.var("MCP_TESTBED_ACCOUNT")));
    assert_eq!(detail("log group"), seeded.get("log_group"));
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn unreachable_engine_fails_the_docker_check_with_its_hint() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("doctor-nodocker", &[]);
    let dir = seeded.project(tb);
    let out = run(tb
        .mcp(dir.path())
        .arg("doctor")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock"));
    assert_eq!(
        out.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let docker_line = out
        .stdout
        .lines()
        .find(|l| l.contains("docker engine"))
        .unwrap();
    assert!(docker_line.starts_with("FAIL"), "{docker_line}");
    assert!(
        docker_line.contains("unix:///nonexistent/docker.sock"),
        "{docker_line}"
    );
    assert!(out.stdout.contains("hint: start Docker"), "{}", out.stdout);
    // The AWS side is still checked and fine: only the engine is at fault.
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("ok") && l.contains("ecs service")),
        "{}",
        out.stdout
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn missing_service_fails_and_skips_what_depends_on_it() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("doctor-nosvc", &[]);
    let dir = seeded.project(tb);
    let out = run(tb
        .mcp(dir.path())
        .args(["doctor", "-o", "json"])
        .env("MCP_SERVICE", "no-such-service"));
    assert_eq!(out.code, 1);
    let report = out.json();
    let outcome = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["outcome"]
            .clone()
    };
    assert_eq!(outcome("ecs service"), "failed");
    assert_eq!(outcome("container"), "skipped");
    assert_eq!(outcome("log group"), "skipped");
}
