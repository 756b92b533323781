//! Command-line behaviour that needs no testbed: help text, `mcp config`,
//! configuration errors, `mcp init`. Snapshots (insta) show exactly what a user
//! sees; temporary paths are redacted to `[DIR]`.

use std::path::Path;

use assert_cmd::Command;

mod architecture;
mod aws_errors;
mod closed_output;
mod config;
mod github;
mod init;
mod permissions;
mod security;

/// `mcp` with a clean environment: no MCP_* variables, no CI (nor the
/// GitHub Actions job this may run in), no colour.
pub fn mcp(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("mcp").unwrap();
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("MCP_")
            || key.starts_with("AWS_")
            || key.starts_with("GITHUB_")
            || key == "CI"
        {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run and capture, with the temporary directory's path replaced by `[DIR]`.
pub fn run(cmd: &mut Command, dir: &Path) -> Run {
    let output = cmd.output().unwrap();
    let dir = dir.canonicalize().unwrap().display().to_string();
    let clean = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(&dir, "[DIR]");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: clean(&output.stdout),
        stderr: clean(&output.stderr),
    }
}

pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn help() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(mcp(dir.path()).arg("--help"), dir.path());
    assert_eq!(r.code, 0);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn unknown_command_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(mcp(dir.path()).arg("deploi"), dir.path());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unrecognized subcommand 'deploi'"),
        "{}",
        r.stderr
    );
}

/// The exit code of `mcp ARGS` whose stderr is a pipe nobody reads any more:
/// every write to it fails with EPIPE.
fn code_with_stderr_closed(dir: &Path, args: &[&str]) -> i32 {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("mcp"));
    cmd.current_dir(dir).env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("MCP_") || key.starts_with("AWS_") || key == "CI" {
            cmd.env_remove(key);
        }
    }
    cmd.args(args)
        .stdout(std::process::Stdio::null())
        .stderr(writer)
        .status()
        .unwrap()
        .code()
        .unwrap_or(-1)
}

/// Guards against `eprintln!`'s panic (exit 101) when stderr is closed: a
/// status line or an error report that cannot be written is dropped, and the
/// exit code still says what happened.
#[test]
fn a_closed_stderr_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    // An error report: no mcp.toml here (exit 2).
    assert_eq!(code_with_stderr_closed(dir.path(), &["config"]), 2);
    // A status line (`Resolved`) on the way to success.
    let project = project(&[("mcp.toml", "name = \"demo\"\n")]);
    assert_eq!(code_with_stderr_closed(project.path(), &["config"]), 0);
}

/// Each command's own options come first, the global ones under their own
/// heading, then examples (the commands people run most).
#[test]
fn command_help() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["deploy", "logs", "rollback", "init", "check"] {
        let r = run(mcp(dir.path()).args([command, "--help"]), dir.path());
        assert_eq!(r.code, 0, "{}", r.stderr);
        let own = r.stdout.find("\nOptions:").expect("an Options heading");
        let global = r
            .stdout
            .find("\nGlobal options:")
            .expect("a Global options heading");
        let examples = r.stdout.find("\nExamples:").expect("examples");
        assert!(own < global && global < examples, "{}", r.stdout);
        insta::assert_snapshot!(format!("help_{command}"), r.stdout);
    }
}

/// A key missing at the top level that a declared stage supplies: the hint names the stage.
#[test]
fn missing_key_hint_names_the_stage_that_has_it() {
    let dir = project(&[(
        "mcp.toml",
        "name = \"demo\"\n\n[stages.local]\ntarget = \"local\"\ndeploy = { url = \"http://127.0.0.1:8000/mcp\" }\n\n[stages.production]\necs = { cluster = \"prod\" }\n",
    )]);
    let deploy = run(mcp(dir.path()).arg("deploy"), dir.path());
    assert_eq!(deploy.code, 2, "{}", deploy.stderr);
    insta::assert_snapshot!("missing_cluster_names_stages", deploy.stderr);
    let check = run(mcp(dir.path()).arg("check"), dir.path());
    assert_eq!(check.code, 2, "{}", check.stderr);
    insta::assert_snapshot!("missing_url_names_stage", check.stderr);
    // With the stage that lacks it selected, the hint names the other stages only.
    let staged = run(
        mcp(dir.path()).args(["check", "--stage", "production"]),
        dir.path(),
    );
    assert!(
        staged
            .stderr
            .contains("hint: add `--stage local` (`[stages.local]` sets `deploy.url`)"),
        "{}",
        staged.stderr
    );
}
