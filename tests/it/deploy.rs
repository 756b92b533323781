//! `mcp deploy`, `rollback`, `status` and `history` against the testbed's ECS,
//! whose rollouts run the tasks as real containers.

use std::process::Command;

use crate::image::{commit_all, fixture_project};
use crate::testbed::{Seeded, Testbed, run};

/// A project pointed at a seeded service, deploying into the seed's repository.
fn project(tb: &Testbed, seeded: &Seeded, extra_toml: &str) -> tempfile::TempDir {
    let config = format!(
        "\n[ecs]\ncluster = \"{}\"\nservice = \"{}\"\ncontainer = \"{}\"\n\n[deploy]\ntimeout = \"90s\"\n{extra_toml}",
        seeded.get("cluster"),
        seeded.get("service"),
        seeded.get("container"),
    );
    fixture_project(tb, &seeded.get("repository"), &config)
}

/// Make the project's server exit at start with `code`.
fn crash_on_start(tb: &Testbed, dir: &std::path::Path, code: i32) {
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            // ENTRYPOINT, since the seeded task definition sets `command` (which only replaces CMD).
            "FROM {}\nENTRYPOINT [\"sh\", \"-c\", \"echo starting up; echo fatal: missing DATABASE_URL >&2; exit {code}\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    commit_all(dir);
}

fn revision(arn: &str) -> String {
    arn.rsplit('/').next().unwrap().to_string()
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn deploy_rolls_out_a_new_revision_with_env_and_secrets_merged() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("deploy-ok", &[]);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let secrets = aws_sdk_secretsmanager::Client::new(&tb.sdk());
    let secret_arn = tb.block_on(async {
        let out = secrets
            .create_secret()
            .name(format!("/test/{}/api-key", seeded.name))
            .secret_string("s3cr3t-value")
            .send()
            .await
            .unwrap();
        out.arn().unwrap().to_string()
    });
    let dir = project(
        tb,
        &seeded,
        &format!(
            "\n[env]\nLOG_LEVEL = \"DEBUG\"\nNEW_SETTING = \"on\"\n\n[secrets]\nAPI_KEY = \"{secret_arn}\"\n"
        ),
    );
    commit_all(dir.path());

    let out = run(tb.mcp(dir.path()).args(["deploy", "--output", "json"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    for key in [
        "status",
        "cluster",
        "service",
        "revision",
        "previous_revision",
        "image",
        "digest",
        "deployment_id",
        "duration_s",
        "reason",
    ] {
        assert!(report.get(key).is_some(), "`{key}` missing from {report}");
    }
    assert_eq!(report["status"], "succeeded");
    assert_eq!(report["previous_revision"], revision(&before));

    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    assert_eq!(
        revision(&live),
        report["revision"].as_str().unwrap(),
        "the service runs the new revision"
    );
    let old = tb.task_definition(&before);
    let new = tb.task_definition(&live);
    let container = &new.container_definitions()[0];
    assert_eq!(
        container.image(),
        report["image"].as_str(),
        "the image is referred to by digest"
    );
    assert!(container.image().unwrap().contains("@sha256:"));
    let env: Vec<(String, String)> = container
        .environment()
        .iter()
        .map(|kv| {
            (
                kv.name().unwrap().to_string(),
                kv.value().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        env.contains(&("LOG_LEVEL".into(), "DEBUG".into())),
        "declared keys win: {env:?}"
    );
    assert!(
        env.contains(&("NEW_SETTING".into(), "on".into())),
        "{env:?}"
    );
    for kv in old.container_definitions()[0].environment() {
        if kv.name() != Some("LOG_LEVEL") {
            assert!(
                env.iter().any(|(k, _)| Some(k.as_str()) == kv.name()),
                "seed variable {:?} dropped: {env:?}",
                kv.name()
            );
        }
    }
    let secret = container
        .secrets()
        .iter()
        .find(|s| s.name() == "API_KEY")
        .expect("secret wired in");
    assert_eq!(secret.value_from(), secret_arn);
    // Everything else is as it was.
    assert_eq!(new.cpu(), old.cpu());
    assert_eq!(new.memory(), old.memory());
    assert_eq!(new.execution_role_arn(), old.execution_role_arn());
    assert_eq!(new.task_role_arn(), old.task_role_arn());
    assert_eq!(new.network_mode(), old.network_mode());
    assert_eq!(
        new.requires_compatibilities(),
        old.requires_compatibilities()
    );
    assert_eq!(
        container.log_configuration(),
        old.container_definitions()[0].log_configuration()
    );
    assert_eq!(
        container.port_mappings(),
        old.container_definitions()[0].port_mappings()
    );
    assert_eq!(
        container.command(),
        old.container_definitions()[0].command()
    );
    // The secret's value went nowhere near the output.
    assert!(!out.stdout.contains("s3cr3t-value") && !out.stderr.contains("s3cr3t-value"));
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn server_that_exits_on_start_is_rolled_back_with_its_exit_code_shown() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("deploy-crash", &[]);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = project(tb, &seeded, "");
    crash_on_start(tb, dir.path(), 3);

    let out = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(
        out.code, 3,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "rolled_back");
    assert_eq!(report["live_revision"], revision(&before));
    assert!(
        out.stderr.contains("Essential container in task exited"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("exited 3"), "{}", out.stderr);
    let stopped = report["stopped_tasks"].as_array().unwrap();
    assert!(!stopped.is_empty());
    assert_eq!(stopped[0]["containers"][0]["exit_code"], 3);
    // The failed task's last log lines come with the failure.
    let logs = report["failed_task_logs"]
        .as_array()
        .expect("failed task logs in the report");
    assert!(
        logs.iter().any(|l| l["lines"]
            .to_string()
            .contains("fatal: missing DATABASE_URL")),
        "{report}"
    );
    assert!(
        out.stderr.contains("| fatal: missing DATABASE_URL"),
        "{}",
        out.stderr
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before,
        "the previous release runs again"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn image_that_cannot_be_pulled_is_rolled_back() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("deploy-nopull", &[]);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = project(tb, &seeded, "");
    // An image ECR lists but the registry cannot serve: recorded straight in ECR
    // with a manifest whose blobs were never uploaded.
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7, "digest": format!("sha256:{}", "1".repeat(64))},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 9, "digest": format!("sha256:{}", "2".repeat(64))}]
    })
    .to_string();
    let ecr = aws_sdk_ecr::Client::new(&tb.sdk());
    let repository = seeded.get("repository");
    tb.block_on(async {
        ecr.put_image()
            .repository_name(&repository)
            .image_manifest(manifest)
            .image_tag("ghost")
            .send()
            .await
            .unwrap()
    });
    let image = format!("{}/{repository}:ghost", tb.var("MCP_TESTBED_REGISTRY"));
    let image = image.as_str();

    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "--image", image, "-o", "json"]));
    assert_eq!(
        out.code, 3,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains("CannotPullContainerError"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["status"], "rolled_back");
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn rollback_returns_to_the_previous_release_and_history_and_status_agree() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("rollback", &[]);
    let first = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = project(tb, &seeded, "");
    commit_all(dir.path());
    let deployed = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let deployed = deployed.json();

    // status and history describe what runs.
    let status = run(tb.mcp(dir.path()).args(["status", "-o", "json"]));
    assert_eq!(status.code, 0, "{}", status.stderr);
    let status = status.json();
    assert_eq!(status["revision"], deployed["revision"]);
    assert_eq!(status["image"], deployed["image"]);
    assert_eq!(status["digest"], deployed["digest"]);
    assert_eq!(status["running"], 1);
    assert_eq!(status["rollout_state"], "COMPLETED");
    let git_sha = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(status["git_sha"], git_sha.trim());

    let history = run(tb.mcp(dir.path()).args(["history", "-o", "json"]));
    assert_eq!(history.code, 0, "{}", history.stderr);
    let history = history.json();
    let releases = history["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 2);
    assert_eq!(releases[0]["live"], true, "newest first, and live");
    assert_eq!(
        format!(
            "{}:{}",
            history["family"].as_str().unwrap(),
            releases[0]["revision"]
        ),
        deployed["revision"].as_str().unwrap()
    );
    assert_eq!(releases[0]["git_sha"], git_sha.trim());
    assert!(releases[0]["completed_at"].is_string());
    assert_eq!(releases[1]["live"], false);

    let rolled = run(tb.mcp(dir.path()).args(["rollback", "-o", "json"]));
    assert_eq!(rolled.code, 0, "{}", rolled.stderr);
    let rolled = rolled.json();
    assert_eq!(rolled["status"], "succeeded");
    assert_eq!(rolled["revision"], revision(&first));
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        first
    );

    // And forward again, by revision number.
    let number = deployed["revision"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let forward = run(tb
        .mcp(dir.path())
        .args(["rollback", "--to", &number, "-o", "json"]));
    assert_eq!(forward.code, 0, "{}", forward.stderr);
    assert_eq!(forward.json()["revision"], deployed["revision"]);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn dry_run_shows_the_changes_and_changes_nothing() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("dryrun", &[]);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = project(tb, &seeded, "\n[env]\nLOG_LEVEL = \"DEBUG\"\n");
    commit_all(dir.path());
    let out = run(tb.mcp(dir.path()).args(["deploy", "--dry-run"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("~ image:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("~ env LOG_LEVEL:") && out.stdout.contains("\"DEBUG\""),
        "{}",
        out.stdout
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        before
    );
    let ecs = tb.ecs();
    let family = revision(&before).split(':').next().unwrap().to_string();
    let count = tb.block_on(async {
        ecs.list_task_definitions()
            .family_prefix(&family)
            .send()
            .await
            .unwrap()
            .task_definition_arns()
            .len()
    });
    assert_eq!(count, 1, "no revision registered");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn refuses_while_another_deployment_is_in_flight_and_times_out_with_exit_4() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("busy", &[]);
    // From now on rollouts here take 60 s: the first deploy is still in flight when the second starts.
    let ecs = tb.ecs();
    tb.block_on(async {
        let service = ecs
            .describe_services()
            .cluster(seeded.get("cluster"))
            .services(seeded.get("service"))
            .send()
            .await
            .unwrap();
        let arn = service.services()[0].service_arn().unwrap().to_string();
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
    let dir = project(tb, &seeded, "");
    commit_all(dir.path());
    let started = run(tb
        .mcp(dir.path())
        .args(["deploy", "--no-wait", "-o", "json"]));
    assert_eq!(started.code, 0, "{}", started.stderr);
    assert_eq!(started.json()["status"], "started");

    let refused = run(tb.mcp(dir.path()).args(["deploy"]));
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("another deployment of"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("hint: wait for it with `mcp status --wait`, or pass --force"),
        "{}",
        refused.stderr
    );

    // Forced, with a deadline far shorter than the rollout, and rollback off: exit 4.
    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "--force", "--timeout", "3s", "-o", "json"])
        .env("MCP_ROLLBACK", "never"));
    assert_eq!(
        out.code, 4,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "failed");
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("did not complete within 3s"),
        "{report}"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn init_from_service_reads_the_live_service() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("init-from", &[]);
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("{}/{}", seeded.get("cluster"), seeded.get("service"));
    let out = run(tb
        .mcp(dir.path())
        .args(["init", "--from-service", &spec, "-o", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let answers = out.json();
    assert_eq!(answers["cluster"], seeded.get("cluster").as_str());
    assert_eq!(answers["service"], seeded.get("service").as_str());
    assert_eq!(answers["region"], tb.region().as_str());
    assert_eq!(answers["container"], seeded.get("container").as_str());
    assert_eq!(answers["repository"], seeded.get("repository").as_str());
    assert_eq!(answers["log_group"], seeded.get("log_group").as_str());
    // The file it wrote resolves, and doctor agrees with it.
    let doctor = run(tb.mcp(dir.path()).args(["doctor", "-o", "json"]));
    let report = doctor.json();
    for check in report["checks"].as_array().unwrap() {
        // A seeded service was never deployed by mcp: it lacks the cost tags (docs/cost.md).
        let expected = if check["name"] == "cost tags" {
            "warning"
        } else {
            "ok"
        };
        if check["name"] != "config" {
            assert_eq!(check["outcome"], expected, "{check}");
        }
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn an_ecs_deploy_checks_the_mcp_url_and_a_failing_check_rolls_back() {
    let tb = crate::testbed!();
    // The echo server on loopback stands in for the load balancer in front of the service.
    let echo = crate::check::Server::echo(None);
    let seeded = tb.seed_service("deploy-check", &[]);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = project(tb, &seeded, &format!("url = \"{}\"\n", echo.url("/mcp")));
    commit_all(dir.path());
    let ok = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let report = ok.json();
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert_eq!(report["check"]["tools"], serde_json::json!(["add", "echo"]));
    let good = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    assert_ne!(good, before);

    // Now the "load balancer" answers, but not MCP: the deploy counts as failed.
    let plain = crate::check::Server::plain_http();
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml"))
        .unwrap()
        .replace(&echo.url("/mcp"), &plain.url("/mcp"));
    std::fs::write(dir.path().join("mcp.toml"), toml).unwrap();
    std::fs::write(dir.path().join("server.sh"), "echo v3\n").unwrap();
    commit_all(dir.path());
    let failed = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(failed.code, 3, "{}\n{}", failed.stdout, failed.stderr);
    let report = failed.json();
    assert_eq!(report["status"], "rolled_back");
    assert_eq!(report["check"]["failed_step"], "initialize");
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("MCP check failed at initialize"),
        "{report}"
    );
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        good
    );
}
