//! `mcp config` and the errors a broken mcp.toml gives.

use super::{mcp, project, run};

/// The configuration seed 001 describes (one service under /mcp, health on /healthz).
pub const QUILT: &str = r#"name = "quilt-mcp"
region = "us-east-1"

[build]
context = "."
dockerfile = "Dockerfile"
target = "runtime"
args = { PYTHON_VERSION = "3.11" }

[ecr]
repository = "quilt-mcp-server"

[ecs]
cluster = "sales-prod"
service = "sales-prod-mcp-server-production"
container = "mcp"

[deploy]
timeout = "10m"
url = "https://demo.example.com/mcp"

[env]
LOG_LEVEL = "INFO"

[secrets]
JWT_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/mcp/jwt"

[stages.staging]
ecs = { cluster = "staging", service = "mcp-staging" }
env = { LOG_LEVEL = "DEBUG" }
"#;

#[test]
fn config_text_shows_values_and_sources() {
    let dir = project(&[("mcp.toml", QUILT)]);
    let r = run(mcp(dir.path()).arg("config"), dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
    assert_eq!(r.stderr, "    Resolved Using [DIR]/mcp.toml\n");
}

#[test]
fn config_json_with_stage_env_and_flag() {
    let dir = project(&[("mcp.toml", QUILT)]);
    let r = run(
        mcp(dir.path())
            .args(["config", "--output", "json", "--region", "eu-west-1"])
            .env("MCP_STAGE", "staging")
            .env("MCP_TIMEOUT", "20m"),
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["stage"], "staging");
    insta::assert_json_snapshot!(json);
}

#[test]
fn config_is_found_from_a_subdirectory() {
    let dir = project(&[("mcp.toml", QUILT), ("src/server/.keep", "")]);
    let r = run(
        mcp(&dir.path().join("src/server")).args(["config", "-o", "json"]),
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["config_file"], "[DIR]/mcp.toml");
}

fn config_error(text: &str) -> (i32, String) {
    let dir = project(&[("mcp.toml", text)]);
    let r = run(mcp(dir.path()).arg("config"), dir.path());
    assert_eq!(r.stdout, "", "errors print nothing on stdout");
    (r.code, r.stderr)
}

#[test]
fn error_unknown_key() {
    let (code, stderr) = config_error("name = \"x\"\n\n[ecs]\ncluster = \"c\"\nservise = \"s\"\n");
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn error_wrong_type() {
    let (code, stderr) = config_error("name = \"x\"\n[deploy]\nport = \"eighty\"\n");
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn error_bad_duration() {
    let (code, stderr) = config_error("[deploy]\ntimeout = \"15 minutes\"\n");
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn error_unknown_value() {
    let (code, stderr) = config_error("[deploy]\nrollback = \"sometimes\"\n");
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn error_missing_file() {
    let dir = project(&[]);
    let r = run(
        mcp(dir.path()).args(["config", "--config", "nope.toml"]),
        dir.path(),
    );
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr);
}

#[test]
fn error_no_file_anywhere() {
    let dir = project(&[]);
    let r = run(mcp(dir.path()).arg("config"), dir.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: no mcp.toml in `[DIR]` or any parent directory\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint: run `mcp init`"));
}

#[test]
fn error_bad_environment_override_names_the_variable() {
    let dir = project(&[("mcp.toml", QUILT)]);
    let r = run(
        mcp(dir.path()).arg("config").env("MCP_TIMEOUT", "soon"),
        dir.path(),
    );
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr);
}

#[test]
fn error_unknown_stage() {
    let dir = project(&[("mcp.toml", QUILT)]);
    let r = run(
        mcp(dir.path()).args(["config", "--stage", "prod"]),
        dir.path(),
    );
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr);
}

/// Guards rule 8 of STYLE.md: a secret value pasted where its reference belongs
/// is refused, and the error never repeats the value.
#[test]
fn error_secret_value_instead_of_a_reference() {
    let (code, stderr) = config_error("[secrets]\nAPI_KEY = \"sk-live-pasted-value\"\n");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`secrets.API_KEY` is not a Secrets Manager or SSM reference"),
        "{stderr}"
    );
    assert!(!stderr.contains("sk-live-pasted-value"), "{stderr}");
}
