//! GitHub Actions output (issue 15 item 4) where no testbed is needed: a
//! failure becomes one `::error::` annotation with its hint; outside Actions
//! nothing of the kind is written. The deploy groups and the job summary are
//! in `tests/it/github.rs`.

use crate::{mcp, project, run};

#[test]
fn a_configuration_error_is_an_annotation_with_its_hint_in_github_actions() {
    let dir = project(&[("mcp.toml", "name = \"x\"\nbogus = 1\n")]);
    let summary = dir.path().join("summary.md");
    let r = run(
        mcp(dir.path())
            .arg("deploy")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary),
        dir.path(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The plain report is still there, for people reading the log.
    assert!(
        r.stderr
            .contains("error: [DIR]/mcp.toml:2:1: unknown key `bogus`"),
        "{}",
        r.stderr
    );
    let annotations: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(
        annotations,
        [
            "::error title=mcp deploy::[DIR]/mcp.toml:2:1: unknown key `bogus`%0Ahint: valid keys here: `name`, `region`, `profile`, `target`, `build`, `ecr`, `ecs`, `lambda`, `deploy`, `check`, `cost`, `env`, `secrets`, `secrets_prefix`, `stages`, `services`, `preview`"
        ],
        "{}",
        r.stderr
    );
    // stdout is data only: no workflow command there.
    assert!(!r.stdout.contains("::"), "{}", r.stdout);
    // Nothing was deployed: no summary.
    assert!(!summary.exists());
}

#[test]
fn outside_github_actions_no_workflow_command_is_written() {
    let dir = project(&[("mcp.toml", "name = \"x\"\nbogus = 1\n")]);
    for value in [None, Some("false")] {
        let mut cmd = mcp(dir.path());
        cmd.arg("deploy");
        if let Some(value) = value {
            cmd.env("GITHUB_ACTIONS", value);
        }
        let r = run(&mut cmd, dir.path());
        assert_eq!(r.code, 2);
        assert!(
            !r.stderr.lines().any(|l| l.starts_with("::")),
            "GITHUB_ACTIONS={value:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn with_json_output_the_annotation_goes_to_stderr_and_stdout_stays_one_object() {
    let dir = project(&[]);
    let r = run(
        mcp(dir.path())
            .args(["status", "-o", "json"])
            .env("GITHUB_ACTIONS", "true"),
        dir.path(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("::error title=mcp status::no mcp.toml")),
        "{}",
        r.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["exit_code"], 2);
}

/// The annotation carries the error's text, which names URLs: their
/// credentials are redacted there as in every other output.
#[test]
fn url_credentials_stay_out_of_the_annotation() {
    let dir = project(&[]);
    let r = run(
        mcp(dir.path())
            .args(["check", "--url", "http://user:s3cret-pw@127.0.0.1:1/mcp"])
            .env("GITHUB_ACTIONS", "true"),
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let annotation = r
        .stderr
        .lines()
        .find(|l| l.starts_with("::error title=mcp check::"))
        .unwrap_or_else(|| panic!("no annotation: {}", r.stderr));
    assert!(
        annotation.contains("http://***@127.0.0.1:1/mcp"),
        "{annotation}"
    );
    assert!(!r.stderr.contains("s3cret-pw") && !r.stdout.contains("s3cret-pw"));
}
