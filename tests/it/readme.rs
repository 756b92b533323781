//! The documented CI examples fail when `mcp` fails (issue 12 item 1).
//!
//! GitHub Actions runs a `run:` step with `bash -e` and no `pipefail` (unless the
//! step says `shell: bash`), so `mcp deploy … | tee deploy.json` took `tee`'s
//! exit code and a failed deploy showed green. Every `run:` step of the YAML
//! examples of README.md and docs/*.md (the CI one is docs/ci.md) that runs
//! `mcp deploy` or `mcp push` is run here the way GitHub runs it, with a fake
//! `mcp` first on PATH: failing, the step must fail; succeeding, the step must
//! succeed.

use std::path::Path;
use std::process::Command;

/// The `run:` steps of the README's ```yaml blocks (one-line values and `|`/`>` blocks).
fn ci_steps(readme: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut in_yaml = false;
    let mut lines = readme.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_yaml = !in_yaml && trimmed.trim_start_matches('`').trim() == "yaml";
            continue;
        }
        if !in_yaml {
            continue;
        }
        let Some(value) = trimmed
            .strip_prefix("- ")
            .unwrap_or(trimmed)
            .strip_prefix("run:")
        else {
            continue;
        };
        let value = value.trim();
        if value.starts_with('|') || value.starts_with('>') {
            let indent = line.len() - trimmed.len();
            let mut block = Vec::new();
            while let Some(next) = lines.peek() {
                let next_indent = next.len() - next.trim_start().len();
                if !next.trim().is_empty() && next_indent <= indent {
                    break;
                }
                block.push(next.trim().to_string());
                lines.next();
            }
            let joiner = if value.starts_with('|') { "\n" } else { " " };
            steps.push(block.join(joiner));
        } else {
            steps.push(value.to_string());
        }
    }
    steps
}

fn runs_mcp_deploy_or_push(step: &str) -> bool {
    step.contains("mcp deploy") || step.contains("mcp push")
}

/// Run `step` as GitHub does (`bash --noprofile --norc -e`), a fake `mcp` that
/// exits `code` (after printing a JSON report, as `--output json` does) first on PATH.
fn run_step(step: &str, code: i32) -> (i32, bool) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let ran = dir.path().join("mcp-ran");
    let fake = bin.join("mcp");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\ntouch '{}'\necho '{{\"status\": \"{}\", \"revision\": \"app:2\", \"image\": \"repo:tag\"}}'\necho 'mcp: fake' >&2\nexit {code}\n",
            ran.display(),
            if code == 0 { "deployed" } else { "rolled_back" },
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-c", step])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .env("GITHUB_PATH", dir.path().join("path"))
        .env("CI", "true")
        .output()
        .unwrap();
    (status.status.code().unwrap_or(-1), Path::new(&ran).exists())
}

/// README.md and the reference pages under docs/ (the CI example is in docs/ci.md).
fn pages() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("README.md")];
    let mut docs: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

#[test]
fn every_ci_step_that_runs_mcp_fails_when_mcp_fails() {
    let ci =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md")).unwrap();
    assert!(
        ci_steps(&ci).iter().any(|s| runs_mcp_deploy_or_push(s)),
        "no `run:` step of a docs/ci.md yaml block runs `mcp deploy` or `mcp push`: did the CI example move?"
    );
    let steps: Vec<String> = pages()
        .iter()
        .flat_map(|page| ci_steps(page))
        .filter(|s| runs_mcp_deploy_or_push(s))
        .collect();
    for step in &steps {
        for code in [3, 4] {
            let (status, ran) = run_step(step, code);
            assert!(ran, "the step never ran the fake `mcp`:\n{step}");
            assert_ne!(
                status, 0,
                "`mcp` exited {code} and the step passed (a pipe without pipefail?):\n{step}"
            );
        }
        let (status, ran) = run_step(step, 0);
        assert!(
            ran && status == 0,
            "the step fails even when `mcp` succeeds:\n{step}"
        );
    }
}

#[test]
fn the_step_extractor_reads_one_line_and_block_steps() {
    let readme = "```sh\nrun: not yaml\n```\n```yaml\nsteps:\n  - run: mcp deploy | tee x\n  - name: b\n    run: |\n      set -o pipefail\n      mcp push\n  - run: echo done\n```\n";
    assert_eq!(
        ci_steps(readme),
        [
            "mcp deploy | tee x",
            "set -o pipefail\nmcp push",
            "echo done"
        ]
    );
    // The trap itself, as GitHub runs it: the pipe hides the failure.
    assert_eq!(
        run_step("mcp deploy --output json | tee deploy.json", 3).0,
        0
    );
    assert_ne!(
        run_step(
            "set -o pipefail\nmcp deploy --output json | tee deploy.json",
            3
        )
        .0,
        0
    );
}
