//! Image tags: the short git sha by default, with a suffix derived from the
//! changes in the build context when it is dirty (see [`super::git`]), so two
//! different contexts never share a tag (ECR repositories with immutable tags
//! depend on that).

use anyhow::Result;

use crate::error::McpError;

pub use super::git::GitState;

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
            changed: Vec::new(),
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
}
