//! `mcp check` on a Lambda stage whose function URL has `AuthType AWS_IAM`
//! (`lambda.url_auth = "AWS_IAM"`): every request (the health GET, the MCP
//! POSTs, the smoke call) is signed with SigV4 for `lambda` with the
//! caller's credentials, temporary ones included, and the testbed's Lambda
//! simulator (tests/testbed/lambda_sim.py) verifies each signature for the
//! key `testing` as Lambda does, answering 403 otherwise.
//!
//! The function is made here with the SDK (as `selftest.py`'s
//! `check_lambda_*` do): the example echo server's binary in an image that
//! carries the adapter stand-in in `/opt/extensions/`, pushed with
//! `mcp push`, a version, a `live` alias and its URL. The same URL then
//! refuses an unsigned check (`url_auth = "NONE"`) and one signed with the
//! wrong secret: the passing check is the signing's doing.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::image::{commit_all, git};
use crate::testbed::{self, Output, Testbed, run};

/// Deletes the function (the simulator stops its containers and closes its
/// URL), the repository and the local images when the test ends, however.
struct Cleanup<'a> {
    tb: &'a Testbed,
    name: String,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let lambda = aws_sdk_lambda::Client::new(&self.tb.sdk());
        let ecr = aws_sdk_ecr::Client::new(&self.tb.sdk());
        let name = self.name.clone();
        self.tb.block_on(async {
            let _ = lambda.delete_function().function_name(&name).send().await;
            let _ = ecr
                .delete_repository()
                .repository_name(&name)
                .force(true)
                .send()
                .await;
        });
        let registry = self.tb.var("MCP_TESTBED_REGISTRY");
        if let Ok(listed) = std::process::Command::new("docker")
            .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .output()
        {
            let ours: Vec<String> = String::from_utf8_lossy(&listed.stdout)
                .lines()
                .filter(|image| image.starts_with(&format!("{registry}/{}:", self.name)))
                .map(str::to_string)
                .collect();
            if !ours.is_empty() {
                // --no-prune: the parents may be build-cache layers another test's build is using.
                let _ = std::process::Command::new("docker")
                    .args(["rmi", "--no-prune"])
                    .args(&ours)
                    .output();
            }
        }
    }
}

/// The echo server in an image with the adapter stand-in, pushed by `mcp
/// push`: its `<registry>/<repo>@sha256:…`.
fn push_image(tb: &Testbed, dir: &Path, name: &str) -> String {
    std::fs::copy(crate::check::echo_server_bin(), dir.join("echo-server")).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM scratch\nCOPY echo-server /echo-server\nCOPY --from={} /lambda-adapter /opt/extensions/lambda-adapter\nENTRYPOINT [\"/echo-server\"]\n",
            tb.var("MCP_TESTBED_LAMBDA_ADAPTER_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("mcp.toml"),
        format!(
            "name = \"{name}\"\nregion = \"{}\"\n\n[ecr]\nrepository = \"{name}\"\ncreate = true\n",
            tb.region()
        ),
    )
    .unwrap();
    git(dir, &["init", "-q"]);
    commit_all(dir);
    let pushed = run(tb.mcp(dir).args(["push", "-o", "json"]));
    assert_eq!(pushed.code, 0, "mcp push:\n{}", pushed.stderr);
    let digest = pushed.json()["digest"].as_str().unwrap().to_string();
    format!("{}/{name}@{digest}", tb.var("MCP_TESTBED_REGISTRY"))
}

/// The function, version 1, its `live` alias and that alias's URL with
/// `AuthType AWS_IAM`: the URL.
fn function_url(tb: &Testbed, name: &str, image: &str) -> String {
    let config = tb.sdk();
    let lambda = aws_sdk_lambda::Client::new(&config);
    let iam = aws_sdk_iam::Client::new(&config);
    tb.block_on(async {
        use aws_sdk_lambda::types::{
            Environment, FunctionCode, FunctionUrlAuthType, PackageType, State,
        };
        let role = match iam.get_role().role_name("testbed-lambda-exec").send().await {
            Ok(out) => out.role().unwrap().arn().to_string(),
            Err(_) => {
                let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
                match iam
                    .create_role()
                    .role_name("testbed-lambda-exec")
                    .assume_role_policy_document(trust)
                    .send()
                    .await
                {
                    Ok(out) => out.role().unwrap().arn().to_string(),
                    // Another test made it meanwhile.
                    Err(_) => iam
                        .get_role()
                        .role_name("testbed-lambda-exec")
                        .send()
                        .await
                        .unwrap()
                        .role()
                        .unwrap()
                        .arn()
                        .to_string(),
                }
            }
        };
        let environment = Environment::builder()
            .variables("AWS_LWA_PORT", "8000")
            .variables("AWS_LWA_READINESS_CHECK_PATH", "/healthz")
            .variables("ALLOWED_HOSTS", "*")
            .build();
        lambda
            .create_function()
            .function_name(name)
            .package_type(PackageType::Image)
            .code(FunctionCode::builder().image_uri(image).build())
            .role(role)
            .timeout(10)
            .memory_size(128)
            .environment(environment)
            .send()
            .await
            .expect("CreateFunction");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let conf = lambda
                .get_function_configuration()
                .function_name(name)
                .send()
                .await
                .unwrap();
            match conf.state() {
                Some(State::Active) => break,
                Some(State::Pending) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(500)).await
                }
                state => panic!(
                    "function {name} is {state:?}: {}",
                    conf.state_reason().unwrap_or_default()
                ),
            }
        }
        let version = lambda
            .publish_version()
            .function_name(name)
            .send()
            .await
            .expect("PublishVersion")
            .version()
            .unwrap()
            .to_string();
        lambda
            .create_alias()
            .function_name(name)
            .name("live")
            .function_version(version)
            .send()
            .await
            .expect("CreateAlias");
        lambda
            .create_function_url_config()
            .function_name(name)
            .qualifier("live")
            .auth_type(FunctionUrlAuthType::AwsIam)
            .send()
            .await
            .expect("CreateFunctionUrlConfig")
            .function_url()
            .to_string()
    })
}

/// A Lambda stage's mcp.toml for the function at `url` with `url_auth`.
fn stage(tb: &Testbed, dir: &Path, name: &str, url: &str, url_auth: &str, extra: &str) {
    std::fs::write(
        dir.join("mcp.toml"),
        format!(
            "name = \"{name}\"\nregion = \"{}\"\ntarget = \"lambda\"\n\n[lambda]\nfunction = \"{name}\"\nurl_auth = \"{url_auth}\"\n\n[deploy]\nurl = \"{}/mcp\"\nhealth_path = \"/healthz\"\n{extra}",
            tb.region(),
            url.trim_end_matches('/')
        ),
    )
    .unwrap();
}

fn check(tb: &Testbed, dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = tb.mcp(dir);
    cmd.args([
        "check",
        "-v",
        "-o",
        "json",
        "--call",
        r#"echo={"text":"signed"}"#,
    ]);
    for (key, value) in env {
        cmd.env(key, value);
    }
    run(&mut cmd)
}

/// Guards issue 29: with `lambda.url_auth = "AWS_IAM"` the check signs every
/// request (the simulator refuses any unsigned or badly signed one), with
/// temporary credentials too, and without signing the same URL refuses it.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn check_signs_every_request_to_an_aws_iam_function_url() {
    let tb = crate::testbed!();
    let name = testbed::unique("sigv4");
    let _cleanup = Cleanup {
        tb,
        name: name.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let image = push_image(tb, dir.path(), &name);
    let url = function_url(tb, &name, &image);
    stage(tb, dir.path(), &name, &url, "AWS_IAM", "");

    // Signed with the testbed's key, as a session with a token: the
    // simulator verifies the token's signature with the rest.
    let token = "sigv4-session-token-never-print-me";
    let signed = check(tb, dir.path(), &[("AWS_SESSION_TOKEN", token)]);
    assert_eq!(signed.code, 0, "signed check:\n{}", signed.stderr);
    let report = signed.json();
    assert_eq!(report["healthy"], true, "{report}");
    assert_eq!(report["authenticated"], true, "{report}");
    assert_eq!(report["calls"][0]["ok"], true, "{report}");
    assert!(
        report["steps"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("(signed) answered 200"),
        "{report}"
    );
    assert!(
        signed.stderr.contains("SigV4 for `lambda` in us-east-1"),
        "{}",
        signed.stderr
    );
    for text in [&signed.stdout, &signed.stderr] {
        assert!(
            !text.contains(token),
            "the session token was shown:\n{text}"
        );
        assert!(
            !text.contains("AWS4-HMAC-SHA256"),
            "a signature was shown:\n{text}"
        );
    }

    // The wrong secret for the key: refused, with the hint that says why.
    let wrong = check(
        tb,
        dir.path(),
        &[("AWS_SECRET_ACCESS_KEY", "not-the-secret")],
    );
    assert_eq!(wrong.code, 1, "wrong secret:\n{}", wrong.stderr);
    let report = wrong.json();
    assert_eq!(report["failed_step"], "health", "{report}");
    assert!(
        report["error"].as_str().unwrap().contains("403"),
        "{report}"
    );
    assert!(
        report["hint"]
            .as_str()
            .unwrap()
            .contains("lambda:InvokeFunctionUrl"),
        "{report}"
    );

    // Not signed (`url_auth = "NONE"`): the same URL refuses the check,
    // the health GET and, without a health path, the MCP requests too.
    stage(tb, dir.path(), &name, &url, "NONE", "");
    let unsigned = check(tb, dir.path(), &[]);
    assert_eq!(unsigned.code, 1, "unsigned:\n{}", unsigned.stderr);
    let report = unsigned.json();
    assert_eq!(report["failed_step"], "health", "{report}");
    assert!(
        report["error"].as_str().unwrap().contains("403"),
        "{report}"
    );
    stage(tb, dir.path(), &name, &url, "NONE", "");
    let text = std::fs::read_to_string(dir.path().join("mcp.toml"))
        .unwrap()
        .replace("health_path = \"/healthz\"", "health_path = \"\"");
    std::fs::write(dir.path().join("mcp.toml"), text).unwrap();
    let unsigned = check(tb, dir.path(), &[]);
    assert_eq!(unsigned.code, 1, "unsigned MCP:\n{}", unsigned.stderr);
    let report = unsigned.json();
    assert_eq!(report["failed_step"], "initialize", "{report}");
    assert!(
        report["error"].as_str().unwrap().contains("403"),
        "{report}"
    );

    // And signed again without the health GET: the MCP requests alone pass.
    let text = std::fs::read_to_string(dir.path().join("mcp.toml"))
        .unwrap()
        .replace("url_auth = \"NONE\"", "url_auth = \"AWS_IAM\"");
    std::fs::write(dir.path().join("mcp.toml"), text).unwrap();
    let signed = check(tb, dir.path(), &[]);
    assert_eq!(signed.code, 0, "signed MCP:\n{}", signed.stderr);
}

/// Guards issue 29: SigV4 takes `Authorization`, so a bearer token (or an
/// OAuth client) on an AWS_IAM stage is a usage error naming both keys,
/// before anything is sent.
#[test]
fn a_bearer_token_on_an_aws_iam_stage_is_refused_naming_both_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        "name = \"demo\"\nregion = \"us-east-1\"\ntarget = \"lambda\"\n\n[lambda]\nurl_auth = \"AWS_IAM\"\n\n[deploy]\nurl = \"http://127.0.0.1:9/mcp\"\nauth_token_env = \"DEMO_TOKEN\"\n",
    )
    .unwrap();
    let mut cmd =
        <std::process::Command as assert_cmd::cargo::CommandCargoExt>::cargo_bin("mcp").unwrap();
    cmd.current_dir(dir.path())
        .args(["check"])
        .env("DEMO_TOKEN", "tok-never-sent")
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let out = run(&mut cmd);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("`deploy.auth_token_env`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("lambda.url_auth = \"AWS_IAM\""),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("another header"), "{}", out.stderr);
    assert!(!out.stderr.contains("tok-never-sent"), "{}", out.stderr);
}
