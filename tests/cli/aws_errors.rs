//! AWS faults a person can fix end in one `error:` line, short `caused by:`
//! lines and a `hint:`, never the SDK's debug dump (issue 11 item 6). Nothing
//! here leaves the machine: credentials and region are withheld or point at
//! files in a temporary folder, the instance metadata service is off, and the
//! endpoint is a loopback port nobody listens on.

use std::path::Path;

use assert_cmd::Command;

use super::{mcp, project, run};

const CONFIG: &str = "[ecs]\ncluster = \"c\"\nservice = \"s\"\n";

/// A loopback port nobody listens on (bound, then released).
fn refused_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// `mcp` that finds no AWS configuration of the user's: HOME and the AWS
/// files are in `dir`, IMDS is off, and any request goes to a refused port.
fn isolated(dir: &Path) -> Command {
    let mut cmd = mcp(dir);
    cmd.env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", refused_endpoint());
    cmd
}

fn stderr_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// Guards against the multi-line `DispatchFailure(...)` a missing credential printed.
#[test]
fn no_credentials() {
    let dir = project(&[("mcp.toml", CONFIG)]);
    let r = run(
        isolated(dir.path())
            .env("AWS_REGION", "us-east-1")
            .arg("status"),
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        stderr_lines(&r.stderr),
        [
            "error: describing ECS service `s` in cluster `c`",
            "caused by: no AWS credentials found",
            "caused by: no providers in chain provided credentials",
            "hint: run `aws configure`, or choose a profile with `AWS_PROFILE` (or `--profile`); \
             `mcp doctor` checks the whole setup",
        ]
    );
}

#[test]
fn no_region() {
    let dir = project(&[("mcp.toml", CONFIG)]);
    let r = run(
        isolated(dir.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "test-secret")
            .arg("status"),
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines = stderr_lines(&r.stderr);
    assert_eq!(lines[1], "caused by: no AWS region to send the request to");
    assert_eq!(lines[2], "caused by: the AWS configuration names no region");
    assert!(
        lines[3].starts_with("hint: ") && lines[3].contains("AWS_REGION"),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 4, "{lines:?}");
}

#[test]
fn an_expired_sso_session_asks_for_aws_sso_login() {
    // An SSO-session profile whose cached token expired and cannot be
    // refreshed (no refresh token): the SDK fails before any request.
    let dir = project(&[
        ("mcp.toml", CONFIG),
        (
            "aws-config",
            "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
             sso_role_name = Dev\nregion = us-east-1\n\n\
             [sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
             sso_region = us-east-1\n",
        ),
        (
            // The SDK names the cache file by the SHA-1 of the session name.
            ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
            r#"{"accessToken": "expired", "expiresAt": "2020-01-01T00:00:00Z"}"#,
        ),
    ]);
    let r = run(
        isolated(dir.path()).env("AWS_PROFILE", "dev").arg("status"),
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines = stderr_lines(&r.stderr);
    assert_eq!(
        lines[1],
        "caused by: the AWS SSO session of profile `dev` has expired or was never started"
    );
    assert_eq!(
        lines.last().unwrap(),
        &"hint: run `aws sso login --profile dev`, then try again"
    );
    assert!(lines.len() <= 4, "{lines:?}");
}

#[test]
fn an_endpoint_that_refuses_and_the_detail_with_vv() {
    let dir = project(&[("mcp.toml", CONFIG)]);
    let with_keys = |cmd: &mut Command| {
        cmd.env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
            .env("AWS_SECRET_ACCESS_KEY", "test-secret");
    };
    let mut cmd = isolated(dir.path());
    with_keys(&mut cmd);
    let r = run(cmd.arg("status"), dir.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines = stderr_lines(&r.stderr);
    assert_eq!(
        lines[..3],
        [
            "error: describing ECS service `s` in cluster `c`",
            "caused by: the AWS endpoint did not answer",
            "caused by: Connection refused (os error 111)",
        ]
    );
    assert!(lines[3].contains("AWS_ENDPOINT_URL"), "{lines:?}");
    assert!(!r.stderr.contains("DispatchFailure"), "{}", r.stderr);

    // -vv adds the SDK's own account, once.
    let mut cmd = isolated(dir.path());
    with_keys(&mut cmd);
    let r = run(cmd.args(["status", "-vv"]), dir.path());
    let details: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("detail: "))
        .collect();
    assert_eq!(details.len(), 1, "{}", r.stderr);
    assert!(details[0].contains("DispatchFailure"), "{}", r.stderr);
}

#[test]
fn an_unreadable_config_file_is_a_usage_error_naming_it() {
    // A folder where the file should be.
    let dir = project(&[]);
    std::fs::create_dir(dir.path().join("mcp.toml")).unwrap();
    let r = run(mcp(dir.path()).arg("config"), dir.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: cannot read config file `[DIR]/mcp.toml`\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: `[DIR]/mcp.toml` is a folder"),
        "{}",
        r.stderr
    );

    // Not UTF-8.
    let dir = project(&[]);
    std::fs::write(dir.path().join("mcp.toml"), b"[ecs]\ncluster = \"\xff\"\n").unwrap();
    let r = run(mcp(dir.path()).arg("config"), dir.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: cannot read config file `[DIR]/mcp.toml`\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("not UTF-8"), "{}", r.stderr);
}
