//! Image tags: the short git sha by default, with a suffix derived from the
//! uncommitted changes when the tree is dirty, so two different trees never
//! share a tag (ECR repositories with immutable tags depend on that).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::error::McpError;

/// What git says about the working tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GitState {
    /// Full commit sha of HEAD.
    pub sha: String,
    /// Short sha (12 characters).
    pub short: String,
    /// `None` for a clean tree; otherwise a hash of the changes (tracked diff and untracked files).
    pub dirty: Option<String>,
    /// `origin`'s URL, for the OCI source label.
    pub remote: Option<String>,
}

impl GitState {
    /// The `{git_sha}` of a tag: `abc123def456`, or `abc123def456-dirty-1f2e3d4c` for a dirty tree.
    pub fn tag_sha(&self) -> String {
        match &self.dirty {
            None => self.short.clone(),
            Some(hash) => format!("{}-dirty-{hash}", self.short),
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Option<Vec<u8>>> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .with_context(|| format!("running `git {}`", args.join(" ")))?;
    Ok(output.status.success().then_some(output.stdout))
}

/// The git state of `dir`, or `None` when it is not in a git work tree with a commit.
pub fn git_state(dir: &Path) -> Result<Option<GitState>> {
    let Some(head) = git(dir, &["rev-parse", "HEAD"])? else {
        return Ok(None);
    };
    let sha = String::from_utf8_lossy(&head).trim().to_string();
    let short = sha.chars().take(12).collect();
    let remote = git(dir, &["remote", "get-url", "origin"])?
        .map(|out| String::from_utf8_lossy(&out).trim().to_string());

    // Tracked changes (staged or not) against HEAD, then untracked files that git does not ignore.
    let diff = git(
        dir,
        &["diff", "HEAD", "--binary", "--no-color", "--no-ext-diff"],
    )?
    .unwrap_or_default();
    let untracked =
        git(dir, &["ls-files", "--others", "--exclude-standard", "-z"])?.unwrap_or_default();
    let dirty = if diff.is_empty() && untracked.is_empty() {
        None
    } else {
        let root = git(dir, &["rev-parse", "--show-toplevel"])?
            .map(|o| String::from_utf8_lossy(&o).trim().to_string());
        let root = root
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| dir.to_path_buf());
        let mut hasher = Sha256::new();
        hasher.update(&diff);
        for name in untracked.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            hasher.update(name);
            hasher.update([0]);
            // ls-files paths are relative to `dir`; read them from there.
            let path = dir.join(String::from_utf8_lossy(name).as_ref());
            let path = if path.exists() {
                path
            } else {
                root.join(String::from_utf8_lossy(name).as_ref())
            };
            if let Ok(bytes) = std::fs::read(&path) {
                hasher.update(&bytes);
            }
            hasher.update([0]);
        }
        let digest = hasher.finalize();
        Some(digest.iter().take(4).map(|b| format!("{b:02x}")).collect())
    };
    Ok(Some(GitState {
        sha,
        short,
        dirty,
        remote,
    }))
}

/// Values a tag template may use.
pub struct TagContext<'a> {
    pub git: Option<&'a GitState>,
    pub name: &'a str,
    pub stage: Option<&'a str>,
    /// UTC, `YYYYMMDDHHMMSS`.
    pub timestamp: String,
}

/// Render `build.tag`: `{git_sha}`, `{timestamp}`, `{stage}`, `{name}`.
pub fn render(template: &str, ctx: &TagContext<'_>) -> Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map(|i| open + i).ok_or_else(|| {
            McpError::usage(format!(
                "`build.tag` template `{template}` has an unclosed `{{`"
            ))
        })?;
        let key = &rest[open + 1..close];
        match key {
            "git_sha" => match ctx.git {
                Some(git) => out.push_str(&git.tag_sha()),
                None => {
                    return Err(McpError::usage("`build.tag` uses {git_sha} but the build context is not in a git repository with a commit")
                        .hint("commit once (`git init && git commit`), or set `build.tag` to e.g. \"{timestamp}\" or pass --tag")
                        .into());
                }
            },
            "timestamp" => out.push_str(&ctx.timestamp),
            "stage" => out.push_str(ctx.stage.unwrap_or("default")),
            "name" => out.push_str(ctx.name),
            other => {
                return Err(McpError::usage(format!(
                    "`build.tag` template `{template}` has an unknown placeholder `{{{other}}}`"
                ))
                .hint("use {git_sha}, {timestamp}, {stage} or {name}")
                .into());
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    validate(&out)?;
    Ok(out)
}

/// Docker's tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn validate(tag: &str) -> Result<()> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(McpError::usage(format!("`{tag}` is not a valid image tag"))
            .hint("tags are up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`")
            .into())
    }
}

/// Now, as a tag timestamp (UTC `YYYYMMDDHHMMSS`).
pub fn timestamp_now() -> String {
    jiff::Timestamp::now().strftime("%Y%m%d%H%M%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(git: Option<&GitState>) -> TagContext<'_> {
        TagContext {
            git,
            name: "quilt",
            stage: Some("staging"),
            timestamp: "20261121093000".into(),
        }
    }

    #[test]
    fn templates() {
        let clean = GitState {
            sha: "a".repeat(40),
            short: "a".repeat(12),
            dirty: None,
            remote: None,
        };
        assert_eq!(
            render("{git_sha}", &ctx(Some(&clean))).unwrap(),
            "a".repeat(12)
        );
        assert_eq!(
            render("{name}-{stage}-{timestamp}", &ctx(None)).unwrap(),
            "quilt-staging-20261121093000"
        );
        let dirty = GitState {
            dirty: Some("0badf00d".into()),
            ..clean
        };
        assert_eq!(
            render("v1-{git_sha}", &ctx(Some(&dirty))).unwrap(),
            format!("v1-{}-dirty-0badf00d", "a".repeat(12))
        );
    }

    #[test]
    fn bad_templates_are_usage_errors() {
        assert!(
            render("{git_sha}", &ctx(None))
                .unwrap_err()
                .to_string()
                .contains("not in a git repository")
        );
        assert!(
            render("{branch}", &ctx(None))
                .unwrap_err()
                .to_string()
                .contains("unknown placeholder `{branch}`")
        );
        assert!(render("{name", &ctx(None)).is_err());
        assert!(render("bad/tag", &ctx(None)).is_err());
    }

    /// Guards the promise that two different dirty trees never share a tag.
    #[test]
    fn different_changes_give_different_tags() {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            assert!(
                Command::new("git")
                    .args(args)
                    .current_dir(dir.path())
                    .output()
                    .unwrap()
                    .status
                    .success()
            )
        };
        run(&["init", "-q"]);
        std::fs::write(dir.path().join("a.txt"), "one").unwrap();
        run(&["add", "."]);
        run(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "c",
        ]);
        let clean = git_state(dir.path()).unwrap().unwrap();
        assert_eq!(clean.dirty, None);
        std::fs::write(dir.path().join("a.txt"), "two").unwrap();
        let first = git_state(dir.path()).unwrap().unwrap().tag_sha();
        std::fs::write(dir.path().join("a.txt"), "three").unwrap();
        let second = git_state(dir.path()).unwrap().unwrap().tag_sha();
        assert!(first.contains("-dirty-") && second.contains("-dirty-"));
        assert_ne!(first, second);
        // An untracked file alone makes the tree dirty too, and its content counts.
        std::fs::write(dir.path().join("a.txt"), "one").unwrap();
        std::fs::write(dir.path().join("new.txt"), "x").unwrap();
        let third = git_state(dir.path()).unwrap().unwrap().tag_sha();
        std::fs::write(dir.path().join("new.txt"), "y").unwrap();
        let fourth = git_state(dir.path()).unwrap().unwrap().tag_sha();
        assert_ne!(third, fourth);
        assert!(
            git_state(tempfile::tempdir().unwrap().path())
                .unwrap()
                .is_none()
        );
    }
}
