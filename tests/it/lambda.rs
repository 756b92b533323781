//! The Lambda target against the testbed's Lambda simulator, which runs each
//! published version's image as real containers behind real function URLs
//! (tests/testbed/lambda_sim.py): `mcp deploy` builds examples/echo-server
//! with the adapter added, updates the function, publishes a version, gates
//! it on the `candidate` URL and moves `live`; a version that fails the
//! gate (not MCP, a missing tool, a session kept in memory) never gets `live`;
//! an update Lambda refuses ends the deploy with its reason; a canary whose
//! version fails requests is rolled back; `mcp rollback` moves `live` back;
//! no secret value reaches the function's configuration; a function made
//! without `mcp`'s cost allocation tags gets them on deploy, and `mcp doctor`
//! names them until then.
//!
//! The function itself is made here with the SDK, as a team that owns it in
//! Terraform would have it (`mcp launch` making it is tests/it/lambda_launch.rs).

use std::path::Path;
use std::time::Duration;

use crate::image::{commit_all, git};
use crate::testbed::{Output, Testbed, run, unique};

/// A project deploying examples/echo-server to the Lambda function `name`.
struct Project {
    dir: tempfile::TempDir,
    name: String,
}

impl Project {
    fn new(tb: &Testbed, extra: &str) -> Project {
        let name = unique("lam");
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
        let project = Project { dir, name };
        project.write(tb, extra);
        git(project.dir.path(), &["init", "-q"]);
        commit_all(project.dir.path());
        project
    }

    /// mcp.toml: a Lambda stage of this function, plus `extra` (TOML appended).
    fn write(&self, tb: &Testbed, extra: &str) {
        std::fs::write(
            self.dir.path().join("mcp.toml"),
            format!(
                "name = \"{name}\"\nregion = \"{region}\"\ntarget = \"lambda\"\n\n\
                 [ecr]\nrepository = \"{name}\"\ncreate = true\n\n\
                 [lambda]\nfunction = \"{name}\"\nmemory = 256\ntimeout = \"30s\"\n\
                 adapter_image = \"{adapter}\"\n\n\
                 [deploy]\ntimeout = \"120s\"\n\n{extra}\n",
                name = self.name,
                region = tb.region(),
                adapter = tb.var("MCP_TESTBED_LAMBDA_ADAPTER_IMAGE"),
            ),
        )
        .unwrap();
    }

    fn mcp(&self, tb: &Testbed, args: &[&str]) -> Output {
        run(tb.mcp(self.dir.path()).args(args))
    }

    /// Add `keys` (`key = value` lines) to mcp.toml's `[lambda]` table and commit:
    /// `extra` goes after `[deploy]`, where a `[lambda]` key cannot be.
    fn lambda_keys(&self, keys: &str) {
        let path = self.dir.path().join("mcp.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replacen("\n[deploy]\n", &format!("{keys}\n\n[deploy]\n"), 1);
        std::fs::write(&path, text).unwrap();
        commit_all(self.dir.path());
    }

    /// Change mcp.toml and commit it, so the next deploy builds a new tag.
    fn change(&self, tb: &Testbed, extra: &str) {
        self.write(tb, extra);
        commit_all(self.dir.path());
    }
}

fn lambda(tb: &Testbed) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(&tb.sdk())
}

/// The execution role the tests' functions use (one per testbed).
fn role(tb: &Testbed) -> String {
    let iam = aws_sdk_iam::Client::new(&tb.sdk());
    let name = "mcp-it-lambda-exec";
    tb.block_on(async {
        if let Ok(out) = iam.get_role().role_name(name).send().await {
            return out.role().unwrap().arn().to_string();
        }
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        match iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust)
            .send()
            .await
        {
            Ok(out) => out.role().unwrap().arn().to_string(),
            Err(_) => iam
                .get_role()
                .role_name(name)
                .send()
                .await
                .unwrap()
                .role()
                .unwrap()
                .arn()
                .to_string(),
        }
    })
}

/// Push the project's image with `mcp push` and create the function from it
/// (what Terraform would have made), waiting until it is Active.
fn create_function(tb: &Testbed, project: &Project) {
    create_function_in(tb, project.dir.path(), &project.name, &project.name, &[]);
}

/// The same for the project in `dir` (its repository `repository`), pushed with `args` (`--stage X`).
fn create_function_in(tb: &Testbed, dir: &Path, function: &str, repository: &str, args: &[&str]) {
    let mut push = vec!["push", "--output", "json"];
    push.extend_from_slice(args);
    let pushed = run(tb.mcp(dir).args(&push));
    assert_eq!(
        pushed.code, 0,
        "mcp push: {}\n{}",
        pushed.stdout, pushed.stderr
    );
    let image = pushed.json()["image"].as_str().unwrap().to_string();
    let (name_part, digest) = image.split_once('@').expect("pinned by digest");
    let repo = name_part.rsplit_once(':').map_or(name_part, |(r, _)| r);
    let uri = format!("{repo}@{digest}");
    // moto's ECR mirrors the registry; have it read the new image now.
    let sync = format!(
        "{}/sync?repository={}",
        tb.var("MCP_TESTBED_CONTROL"),
        repository
    );
    let synced = std::process::Command::new("curl")
        .args(["-fsS", "-X", "POST", "--max-time", "30", &sync])
        .output()
        .unwrap();
    assert!(
        synced.status.success(),
        "{sync}: {}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let client = lambda(tb);
    let role = role(tb);
    tb.block_on(async {
        client
            .create_function()
            .function_name(function)
            .package_type(aws_sdk_lambda::types::PackageType::Image)
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .image_uri(&uri)
                    .build(),
            )
            .role(&role)
            .timeout(30)
            .memory_size(256)
            .environment(
                aws_sdk_lambda::types::Environment::builder()
                    .variables("ALLOWED_HOSTS", "*")
                    .variables("AWS_LWA_PORT", "8000")
                    .variables("AWS_LWA_READINESS_CHECK_PATH", "/healthz")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        for _ in 0..120 {
            let out = client
                .get_function_configuration()
                .function_name(function)
                .send()
                .await
                .unwrap();
            match out.state().map(|s| s.as_str()) {
                Some("Active") => return,
                Some("Failed") => panic!("the function failed to start: {:?}", out.state_reason()),
                _ => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
        panic!("the function did not become Active");
    });
}

/// The version `alias` serves, and its additional weight.
fn alias(tb: &Testbed, name: &str, alias: &str) -> Option<(String, Option<(String, f64)>)> {
    let client = lambda(tb);
    tb.block_on(async {
        let out = client
            .get_alias()
            .function_name(name)
            .name(alias)
            .send()
            .await
            .ok()?;
        Some((
            out.function_version().unwrap().to_string(),
            out.routing_config()
                .and_then(|r| r.additional_version_weights())
                .and_then(|w| w.iter().next().map(|(k, v)| (k.clone(), *v))),
        ))
    })
}

fn delete_function(tb: &Testbed, name: &str) {
    let client = lambda(tb);
    tb.block_on(async {
        let _ = client.delete_function().function_name(name).send().await;
    });
}

/// Deploy; the JSON report.
fn deploy(tb: &Testbed, project: &Project, args: &[&str]) -> (Output, serde_json::Value) {
    let mut all = vec!["deploy", "--output", "json"];
    all.extend_from_slice(args);
    let out = project.mcp(tb, &all);
    let json = out.json();
    (out, json)
}

/// `mcp doctor`'s `cost tags` check of the project's stage.
fn cost_tags_check(tb: &Testbed, project: &Project) -> serde_json::Value {
    let out = project.mcp(tb, &["doctor", "--output", "json"]);
    let report = out.json();
    report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks: {}\n{}", out.stdout, out.stderr))
        .iter()
        .find(|c| c["name"] == "cost tags")
        .cloned()
        .unwrap_or_else(|| panic!("no cost tags check: {report}"))
}

/// The function's tags.
fn function_tags(tb: &Testbed, name: &str) -> std::collections::HashMap<String, String> {
    let client = lambda(tb);
    tb.block_on(async {
        let arn = client
            .get_function()
            .function_name(name)
            .send()
            .await
            .unwrap()
            .configuration()
            .unwrap()
            .function_arn()
            .unwrap()
            .to_string();
        client
            .list_tags()
            .resource(arn)
            .send()
            .await
            .unwrap()
            .tags()
            .cloned()
            .unwrap_or_default()
    })
}

/// One MCP `tools/list` through a URL with curl (no `mcp` involved): the
/// echo server is stateless, so `initialize` is not needed first.
fn tools_at(url: &str) -> Vec<String> {
    let out = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "20", "-X", "POST", url])
        .args(["-H", "content-type: application/json"])
        .args(["-H", "accept: application/json, text/event-stream"])
        .args(["-H", "mcp-protocol-version: 2025-06-18"])
        .args(["-d", r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let start = text
        .find('{')
        .unwrap_or_else(|| panic!("no JSON from {url}: {text}"));
    let json: serde_json::Value =
        serde_json::from_str(text[start..].trim()).unwrap_or_else(|e| panic!("{e}: {text}"));
    json["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools from {url}: {json}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn deploy_gates_the_version_then_moves_live_and_rollback_moves_it_back() {
    let tb = crate::testbed!();
    let project = Project::new(
        tb,
        "[env]\nALLOWED_HOSTS = \"*\"\nLOG_LEVEL = \"info\"\n\n\
         [secrets]\nAPI_KEY = \"arn:aws:secretsmanager:us-east-1:123456789012:secret:/it/api-key-AbCdEf\"\n",
    );
    create_function(tb, &project);
    // Made without mcp's cost allocation tags, as Terraform would: doctor names them.
    let before = cost_tags_check(tb, &project);
    assert_eq!(before["outcome"], "warning", "{before}");
    assert_eq!(
        before["detail"],
        format!(
            "`{}` lacks mcp:project, mcp:service, mcp:stage",
            project.name
        ),
        "{before}"
    );
    assert!(
        before["hint"]
            .as_str()
            .is_some_and(|h| h.contains("`mcp deploy`") && h.contains("lambda:TagResource")),
        "{before}"
    );

    let (out, report) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["status"], "succeeded", "{report}");
    // The deploy tagged the function with the stage's values, so `mcp cost` finds its spend.
    assert!(
        out.stderr.contains(&format!(
            "{} for cost allocation (mcp:project, mcp:service, mcp:stage)",
            project.name
        )),
        "{}",
        out.stderr
    );
    let tags = function_tags(tb, &project.name);
    for (key, value) in [
        ("mcp:project", project.name.as_str()),
        ("mcp:service", project.name.as_str()),
        ("mcp:stage", "default"),
    ] {
        assert_eq!(tags.get(key).map(String::as_str), Some(value), "{tags:?}");
    }
    let after = cost_tags_check(tb, &project);
    assert_eq!(after["outcome"], "ok", "{after}");
    let first = alias(tb, &project.name, "live").expect("live alias made").0;
    assert_eq!(report["revision"], format!("{}:{first}", project.name));
    assert_eq!(report["gate"]["passed"], true, "{report}");
    assert!(
        out.stderr.contains("Created") && out.stderr.contains("alias `live`"),
        "{}",
        out.stderr
    );
    // The check after the deploy went to the live URL.
    let url = report["check"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("no check: {report}\n{}", out.stderr))
        .to_string();
    assert!(
        out.stderr.contains(&format!("\"url\": \"{url}\"")),
        "the client snippet names it: {}",
        out.stderr
    );
    assert!(url.ends_with("/mcp"), "{url}");
    assert!(tools_at(&url).contains(&"echo".to_string()));

    // The configuration holds the reference, never a value.
    let config = tb
        .block_on(
            lambda(tb)
                .get_function_configuration()
                .function_name(&project.name)
                .qualifier(&first)
                .send(),
        )
        .unwrap();
    let vars = config.environment().unwrap().variables().unwrap();
    assert_eq!(vars.get("LOG_LEVEL").map(String::as_str), Some("info"));
    assert_eq!(
        vars.get("API_KEY_SECRET_ARN").map(String::as_str),
        Some("arn:aws:secretsmanager:us-east-1:123456789012:secret:/it/api-key-AbCdEf")
    );
    assert!(!vars.contains_key("API_KEY"), "{vars:?}");

    // A second release, then back.
    project.change(tb, "[env]\nALLOWED_HOSTS = \"*\"\nLOG_LEVEL = \"debug\"\n");
    let (out, report) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let second = alias(tb, &project.name, "live").unwrap().0;
    assert_ne!(first, second);
    assert_eq!(
        report["previous_revision"],
        format!("{}:{first}", project.name)
    );

    let history = project.mcp(tb, &["history", "--output", "json"]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    let versions = history.json()["versions"].as_array().unwrap().clone();
    assert_eq!(versions[0]["version"], second.as_str(), "{versions:?}");
    assert_eq!(versions[0]["serving"][0], "live");
    assert!(
        versions[0]["git_sha"]
            .as_str()
            .is_some_and(|s| s.len() >= 7)
    );

    let back = project.mcp(tb, &["rollback", "--output", "json"]);
    assert_eq!(back.code, 0, "{}\n{}", back.stdout, back.stderr);
    assert_eq!(alias(tb, &project.name, "live").unwrap().0, first);
    assert_eq!(
        back.json()["live_revision"],
        format!("{}:{first}", project.name)
    );
    assert!(tools_at(&url).contains(&"echo".to_string()));

    let status = project.mcp(tb, &["status", "--output", "json"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert_eq!(status.json()["live"], first.as_str(), "{}", status.stdout);
    delete_function(tb, &project.name);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_version_that_fails_the_gate_never_gets_live() {
    let tb = crate::testbed!();
    let project = Project::new(tb, "[env]\nALLOWED_HOSTS = \"*\"\n");
    create_function(tb, &project);
    let (out, _) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let live = alias(tb, &project.name, "live").unwrap().0;

    // A smoke call of a tool the release does not have: the gate fails.
    project.change(
        tb,
        "[env]\nALLOWED_HOSTS = \"*\"\nLOG_LEVEL = \"warn\"\n\n[[check.calls]]\ntool = \"no_such_tool\"\n",
    );
    let (out, report) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["status"], "rolled_back", "{report}");
    assert_eq!(report["gate"]["passed"], false, "{report}");
    let candidate = alias(tb, &project.name, "candidate").unwrap().0;
    assert_ne!(candidate, live, "the candidate got the new version");
    assert_eq!(
        alias(tb, &project.name, "live").unwrap().0,
        live,
        "live did not move"
    );

    // A server keeping sessions in memory: refused with the fix, live unmoved.
    project.change(
        tb,
        "[env]\nALLOWED_HOSTS = \"*\"\nSTATEFUL = \"1\"\nMCP_PROTOCOLS = \"2025-11-25\"\n",
    );
    let (out, report) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["gate"]["failed_step"], "session", "{report}");
    let reason = report["reason"].as_str().unwrap();
    assert!(reason.contains("stateless_http=True"), "{reason}");
    assert!(reason.contains("Lambda"), "{reason}");
    assert_eq!(alias(tb, &project.name, "live").unwrap().0, live);

    // `mcp rollback` never goes to a version that failed its gate.
    let back = project.mcp(tb, &["rollback"]);
    assert_ne!(
        back.code, 0,
        "nothing went live before {live}: {}",
        back.stderr
    );
    assert_eq!(alias(tb, &project.name, "live").unwrap().0, live);
    delete_function(tb, &project.name);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn an_update_lambda_refuses_ends_the_deploy_with_its_reason() {
    let tb = crate::testbed!();
    let project = Project::new(tb, "[env]\nALLOWED_HOSTS = \"*\"\n");
    create_function(tb, &project);
    let (out, _) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let live = alias(tb, &project.name, "live").unwrap().0;

    // An image whose server exits at start: Lambda's update fails.
    std::fs::write(
        project.dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nCMD [\"sh\", \"-c\", \"echo cannot start >&2; exit 3\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    commit_all(project.dir.path());
    let (out, report) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let reason = report["reason"].as_str().unwrap();
    assert!(reason.contains("the update failed"), "{reason}");
    assert!(reason.contains("exited with status 3"), "{reason}");
    assert_eq!(alias(tb, &project.name, "live").unwrap().0, live);
    let versions = project.mcp(tb, &["history", "--output", "json"]).json();
    assert_eq!(
        versions["versions"].as_array().unwrap().len(),
        1,
        "no version was published: {versions}"
    );
    delete_function(tb, &project.name);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_canary_whose_version_fails_requests_is_rolled_back() {
    let tb = crate::testbed!();
    // Right after mcp.toml's `[deploy]` table.
    let canary = "strategy = \"canary\"\ncanary_percent = 50\ncanary_bake = \"40s\"\n";
    let project = Project::new(tb, &format!("{canary}\n[env]\nALLOWED_HOSTS = \"*\"\n"));
    create_function(tb, &project);
    let (out, report) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let live = alias(tb, &project.name, "live").unwrap().0;
    let base = report["check"]["url"]
        .as_str()
        .unwrap()
        .trim_end_matches("/mcp")
        .to_string();

    // The new version passes the gate but answers 500 on /fail.
    project.change(
        tb,
        &format!("{canary}\n[env]\nALLOWED_HOSTS = \"*\"\nFAIL_PATH = \"/fail\"\n"),
    );
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let traffic = {
        let stop = stop.clone();
        let url = format!("{base}/fail");
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::process::Command::new("curl")
                    .args(["-s", "-o", "/dev/null", "--max-time", "10", &url])
                    .status();
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };
    let (out, report) = deploy(tb, &project, &[]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    traffic.join().unwrap();
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["status"], "rolled_back", "{report}");
    assert!(out.stderr.contains("Canary"), "{}", out.stderr);
    let reason = report["reason"].as_str().unwrap();
    assert!(reason.contains("Errors"), "{reason}");
    let (now, weight) = alias(tb, &project.name, "live").unwrap();
    assert_eq!(now, live);
    assert_eq!(weight, None, "the canary weight is gone");
    delete_function(tb, &project.name);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_missing_function_and_ecs_keys_on_a_lambda_stage_are_errors_that_say_what_to_do() {
    let tb = crate::testbed!();
    let project = Project::new(tb, "");
    let out = project.mcp(tb, &["deploy"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("no Lambda function `{}`", project.name)),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("mcp launch"), "{}", out.stderr);

    project.change(tb, "[ecs]\ncluster = \"prod\"\n");
    let out = project.mcp(tb, &["deploy"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("`ecs.cluster`"), "{}", out.stderr);
    assert!(out.stderr.contains("Lambda"), "{}", out.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn one_mcp_toml_deploys_local_ecs_and_lambda_stages_and_status_stages_shows_all() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("lst", &[]);
    let function = unique("lst-fn");
    let port = crate::local::free_port();
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
             [deploy]\ntimeout = \"120s\"\n\n[env]\nALLOWED_HOSTS = \"*\"\n\n\
             [stages.local]\ntarget = \"local\"\ndeploy = {{ port = {port} }}\n\n\
             [stages.staging]\necs = {{ cluster = \"{cluster}\", service = \"{service}\", container = \"{container}\" }}\n\n\
             [stages.serverless]\ntarget = \"lambda\"\n\
             lambda = {{ function = \"{function}\", memory = 256, adapter_image = \"{adapter}\" }}\n",
            name = seeded.name,
            region = tb.region(),
            repo = seeded.get("repository"),
            cluster = seeded.get("cluster"),
            service = seeded.get("service"),
            container = seeded.get("container"),
            adapter = tb.var("MCP_TESTBED_LAMBDA_ADAPTER_IMAGE"),
        ),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    create_function_in(
        tb,
        dir.path(),
        &function,
        &seeded.get("repository"),
        &["--stage", "serverless"],
    );
    for stage in ["local", "staging", "serverless"] {
        let out = run(tb.mcp(dir.path()).args(["deploy", "--stage", stage]));
        assert_eq!(
            out.code, 0,
            "deploy --stage {stage}: {}\n{}",
            out.stdout, out.stderr
        );
    }
    let out = run(tb.mcp(dir.path()).args([
        "status",
        "--stages",
        "local,staging,serverless",
        "-o",
        "json",
    ]));
    let _ = run(tb.mcp(dir.path()).args(["down", "--stage", "local"]));
    delete_function(tb, &function);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let rows = out.json();
    let rows = rows.as_array().unwrap();
    let targets: Vec<_> = rows.iter().map(|r| r["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["local", "ecs", "lambda"], "{}", out.stdout);
    let lambda_row = &rows[2];
    assert_eq!(lambda_row["healthy"], true, "{lambda_row}");
    assert_eq!(
        lambda_row["config_drift"],
        serde_json::json!([]),
        "the live version runs what mcp.toml says: {lambda_row}"
    );
    assert_eq!(
        lambda_row["release"],
        format!("{function}:1"),
        "{lambda_row}"
    );
    assert_eq!(lambda_row["check"]["healthy"], true, "{lambda_row}");
}

/// Guards issue 29's `[lambda] provisioned_concurrency` / `reserved_concurrency`:
/// a deploy sets them on the function and on `live` (the simulator answers
/// the provisioned concurrency calls as Lambda does).
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn provisioned_and_reserved_concurrency_are_set_on_deploy() {
    let tb = crate::testbed!();
    let project = Project::new(tb, "[env]\nALLOWED_HOSTS = \"*\"\n");
    project.lambda_keys("provisioned_concurrency = 1\nreserved_concurrency = 5");
    create_function(tb, &project);

    let (out, report) = deploy(tb, &project, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["status"], "succeeded", "{report}");
    let client = lambda(tb);
    let provisioned = tb
        .block_on(
            client
                .get_provisioned_concurrency_config()
                .function_name(&project.name)
                .qualifier("live")
                .send(),
        )
        .unwrap_or_else(|e| {
            panic!(
                "no provisioned concurrency on `live`: {e:?}\n{}",
                out.stderr
            )
        });
    assert_eq!(
        provisioned.requested_provisioned_concurrent_executions(),
        Some(1),
        "{provisioned:?}"
    );
    let reserved = tb
        .block_on(
            client
                .get_function_concurrency()
                .function_name(&project.name)
                .send(),
        )
        .unwrap();
    assert_eq!(reserved.reserved_concurrent_executions(), Some(5));
    delete_function(tb, &project.name);
}
