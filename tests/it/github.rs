//! GitHub Actions output of a real deploy (issue 15 item 4), on the local
//! target: the phases fold into groups, a failed release is one `::error::`
//! annotation with what to run next, and each deploy appends a row to the job
//! summary. Text from the release (its output) cannot act as a workflow command.

use crate::image::commit_all;
use crate::local::{free_port, healthz, local_project};
use crate::testbed::run;

/// The workflow commands among stderr's lines, in order.
fn commands(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("::")).collect()
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_deploy_in_github_actions_groups_its_phases_annotates_a_failure_and_writes_a_summary() {
    let tb = crate::testbed!();
    let port = free_port();
    let dir = local_project(tb, port);
    let summary = dir.path().join("step-summary.md");
    let name = std::fs::read_to_string(dir.path().join("mcp.toml"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("name = \"")
        .trim_end_matches('"')
        .to_string();
    let deploy = || {
        run(tb
            .mcp(dir.path())
            .args([
                "--stage",
                "local",
                "deploy",
                "--no-check",
                "-v",
                "-o",
                "json",
            ])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env_remove("API_KEY"))
    };

    let first = deploy();
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(healthz(port));
    assert_eq!(
        commands(&first.stderr),
        [
            format!("::group::mcp deploy {name}: build, push, register").as_str(),
            "::endgroup::",
            format!("::group::mcp deploy {name}: roll out").as_str(),
            "::endgroup::",
        ],
        "{}",
        first.stderr
    );
    // The build's steps are inside the first group.
    let build_group = first
        .stderr
        .split("::group::")
        .nth(1)
        .unwrap()
        .split("::endgroup::")
        .next()
        .unwrap();
    assert!(build_group.contains("Built"), "{}", first.stderr);
    // stdout is the report alone.
    assert_eq!(first.json()["status"], "succeeded");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains(&format!("### mcp deploy: {name}")), "{text}");
    assert!(text.contains("| ✅ succeeded | release 1 |"), "{text}");
    assert!(
        !text.contains("local-dev-key-123"),
        "the .env secret stays out of the summary"
    );

    // A release that writes a workflow command as it dies: exit 3, release 1
    // runs again, one annotation (ours), and the release's text is inert.
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nRUN echo '::error::pwned at build {name}' && echo '  ::add-mask::hidden'\nCMD [\"sh\", \"-c\", \"echo '::error::pwned'; echo '::add-mask::hidden'; echo cannot start >&2; exit 4\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE"),
        ),
    )
    .unwrap();
    commit_all(dir.path());
    let failed = deploy();
    assert_eq!(failed.code, 3, "{}\n{}", failed.stdout, failed.stderr);
    assert!(healthz(port), "release 1 answers again");
    let commands = commands(&failed.stderr);
    let annotations: Vec<&&str> = commands
        .iter()
        .filter(|l| !l.starts_with("::group::") && **l != "::endgroup::")
        .collect();
    assert_eq!(annotations.len(), 1, "{}", failed.stderr);
    let annotation = annotations[0];
    assert!(
        annotation.starts_with(&format!(
            "::error title=mcp deploy {name}::release 2 did not go live; release 1 runs again: "
        )),
        "{annotation}"
    );
    assert!(annotation.contains("exited with code 4"), "{annotation}");
    // The build's output (-v) and the release's are shown, never as a command:
    // the RUN step printed a line that the runner would have taken for one.
    let build_line = format!("::error::pwned at build {name}");
    assert!(
        failed
            .stderr
            .lines()
            .any(|l| l.trim_start().replace('\u{200b}', "") == build_line),
        "the RUN step's output is shown with -v: {}",
        failed.stderr
    );
    assert!(annotation.contains("pwned"), "{annotation}");
    for command in ["::error::pwned", "::add-mask::"] {
        assert!(
            !failed
                .stderr
                .lines()
                .any(|l| l.trim_start().starts_with(command)),
            "{command} reached the runner: {}",
            failed.stderr
        );
    }
    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(text.matches("### mcp deploy:").count(), 2, "{text}");
    assert!(
        text.contains("| ↩️ rolled back | release 2 |") && text.contains("| back to release 1 |"),
        "{text}"
    );

    let down = run(tb.mcp(dir.path()).args(["--stage", "local", "down"]));
    assert_eq!(down.code, 0, "{}", down.stderr);
}
