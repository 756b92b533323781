//! `mcp launch` and `mcp destroy` on a Lambda stage, on the testbed (issue 29
//! item 6): examples/echo-server with a `target = "lambda"` stage goes from
//! nothing to a function whose `live` URL answers MCP (the simulator runs the
//! image; the adapter is the testbed's stand-in, `lambda.adapter_image`), a
//! second launch changes nothing, and `mcp destroy --all-resources` leaves no
//! function, role, log group or repository. A role the user names that
//! Lambda cannot assume is refused before anything is made.
//!
//! Everything is read back through the AWS SDK, as a person would check it.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::express::{echo_clone, mcp};
use crate::image::commit_all;
use crate::testbed::{self, Testbed, run};

const STAGE: &str = "fn";

/// examples/echo-server named `name`, with a Lambda stage `fn` for function
/// `name` (its secrets references: an SSM path and a Secrets Manager ARN).
fn project(tb: &Testbed, name: &str, extra_lambda: &str) -> tempfile::TempDir {
    let dir = echo_clone();
    let path = dir.path().join("mcp.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    assert!(toml.contains("name = \"echo-server\"\n"), "{toml}");
    let toml = toml.replace("name = \"echo-server\"\n", &format!("name = \"{name}\"\n"));
    let stage = format!(
        r#"
# `mcp --stage fn …`: AWS Lambda.
[stages.fn]
target = "lambda"
lambda = {{ function = "{name}", adapter_image = "{adapter}"{extra_lambda} }}
secrets = {{ API_KEY = "/test/mcp/{name}/api-key", DB = "arn:aws:secretsmanager:{region}:{account}:secret:{name}/db-AbCdEf" }}
"#,
        adapter = tb.var("MCP_TESTBED_LAMBDA_ADAPTER_IMAGE"),
        region = tb.region(),
        account = tb.var("MCP_TESTBED_ACCOUNT"),
    );
    std::fs::write(&path, format!("{toml}{stage}")).unwrap();
    commit_all(dir.path());
    dir
}

/// Runs `mcp destroy --stage fn --all-resources --yes` when dropped and
/// removes the local images of `name`: a test, passing or not, leaves nothing
/// on the shared testbed.
struct Cleanup<'a> {
    tb: &'a Testbed,
    dir: &'a Path,
    name: &'a str,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = run(self.tb.mcp(self.dir).args([
            "destroy",
            "--stage",
            STAGE,
            "--all-resources",
            "--yes",
            "-q",
        ]));
        let Ok(listed) = Command::new("docker")
            .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .output()
        else {
            return;
        };
        let ours: Vec<String> = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .filter(|image| {
                let repository = image.rsplit_once(':').map_or(*image, |(r, _)| r);
                repository == self.name || repository.ends_with(&format!("/{}", self.name))
            })
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

fn lambda(tb: &Testbed) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::new(&tb.sdk())
}

fn iam(tb: &Testbed) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&tb.sdk())
}

fn function(
    tb: &Testbed,
    name: &str,
) -> Option<aws_sdk_lambda::operation::get_function::GetFunctionOutput> {
    let client = lambda(tb);
    tb.block_on(async {
        match client.get_function().function_name(name).send().await {
            Ok(out) => Some(out),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                None
            }
            Err(err) => panic!("GetFunction: {err:?}"),
        }
    })
}

fn role(tb: &Testbed, name: &str) -> Option<aws_sdk_iam::types::Role> {
    let client = iam(tb);
    tb.block_on(async {
        match client.get_role().role_name(name).send().await {
            Ok(out) => out.role().cloned(),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_no_such_entity_exception()) =>
            {
                None
            }
            Err(err) => panic!("GetRole: {err:?}"),
        }
    })
}

/// A policy document as JSON (IAM answers them URL-encoded).
fn document(text: &str) -> Value {
    let decoded = if text.trim_start().starts_with('{') {
        text.to_string()
    } else {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    serde_json::from_str(&decoded).unwrap()
}

fn inline_policy(tb: &Testbed, role: &str, policy: &str) -> Value {
    let client = iam(tb);
    let out = tb
        .block_on(
            client
                .get_role_policy()
                .role_name(role)
                .policy_name(policy)
                .send(),
        )
        .unwrap_or_else(|e| panic!("GetRolePolicy {role} {policy}: {e:?}"));
    document(out.policy_document())
}

fn versions(tb: &Testbed, name: &str) -> Vec<String> {
    let client = lambda(tb);
    let out = tb
        .block_on(
            client
                .list_versions_by_function()
                .function_name(name)
                .send(),
        )
        .unwrap();
    out.versions()
        .iter()
        .filter_map(|v| v.version().map(str::to_string))
        .collect()
}

fn log_groups(tb: &Testbed, prefix: &str) -> Vec<String> {
    let client = aws_sdk_cloudwatchlogs::Client::new(&tb.sdk());
    let out = tb
        .block_on(
            client
                .describe_log_groups()
                .log_group_name_prefix(prefix)
                .send(),
        )
        .unwrap();
    out.log_groups()
        .iter()
        .filter_map(|g| g.log_group_name().map(str::to_string))
        .filter(|g| g == prefix)
        .collect()
}

fn repository_exists(tb: &Testbed, name: &str) -> bool {
    let client = aws_sdk_ecr::Client::new(&tb.sdk());
    match tb.block_on(client.describe_repositories().repository_names(name).send()) {
        Ok(_) => true,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_repository_not_found_exception()) =>
        {
            false
        }
        Err(err) => panic!("DescribeRepositories: {err:?}"),
    }
}

/// One JSON-RPC request to the MCP endpoint, as a client sends it; the body.
fn mcp_call(url: &str, body: &str) -> String {
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "30",
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "-H",
            "accept: application/json, text/event-stream",
            "-H",
            "mcp-protocol-version: 2025-11-25",
            "-d",
            body,
            url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn launch_makes_role_function_aliases_and_urls_a_rerun_changes_nothing_and_destroy_leaves_nothing()
{
    let tb = crate::testbed!();
    let name = testbed::unique("lambda-launch");
    let dir = project(tb, &name, "");
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: &name,
    };
    let role_name = format!("{name}-mcp-lambda");
    let account = tb.var("MCP_TESTBED_ACCOUNT");
    let region = tb.region();

    let launched = mcp(
        tb,
        dir.path(),
        &["launch", "--stage", STAGE, "--yes", "-o", "json"],
    );
    assert_eq!(launched.code, 0, "{}\n{}", launched.stdout, launched.stderr);
    let report = launched.json();
    assert_eq!(report["status"], "launched", "{report}");
    assert_eq!(report["check"]["healthy"], true, "{report}");
    for line in [
        "Created IAM role",
        "Allowed inline policy `mcp-logs`",
        "Allowed inline policy `mcp-secrets`",
        "Created ECR repository",
        "Creating Lambda function",
        "alias `candidate`",
        "alias `live`",
        "\"mcpServers\"",
    ] {
        assert!(
            launched.stderr.contains(line),
            "no `{line}` in:\n{}",
            launched.stderr
        );
    }
    let url = report["url"].as_str().unwrap().to_string();

    // The role: Lambda's, for this account only; logs on exactly the function's group; exactly the secrets.
    let made = role(tb, &role_name).expect("the execution role exists");
    assert_eq!(report["role"], made.arn());
    let trust = document(made.assume_role_policy_document().unwrap());
    let statement = &trust["Statement"][0];
    assert_eq!(
        statement["Principal"]["Service"], "lambda.amazonaws.com",
        "{trust}"
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["aws:SourceAccount"],
        account.as_str(),
        "{trust}"
    );
    let logs = inline_policy(tb, &role_name, "mcp-logs");
    let group = format!("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{name}");
    assert_eq!(
        logs["Statement"][0]["Resource"],
        serde_json::json!([group, format!("{group}:*")]),
        "{logs}"
    );
    let secrets = inline_policy(tb, &role_name, "mcp-secrets");
    let statements = secrets["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2, "{secrets}");
    assert_eq!(statements[0]["Action"], "secretsmanager:GetSecretValue");
    assert_eq!(
        statements[0]["Resource"],
        serde_json::json!([format!(
            "arn:aws:secretsmanager:{region}:{account}:secret:{name}/db-AbCdEf"
        )])
    );
    assert_eq!(
        statements[1]["Resource"],
        serde_json::json!([format!(
            "arn:aws:ssm:{region}:{account}:parameter/test/mcp/{name}/api-key"
        )])
    );

    // The function: the image by digest, the role, references (never values) for secrets, mcp's tags.
    let got = function(tb, &name).expect("the function exists");
    let config = got.configuration().unwrap();
    assert_eq!(config.role(), Some(made.arn()));
    assert_eq!(
        config.package_type(),
        Some(&aws_sdk_lambda::types::PackageType::Image)
    );
    let image = got.code().and_then(|c| c.image_uri()).unwrap();
    assert!(image.contains("@sha256:"), "{image}");
    let env = config.environment().and_then(|e| e.variables()).unwrap();
    assert_eq!(
        env.get("API_KEY_SECRET_ARN").map(String::as_str),
        Some(format!("/test/mcp/{name}/api-key").as_str())
    );
    let tags = got.tags().unwrap();
    assert!(tags.contains_key("mcp:launched-by"), "{tags:?}");
    assert_eq!(tags.get("mcp:role"), Some(&role_name));
    assert_eq!(tags.get("mcp:project"), Some(&name));
    let client = lambda(tb);
    for alias in ["live", "candidate"] {
        let url_config = tb
            .block_on(
                client
                    .get_function_url_config()
                    .function_name(&name)
                    .qualifier(alias)
                    .send(),
            )
            .unwrap_or_else(|e| panic!("the {alias} URL: {e:?}"));
        if alias == "live" {
            assert_eq!(
                url,
                format!("{}/mcp", url_config.function_url().trim_end_matches('/'))
            );
        }
    }

    // The live URL answers MCP, to a client of our own.
    let answer = mcp_call(
        &url,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"it","version":"0"}}}"#,
    );
    assert!(answer.contains("\"serverInfo\""), "{answer}");

    // mcp.toml records the stage's function and role; other commands work from it.
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    let parsed: toml::Table = toml::from_str(&toml).unwrap();
    let stage = &parsed["stages"][STAGE];
    assert_eq!(stage["target"].as_str(), Some("lambda"), "{toml}");
    assert_eq!(stage["lambda"]["function"].as_str(), Some(name.as_str()));
    assert_eq!(stage["lambda"]["role"].as_str(), Some(made.arn()));
    assert!(
        toml.contains("# `mcp --stage local …`"),
        "comments kept: {toml}"
    );
    let check = mcp(tb, dir.path(), &["check", "--stage", STAGE, "-o", "json"]);
    assert_eq!(check.code, 0, "{}", check.stderr);

    // Again: says so, builds nothing, publishes nothing, writes nothing.
    let before = versions(tb, &name);
    let again = mcp(
        tb,
        dir.path(),
        &["launch", "--stage", STAGE, "--yes", "-o", "json"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.json()["status"],
        "already_launched",
        "{}",
        again.stdout
    );
    assert_eq!(again.json()["url"], url.as_str());
    assert!(!again.stderr.contains("Building"), "{}", again.stderr);
    assert!(!again.stderr.contains("Wrote"), "{}", again.stderr);
    assert_eq!(versions(tb, &name), before);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap(),
        toml
    );

    // A deploy with one more secret: the role mcp made may read it too, before the new version starts.
    let token = format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}/token-XyZ123");
    let db = format!("DB = \"arn:aws:secretsmanager:{region}:{account}:secret:{name}/db-AbCdEf\"");
    assert!(toml.contains(&db), "{toml}");
    std::fs::write(
        dir.path().join("mcp.toml"),
        toml.replace(&db, &format!("{db}, TOKEN = \"{token}\"")),
    )
    .unwrap();
    commit_all(dir.path());
    let deployed = mcp(tb, dir.path(), &["deploy", "--stage", STAGE, "-o", "json"]);
    assert_eq!(deployed.code, 0, "{}\n{}", deployed.stdout, deployed.stderr);
    let secrets = inline_policy(tb, &role_name, "mcp-secrets");
    assert!(
        secrets["Statement"][0]["Resource"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(token)),
        "{secrets}"
    );
    std::fs::write(dir.path().join("mcp.toml"), &toml).unwrap();
    commit_all(dir.path());

    // Destroy: the plan, then nothing left.
    let gone = mcp(
        tb,
        dir.path(),
        &[
            "destroy",
            "--stage",
            STAGE,
            "--all-resources",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(gone.code, 0, "{}\n{}", gone.stdout, gone.stderr);
    let removed = &gone.json()["removed"];
    assert_eq!(
        removed["aliases"].as_array().map(Vec::len),
        Some(2),
        "{removed}"
    );
    assert_eq!(removed["role"], made.arn(), "{removed}");
    assert!(function(tb, &name).is_none(), "the function is gone");
    assert!(role(tb, &role_name).is_none(), "the role is gone");
    assert!(
        log_groups(tb, &format!("/aws/lambda/{name}")).is_empty(),
        "the log group is gone"
    );
    assert!(!repository_exists(tb, &name), "the repository is gone");
    let nothing = mcp(
        tb,
        dir.path(),
        &[
            "destroy",
            "--stage",
            STAGE,
            "--all-resources",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(nothing.code, 0, "{}", nothing.stderr);
    assert_eq!(nothing.json()["status"], "nothing");

    // mcp.toml names mcp's role now: a launch after the destroy makes it all anew.
    let anew = mcp(
        tb,
        dir.path(),
        &["launch", "--stage", STAGE, "--yes", "-o", "json"],
    );
    assert_eq!(anew.code, 0, "{}\n{}", anew.stdout, anew.stderr);
    assert_eq!(anew.json()["status"], "launched", "{}", anew.stdout);
    assert!(role(tb, &role_name).is_some());
    assert!(function(tb, &name).is_some());
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_named_role_lambda_cannot_assume_is_refused_naming_it_before_anything_is_made() {
    let tb = crate::testbed!();
    let name = testbed::unique("lambda-role");
    let planted = format!("{name}-ecs");
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "ecs-tasks.amazonaws.com" },
            "Action": "sts:AssumeRole",
        }],
    });
    let client = iam(tb);
    tb.block_on(
        client
            .create_role()
            .role_name(&planted)
            .assume_role_policy_document(trust.to_string())
            .send(),
    )
    .unwrap();
    let dir = project(tb, &name, &format!(", role = \"{planted}\""));
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: &name,
    };
    let refused = mcp(tb, dir.path(), &["launch", "--stage", STAGE, "--yes"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(&planted)
            && refused
                .stderr
                .contains("does not trust lambda.amazonaws.com"),
        "{}",
        refused.stderr
    );
    assert!(function(tb, &name).is_none());
    assert!(!repository_exists(tb, &name));
    assert!(role(tb, &format!("{name}-mcp-lambda")).is_none());
    // The planted role is the user's: left as it was.
    assert!(role(tb, &planted).is_some());
    tb.block_on(client.delete_role().role_name(&planted).send())
        .unwrap();
}

/// A function made otherwise (here a Zip function) is neither launched upon
/// nor destroyed; a role of mcp's name that mcp did not tag is never deleted.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_function_or_role_mcp_did_not_make_is_left_alone() {
    let tb = crate::testbed!();
    let name = testbed::unique("lambda-theirs");
    let role_name = format!("{name}-mcp-lambda");
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "lambda.amazonaws.com" },
            "Action": "sts:AssumeRole",
        }],
    });
    let iam_client = iam(tb);
    let lambda_client = lambda(tb);
    let arn = tb
        .block_on(
            iam_client
                .create_role()
                .role_name(&role_name)
                .assume_role_policy_document(trust.to_string())
                .send(),
        )
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_string();
    // The smallest zip there is: an end-of-central-directory record.
    let mut zip = b"PK\x05\x06".to_vec();
    zip.extend([0u8; 18]);
    tb.block_on(
        lambda_client
            .create_function()
            .function_name(&name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .handler("app.handler")
            .role(&arn)
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(zip))
                    .build(),
            )
            .send(),
    )
    .unwrap();
    let dir = project(tb, &name, "");

    let launch = run(tb
        .mcp(dir.path())
        .args(["launch", "--stage", STAGE, "--yes"]));
    assert_eq!(launch.code, 2, "{}", launch.stderr);
    assert!(
        launch
            .stderr
            .contains(&format!("Lambda function `{name}` already exists"))
            && launch.stderr.contains("not made by `mcp launch`"),
        "{}",
        launch.stderr
    );
    let destroy =
        run(tb
            .mcp(dir.path())
            .args(["destroy", "--stage", STAGE, "--all-resources", "--yes"]));
    assert_eq!(destroy.code, 2, "{}", destroy.stderr);
    assert!(
        destroy.stderr.contains("mcp:launched-by"),
        "{}",
        destroy.stderr
    );
    assert!(function(tb, &name).is_some(), "their function stays");

    // Without the function: the role of mcp's name carries no mcp tags, so it stays.
    tb.block_on(lambda_client.delete_function().function_name(&name).send())
        .unwrap();
    let destroy = run(tb
        .mcp(dir.path())
        .args(["destroy", "--stage", STAGE, "--yes", "-o", "json"]));
    assert_eq!(destroy.code, 0, "{}", destroy.stderr);
    assert_eq!(destroy.json()["status"], "nothing", "{}", destroy.stdout);
    assert!(role(tb, &role_name).is_some(), "their role stays");
    tb.block_on(iam_client.delete_role().role_name(&role_name).send())
        .unwrap();
}

/// A launch stopped half-way (CreateFunction refused) says what it made and
/// how to go on; run again, it carries on without making anything twice.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_launch_stopped_half_way_carries_on_when_run_again() {
    let tb = crate::testbed!();
    let name = testbed::unique("lambda-half");
    let dir = project(tb, &name, "");
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: &name,
    };
    let denied = {
        let deny = crate::express::Deny::new(tb, &["lambda:CreateFunction"]);
        let _sync = crate::express::Syncing::start(tb, Some(&name));
        run(tb
            .mcp(dir.path())
            .env("AWS_ACCESS_KEY_ID", &deny.key)
            .args(["launch", "--stage", STAGE, "--yes"]))
    };
    assert_eq!(denied.code, 1, "{}", denied.stderr);
    for text in [
        "AWS refused `lambda:CreateFunction`",
        "launch stopped half-way; made by this run: IAM role",
        "ECR repository",
        "Run `mcp launch --stage fn` again",
    ] {
        assert!(
            denied.stderr.contains(text),
            "no `{text}` in:\n{}",
            denied.stderr
        );
    }
    assert!(role(tb, &format!("{name}-mcp-lambda")).is_some());
    assert!(repository_exists(tb, &name));
    assert!(function(tb, &name).is_none());

    let again = mcp(
        tb,
        dir.path(),
        &["launch", "--stage", STAGE, "--yes", "-o", "json"],
    );
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert_eq!(again.json()["status"], "launched", "{}", again.stdout);
    assert!(
        again.stderr.contains("Creating Lambda function"),
        "{}",
        again.stderr
    );
    for made_before in [
        "Created IAM role",
        "Allowed inline policy",
        "Created ECR repository",
    ] {
        assert!(
            !again.stderr.contains(made_before),
            "`{made_before}` again:\n{}",
            again.stderr
        );
    }
}

/// A server that keeps sessions in memory is launched but never goes live:
/// the gate on `candidate` refuses it with the fix, no `live` alias is made,
/// and mcp.toml records the function so `mcp deploy` ships the fixed server.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_stateful_server_is_launched_but_its_first_version_never_goes_live() {
    let tb = crate::testbed!();
    let name = testbed::unique("lambda-stateful");
    let dir = project(tb, &name, "");
    let path = dir.path().join("mcp.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("{toml}env = {{ STATEFUL = \"1\", MCP_PROTOCOLS = \"2025-11-25\" }}\n"),
    )
    .unwrap();
    commit_all(dir.path());
    let _cleanup = Cleanup {
        tb,
        dir: dir.path(),
        name: &name,
    };
    let out = mcp(
        tb,
        dir.path(),
        &["launch", "--stage", STAGE, "--yes", "-o", "json"],
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(report["status"], "check_failed", "{report}");
    assert_eq!(report["url"], Value::Null, "{report}");
    assert_eq!(
        report["release"]["gate"]["failed_step"], "session",
        "{report}"
    );
    assert!(
        out.stderr.contains("stateless_http=True") && out.stderr.contains("mcp deploy --stage fn"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("\"mcpServers\""), "{}", out.stderr);
    let client = lambda(tb);
    let live = tb.block_on(client.get_alias().function_name(&name).name("live").send());
    assert!(
        live.as_ref()
            .err()
            .and_then(|e| e.as_service_error())
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "no live alias: {live:?}"
    );
    let toml = std::fs::read_to_string(&path).unwrap();
    assert!(toml.contains("role = \"arn:aws:iam::"), "{toml}");
}
