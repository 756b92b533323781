//! Several services in one project: `deploy --all`, `status --all`, `scale`.

use crate::image::{commit_all, fixture_project};
use crate::testbed::{self, Testbed, run};

/// Two services of seed 004's shape in one cluster, each with its own repository.
fn two_services(tb: &Testbed, prefix: &str) -> (tempfile::TempDir, String, [testbed::Seeded; 2]) {
    let cluster = testbed::unique(prefix);
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
                "--wait",
            ],
        );
        testbed::Seeded {
            name: service,
            json,
        }
    };
    let seeded = [seed("slack"), seed("workspace")];
    let services = format!(
        "\n[ecs]\ncluster = \"{cluster}\"\ncontainer = \"mcp\"\n\n[deploy]\ntimeout = \"90s\"\n\n\
         [services.slack]\necr = {{ repository = \"{a}\" }}\necs = {{ service = \"{a}\" }}\n\n\
         [services.workspace]\necr = {{ repository = \"{b}\" }}\necs = {{ service = \"{b}\" }}\n",
        a = seeded[0].name,
        b = seeded[1].name,
    );
    let dir = fixture_project(tb, &cluster, &services);
    (dir, cluster, seeded)
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn deploy_all_rolls_out_both_and_builds_once() {
    let tb = crate::testbed!();
    let (dir, cluster, seeded) = two_services(tb, "fleet");
    let before: Vec<String> = seeded
        .iter()
        .map(|s| tb.live_task_definition(&cluster, &s.name))
        .collect();

    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "--all", "--output", "json"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let entries = out.json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for (entry, (seed, old)) in entries.iter().zip(seeded.iter().zip(&before)) {
        assert_eq!(entry["status"], "succeeded", "{entry}");
        let live = tb.live_task_definition(&cluster, &seed.name);
        assert_ne!(&live, old);
        assert_eq!(
            live.rsplit('/').next().unwrap(),
            entry["revision"].as_str().unwrap()
        );
    }
    assert_eq!(entries[0]["name"], "slack");
    assert_eq!(entries[1]["name"], "workspace");
    // Same context and Dockerfile: one build, reused for the second service.
    assert_eq!(out.stderr.matches("Building").count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("[workspace]") && out.stderr.contains("Reusing"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("[slack]"),
        "lines are prefixed with the service: {}",
        out.stderr
    );

    // status --all agrees.
    let status = run(tb.mcp(dir.path()).args(["status", "--all", "-o", "json"]));
    assert_eq!(status.code, 0, "{}", status.stderr);
    let rows = status.json();
    for (row, entry) in rows.as_array().unwrap().iter().zip(entries) {
        assert_eq!(row["name"], entry["name"]);
        assert_eq!(row["status"]["revision"], entry["revision"]);
        assert_eq!(row["status"]["running"], 1);
        assert_eq!(row["status"]["rollout_state"], "COMPLETED");
    }
    let text = run(tb.mcp(dir.path()).args(["status", "--all"]));
    assert!(
        text.stdout.lines().count() == 3
            && text.stdout.contains("slack")
            && text.stdout.contains("1/1"),
        "{}",
        text.stdout
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn one_failing_service_is_rolled_back_while_the_other_succeeds() {
    let tb = crate::testbed!();
    let (dir, cluster, seeded) = two_services(tb, "fleetfail");
    // workspace's image exits at start (ENTRYPOINT: the seeded task sets `command`).
    std::fs::write(
        dir.path().join("Dockerfile.crash"),
        format!(
            "FROM {}\nENTRYPOINT [\"sh\", \"-c\", \"echo no credentials >&2; exit 5\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    let mut toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    toml = toml.replace(
        "[services.workspace]\n",
        "[services.workspace]\nbuild = { dockerfile = \"Dockerfile.crash\" }\n",
    );
    std::fs::write(dir.path().join("mcp.toml"), toml).unwrap();
    commit_all(dir.path());
    let workspace_before = tb.live_task_definition(&cluster, &seeded[1].name);

    // As in a GitHub Actions job: one annotation for the failed service, one
    // job summary for both (issue 15 item 4).
    let summary = dir.path().join("step-summary.md");
    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "slack", "workspace", "-o", "json"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary));
    assert_eq!(
        out.code, 3,
        "the worst of succeeded (0) and rolled back (3)\nstdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let entries = out.json();
    assert_eq!(entries[0]["name"], "slack");
    assert_eq!(entries[0]["status"], "succeeded");
    assert_eq!(entries[0]["exit_code"], 0);
    assert_eq!(entries[1]["name"], "workspace");
    assert_eq!(entries[1]["status"], "rolled_back");
    assert_eq!(entries[1]["exit_code"], 3);
    assert_eq!(
        tb.live_task_definition(&cluster, &seeded[1].name),
        workspace_before
    );
    assert_eq!(
        out.stderr.matches("Building").count(),
        2,
        "different Dockerfiles build apart: {}",
        out.stderr
    );
    let annotations: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{}", out.stderr);
    assert!(
        annotations[0].starts_with("::error title=mcp deploy workspace::")
            && annotations[0].contains("runs again"),
        "{}",
        annotations[0]
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    // Each service's cost line (written at its pre-flight, naming it), then the table.
    let (costs, table) = text
        .split_once("### mcp deploy: 2 services\n")
        .unwrap_or_else(|| panic!("no fleet table: {text}"));
    let mut costs: Vec<&str> = costs.lines().collect();
    costs.sort();
    assert_eq!(costs.len(), 2, "{text}");
    for (line, service) in costs.iter().zip(&seeded) {
        let head = format!("**Cost** of `{}` (this deploy): monthly ≈ $", service.name);
        assert!(line.starts_with(&head), "{line}");
    }
    let text = table;
    assert!(text.contains("| slack | ✅ succeeded |"), "{text}");
    assert!(text.contains("| workspace | ↩️ rolled back |"), "{text}");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn config_all_and_stage_apply_to_every_service() {
    let tb = crate::testbed!();
    let (dir, _cluster, _seeded) = two_services(tb, "fleetcfg");
    let mut toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    toml.push_str(
        "\n[stages.staging]\necs = { cluster = \"staging\" }\ndeploy = { timeout = \"5m\" }\n",
    );
    std::fs::write(dir.path().join("mcp.toml"), toml).unwrap();
    let out = run(tb
        .mcp(dir.path())
        .args(["config", "--all", "--stage", "staging", "-o", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let all = out.json();
    for item in all.as_array().unwrap() {
        let settings = item["config"]["settings"].as_array().unwrap();
        let get = |key: &str| settings.iter().find(|e| e["key"] == key).unwrap().clone();
        assert_eq!(get("ecs.cluster")["value"], "staging");
        assert!(
            get("ecs.cluster")["source"]
                .as_str()
                .unwrap()
                .ends_with("[stages.staging]")
        );
        assert_eq!(get("deploy.timeout")["value"], "5m");
    }
    assert_eq!(all[0]["name"], "slack");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn scale_takes_a_service_offline_and_back() {
    let tb = crate::testbed!();
    let (dir, cluster, seeded) = two_services(tb, "scale");
    let out = run(tb
        .mcp(dir.path())
        .args(["scale", "slack", "0", "-o", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let scaled = out.json();
    assert_eq!(scaled["desired"], 0);
    assert_eq!(scaled["running"], 0);
    assert_eq!(scaled["previous_desired"], 1);
    let ecs = tb.ecs();
    let running = |service: &str| {
        tb.block_on(async {
            ecs.describe_services()
                .cluster(&cluster)
                .services(service)
                .send()
                .await
                .unwrap()
                .services()[0]
                .running_count()
        })
    };
    assert_eq!(running(&seeded[0].name), 0);
    assert_eq!(
        running(&seeded[1].name),
        1,
        "the other service is untouched"
    );
    let back = run(tb.mcp(dir.path()).args(["scale", "slack", "2"]));
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert_eq!(running(&seeded[0].name), 2);
}

/// Issue 17: services sharing an image get one build, one tag and one push
/// per repository; each rolls out once its own image is ready.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn shared_image_is_pushed_once_per_repository() {
    let tb = crate::testbed!();
    let cluster = testbed::unique("fleetpush");
    let shared = format!("{cluster}-shared");
    let alone = format!("{cluster}-alone");
    let mut services = format!(
        "\n[ecs]\ncluster = \"{cluster}\"\ncontainer = \"mcp\"\n\n[deploy]\ntimeout = \"90s\"\n"
    );
    // Three services in `shared`, one in `alone`: two repositories, one image.
    let names = ["a", "b", "c", "d"];
    for name in names {
        let service = format!("{cluster}-{name}");
        let repository = if name == "d" { &alone } else { &shared };
        tb.python(
            "seed.py",
            &[
                "service",
                "--cluster",
                &cluster,
                "--service",
                &service,
                "--repository",
                repository,
                "--wait",
            ],
        );
        services.push_str(&format!(
            "\n[services.{name}]\necr = {{ repository = \"{repository}\" }}\necs = {{ service = \"{service}\" }}\n"
        ));
    }
    let dir = fixture_project(tb, &cluster, &services);

    let out = run(tb
        .mcp(dir.path())
        .args(["deploy", "--all", "--jobs", "4", "-o", "json"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let entries = out.json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let tag = |e: &serde_json::Value| {
        let image = e["image"].as_str().unwrap();
        let (name, _digest) = image.split_once('@').unwrap();
        name.rsplit_once(':').unwrap().1.to_string()
    };
    for entry in entries {
        assert_eq!(entry["status"], "succeeded", "{entry}");
        assert_eq!(
            tag(entry),
            tag(&entries[0]),
            "one tag for one image: {entry}"
        );
    }
    assert_eq!(out.stderr.matches("Building").count(), 1, "{}", out.stderr);
    // One push per repository (or a "Fresh" check when the tag is there).
    let pushes = out.stderr.matches(" Pushing ").count() + out.stderr.matches(" Fresh ").count();
    assert_eq!(pushes, 2, "one push per repository:\n{}", out.stderr);
    assert_eq!(
        out.stderr.matches("Sharing").count(),
        2,
        "the other services of `shared` share its push:\n{}",
        out.stderr
    );
    // The same digest in the shared repository for its three services.
    let digests: Vec<&str> = entries
        .iter()
        .filter(|e| e["name"] != "d")
        .map(|e| e["digest"].as_str().unwrap())
        .collect();
    assert!(digests.windows(2).all(|w| w[0] == w[1]), "{digests:?}");
}
