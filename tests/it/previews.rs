//! Preview deployments on the testbed (issue 24): `mcp deploy --preview` makes
//! an Express service per preview, each answering MCP at its own URL;
//! `mcp previews` lists them from their tags alone; `prune --older-than`
//! removes only the old one; `destroy --preview` the other; nothing the
//! previews made is left. Also the cap (`preview.max`), a name that needs
//! slugging, an interrupted first deploy carried on, and the local target's
//! preview run through the action's `run` step (job summary row, `url` output).
//!
//! A preview's age is what its `mcp:preview-deployed-at` tag says: the test
//! makes one old by writing that tag through the ECS API, as any tool could.

use std::path::Path;
use std::process::Command;

use crate::express::{Syncing, describe, echo_clone, mcp};
use crate::image::commit_all;
use crate::testbed::{self, Output, Testbed, run};

/// echo-server as a project of its own name, with `[preview] max = 2` and a
/// `[stages.preview]` that sets a variable.
fn project() -> (tempfile::TempDir, String) {
    let dir = echo_clone();
    let name = testbed::unique("prev");
    let toml = dir.path().join("mcp.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("name = \"echo-server\"\n"), "{text}");
    let text = text.replace("name = \"echo-server\"\n", &format!("name = \"{name}\"\n"));
    std::fs::write(
        &toml,
        format!(
            "{text}\n[preview]\nmax = 2\n\n[stages.preview]\nenv = {{ GREETING = \"preview\" }}\n"
        ),
    )
    .unwrap();
    commit_all(dir.path());
    (dir, name)
}

fn service_arn(tb: &Testbed, service: &str) -> String {
    format!(
        "arn:aws:ecs:{}:{}:service/default/{service}",
        tb.region(),
        tb.var("MCP_TESTBED_ACCOUNT")
    )
}

fn status_of(tb: &Testbed, service: &str) -> Option<String> {
    describe(tb, &service_arn(tb, service)).map(|s| {
        s.status()
            .and_then(|s| s.status_code())
            .map(|c| c.as_str().to_string())
            .unwrap_or_default()
    })
}

fn log_group_exists(tb: &Testbed, group: &str) -> bool {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&tb.sdk());
    let out = tb
        .block_on(
            logs.describe_log_groups()
                .log_group_name_prefix(group)
                .send(),
        )
        .unwrap();
    out.log_groups()
        .iter()
        .any(|g| g.log_group_name() == Some(group))
}

/// Removes every preview of the project (and its repository and images) when
/// dropped, passing or not: nothing stays on the shared testbed.
struct Cleanup<'a> {
    tb: &'a Testbed,
    dir: &'a Path,
    name: String,
    previews: Vec<&'static str>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for preview in &self.previews {
            let _ = run(self.tb.mcp(self.dir).args([
                "destroy",
                "--preview",
                preview,
                "--all-resources",
                "--yes",
                "-q",
            ]));
        }
        let ecr = aws_sdk_ecr::Client::new(&self.tb.sdk());
        let _ = self.tb.block_on(
            ecr.delete_repository()
                .repository_name(&self.name)
                .force(true)
                .send(),
        );
        if let Ok(listed) = Command::new("docker")
            .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .output()
        {
            let ours: Vec<String> = String::from_utf8_lossy(&listed.stdout)
                .lines()
                .filter(|i| i.contains(&self.name))
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
}

fn check_url(tb: &Testbed, dir: &Path, url: &str) -> Output {
    run(tb.mcp(dir).args(["check", "--url", url, "-o", "json"]))
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn two_previews_answer_at_two_urls_are_listed_pruned_by_age_and_destroyed_leaving_nothing() {
    let tb = crate::testbed!();
    let (dir, name) = project();
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: name.clone(),
        previews: vec!["pr-1", "feature-login-page"],
    };

    // Two previews; the second's name needs slugging.
    let first = mcp(
        tb,
        dir.path(),
        &["deploy", "--preview", "pr-1", "--yes", "-o", "json"],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let first = first.json();
    assert_eq!(first["status"], "succeeded", "{first}");
    assert_eq!(first["check"]["healthy"], true, "{first}");
    assert_eq!(first["service"], format!("{name}-pr-1").as_str());
    let url1 = first["preview_url"].as_str().unwrap().to_string();

    let second = mcp(
        tb,
        dir.path(),
        &[
            "deploy",
            "--preview",
            "Feature/Login_Page",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("\"mcpServers\""),
        "{}",
        second.stderr
    );
    let second = second.json();
    let service2 = format!("{name}-feature-login-page");
    assert_eq!(second["service"], service2.as_str(), "{second}");
    let url2 = second["preview_url"].as_str().unwrap().to_string();
    assert_ne!(url1, url2, "each preview has its own URL");
    for url in [&url1, &url2] {
        let checked = check_url(tb, dir.path(), url);
        assert_eq!(checked.code, 0, "{url}: {}", checked.stderr);
        assert_eq!(checked.json()["tools"], serde_json::json!(["add", "echo"]));
    }
    // [stages.preview] applies; one task unless set.
    let service = describe(tb, &service_arn(tb, &service2)).unwrap();
    let config = &service.active_configurations()[0];
    let env = config.primary_container().unwrap().environment();
    assert!(
        env.iter()
            .any(|kv| kv.name() == Some("GREETING") && kv.value() == Some("preview")),
        "{env:?}"
    );
    let scaling = config.scaling_target().unwrap();
    assert_eq!(
        (scaling.min_task_count(), scaling.max_task_count()),
        (Some(1), Some(1))
    );

    // A later deploy updates the preview in place: a new revision, same URL.
    let toml = dir.path().join("mcp.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("GREETING = \"preview\"", "GREETING = \"again\""),
    )
    .unwrap();
    commit_all(dir.path());
    let updated = mcp(
        tb,
        dir.path(),
        &["deploy", "--preview", "pr-1", "--yes", "-o", "json"],
    );
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    assert!(updated.stderr.contains("Updating"), "{}", updated.stderr);
    let updated = updated.json();
    assert_eq!(updated["preview_url"], url1.as_str());
    assert_ne!(updated["revision"], first["revision"], "{updated}");

    // The cap: a third preview is refused, naming the oldest.
    let refused = mcp(tb, dir.path(), &["deploy", "--preview", "pr-3", "--yes"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("preview.max = 2")
            && refused
                .stderr
                .contains("the oldest is `feature-login-page`"),
        "{}",
        refused.stderr
    );
    assert!(status_of(tb, &format!("{name}-pr-3")).is_none());

    // The list, from the tags alone, with the verdicts.
    let listed = run(tb
        .mcp(dir.path())
        .args(["previews", "--check", "-o", "json"]));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed = listed.json();
    let previews = listed["previews"].as_array().unwrap();
    let names: Vec<&str> = previews
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{listed}");
    assert!(
        names.contains(&"pr-1") && names.contains(&"feature-login-page"),
        "{listed}"
    );
    for p in previews {
        assert_eq!(p["check"]["healthy"], true, "{p}");
        assert!(
            p["git_sha"].is_string() && p["created_at"].is_string(),
            "{p}"
        );
        assert_eq!(p["running"], 1, "{p}");
    }
    let text = run(tb.mcp(dir.path()).args(["previews"]));
    assert!(text.stdout.contains(&url2), "{}", text.stdout);

    // pr-1 was last deployed long ago, as its tag now says.
    let ecs = tb.ecs();
    tb.block_on(
        ecs.tag_resource()
            .resource_arn(service_arn(tb, &format!("{name}-pr-1")))
            .tags(
                aws_sdk_ecs::types::Tag::builder()
                    .key("mcp:preview-deployed-at")
                    .value("2020-01-01T00:00:00Z")
                    .build(),
            )
            .send(),
    )
    .unwrap();
    let dry = run(tb.mcp(dir.path()).args([
        "previews",
        "prune",
        "--older-than",
        "7d",
        "--dry-run",
        "-o",
        "json",
    ]));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(dry.json()["removed"][0]["name"], "pr-1", "{}", dry.stdout);
    assert_eq!(
        status_of(tb, &format!("{name}-pr-1")).as_deref(),
        Some("ACTIVE")
    );
    let pruned = run(tb.mcp(dir.path()).args([
        "previews",
        "prune",
        "--older-than",
        "7d",
        "--yes",
        "-o",
        "json",
    ]));
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    let pruned = pruned.json();
    assert_eq!(pruned["removed"].as_array().unwrap().len(), 1, "{pruned}");
    assert_eq!(pruned["kept"], serde_json::json!(["feature-login-page"]));
    assert_eq!(
        status_of(tb, &format!("{name}-pr-1")).as_deref(),
        Some("INACTIVE")
    );
    assert_eq!(status_of(tb, &service2).as_deref(), Some("ACTIVE"));

    // destroy --preview takes the other, by its unslugged name too.
    let destroyed = run(tb.mcp(dir.path()).args([
        "destroy",
        "--preview",
        "Feature/Login_Page",
        "--all-resources",
        "--yes",
        "-o",
        "json",
    ]));
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert_eq!(destroyed.json()["status"], "destroyed");

    // Nothing the previews made is left: services, log groups, URLs.
    for service in [format!("{name}-pr-1"), service2] {
        assert_eq!(status_of(tb, &service).as_deref(), Some("INACTIVE"));
        assert!(
            !log_group_exists(tb, &format!("/aws/ecs/default/{service}")),
            "log group of {service}"
        );
    }
    for url in [&url1, &url2] {
        let gone = Command::new("curl")
            .args(["-fsS", "--max-time", "3", &url.replace("/mcp", "/healthz")])
            .output()
            .unwrap();
        assert!(!gone.status.success(), "{url} still answers");
    }
    let empty = run(tb.mcp(dir.path()).args(["previews", "-o", "json"]));
    assert_eq!(empty.json()["previews"], serde_json::json!([]));
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn an_interrupted_first_preview_deploy_is_carried_on_by_running_it_again() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let tb = crate::testbed!();
    let (dir, name) = project();
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: name.clone(),
        previews: vec!["pr-9"],
    };
    let service = format!("{name}-pr-9");
    let mut child = {
        let _sync = Syncing::start(tb, Some(&name));
        let mut child = tb
            .mcp(dir.path())
            .args(["deploy", "--preview", "pr-9", "--yes"])
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
        assert!(
            seen.contains("Deploying"),
            "the deploy ended early:\n{seen}"
        );
        child
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status_of(tb, &service).as_deref(), Some("ACTIVE"));

    let again = mcp(
        tb,
        dir.path(),
        &["deploy", "--preview", "pr-9", "--yes", "-o", "json"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("already runs this image; carrying on"),
        "{}",
        again.stderr
    );
    let report = again.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert_eq!(
        report["revision"],
        format!("{service}:1").as_str(),
        "the same release, not a second one"
    );
}

/// The `run:` script of action.yml's step `id`, as written there.
fn action_step(id: &str) -> String {
    let action =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let mut lines = action
        .lines()
        .skip_while(|l| l.trim() != format!("- id: {id}"))
        .skip_while(|l| l.trim() != "run: |");
    let header = lines.next().expect("the step has a `run: |`");
    let indent = header.len() - header.trim_start().len() + 2;
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_local_preview_runs_beside_through_the_action_with_its_url_in_the_summary_and_outputs() {
    let tb = crate::testbed!();
    let (dir, name) = project();
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: name.clone(),
        previews: Vec::new(),
    };
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs");
    let script = dir.path().join("step.sh");
    std::fs::write(&script, action_step("run")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("mcp");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The step as GitHub runs it, in a pull request's job (NAME defaults to pr-7).
    let out = run(Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(dir.path())
        .envs(&tb.env)
        .env("NO_COLOR", "1")
        .env("CI", "true")
        .env("PATH", &path)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_REF", "refs/pull/7/merge")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("INPUT_RUN", "--stage local deploy --preview -o json"));
    let destroy = || {
        run(tb.mcp(dir.path()).args([
            "--stage",
            "local",
            "destroy",
            "--preview",
            "pr-7",
            "--yes",
            "-o",
            "json",
        ]))
    };
    if out.code != 0 {
        destroy();
        panic!("{}\n{}", out.stdout, out.stderr);
    }
    let report = out.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    let url = report["preview_url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );
    assert_ne!(
        url, "http://127.0.0.1:8000/mcp",
        "its own port, not the main one"
    );
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert_eq!(written, format!("url={url}\n"));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains("| reason | url |"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("✅ succeeded") && l.trim_end().ends_with(&format!("`{url}` |"))),
        "{text}"
    );

    let listed = run(tb
        .mcp(dir.path())
        .args(["--stage", "local", "previews", "--check", "-o", "json"]));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed = listed.json();
    assert_eq!(listed["previews"][0]["name"], "pr-7", "{listed}");
    assert_eq!(listed["previews"][0]["url"], url.as_str(), "{listed}");
    assert_eq!(listed["previews"][0]["check"]["healthy"], true, "{listed}");

    let destroyed = destroy();
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert_eq!(destroyed.json()["status"], "destroyed");
    let empty = run(tb
        .mcp(dir.path())
        .args(["--stage", "local", "previews", "-o", "json"]));
    assert_eq!(empty.json()["previews"], serde_json::json!([]));
    let containers = Command::new("docker")
        .args(["ps", "-a", "--format", "{{.Names}}"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&containers.stdout).contains(&format!("{name}-preview")),
        "the container is gone"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_project_on_a_classic_service_gets_an_express_preview_built_from_its_task_definition() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("prevclassic", &[]);
    let dir = echo_clone();
    let seeded_toml = seeded.project(tb);
    let toml = std::fs::read_to_string(seeded_toml.path().join("mcp.toml")).unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!("{toml}\n[env]\nALLOWED_HOSTS = \"localhost,127.0.0.1\"\n"),
    )
    .unwrap();
    commit_all(dir.path());
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: seeded.name.clone(),
        previews: vec!["pr-5"],
    };
    let cluster = seeded.get("cluster");
    let deployed = mcp(
        tb,
        dir.path(),
        &["deploy", "--preview", "pr-5", "--yes", "-o", "json"],
    );
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    assert!(
        deployed
            .stderr
            .contains("built from the task definition of ECS service"),
        "{}",
        deployed.stderr
    );
    let report = deployed.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    assert_eq!(report["cluster"], cluster.as_str());
    // The classic service's container: its variables (and [env] on top), in the same cluster.
    let arn = format!(
        "arn:aws:ecs:{}:{}:service/{cluster}/{}-pr-5",
        tb.region(),
        tb.var("MCP_TESTBED_ACCOUNT"),
        seeded.get("service")
    );
    let service = describe(tb, &arn).expect("the preview is an Express service");
    let container = service.active_configurations()[0]
        .primary_container()
        .unwrap();
    let env = container.environment();
    for (key, value) in [
        ("APP_ENV", "testbed"),
        ("ALLOWED_HOSTS", "localhost,127.0.0.1"),
    ] {
        assert!(
            env.iter()
                .any(|kv| kv.name() == Some(key) && kv.value() == Some(value)),
            "{key}: {env:?}"
        );
    }
    assert_eq!(container.container_port(), Some(8000));
    // The classic service itself is untouched.
    assert_eq!(
        tb.live_task_definition(&cluster, &seeded.get("service")),
        seeded.get("task_definition_arn")
    );
    let destroyed =
        run(tb
            .mcp(dir.path())
            .args(["destroy", "--preview", "pr-5", "--all-resources", "--yes"]));
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
}
