//! Finding and reading mcp.toml, with errors that point at file:line:column.
//!
//! The file is parsed twice from the same text: once into the strict [`Layer`]
//! schema (which rejects unknown keys, wrong types and bad durations, with the
//! span of the offending value) and once into a plain TOML table that the
//! resolver overlays key by key, so every resolved value knows where it came from.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::schema::Layer;
use crate::error::McpError;

/// The name `mcp` looks for, walking up from the working directory.
pub const FILE_NAME: &str = "mcp.toml";

/// A parsed, validated configuration file.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// The directory relative paths in the file are resolved against.
    pub dir: PathBuf,
    pub layer: Layer,
    pub table: toml::Table,
}

/// Find the file: `explicit` (from `--config` or `MCP_CONFIG`) must exist;
/// otherwise walk up from `cwd`. `Ok(None)` when there is none.
pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<Option<PathBuf>> {
    if let Some(path) = explicit {
        let path = cwd.join(path);
        // A directory or an unreadable file is found here and explained by `load`.
        if !path.exists() {
            return Err(McpError::usage(format!("config file `{}` not found", path.display()))
                .hint("check the path given with --config or MCP_CONFIG, or run `mcp init` to write one")
                .into());
        }
        return Ok(Some(path));
    }
    for dir in cwd.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.symlink_metadata().is_ok() {
            if let Some(why) = planted(&candidate) {
                return Err(McpError::usage(format!(
                    "`{}` was found by walking up from `{}`, but {why}: someone else may have put it there, and it decides what `mcp` runs (`build.before`), where it deploys and where it sends a token",
                    candidate.display(),
                    cwd.display()
                ))
                .hint(format!(
                    "read it; if it is meant for this project, pass `--config {}` (or set MCP_CONFIG); otherwise remove it, or write your own with `mcp init`",
                    candidate.display()
                ))
                .into());
            }
            if candidate.exists() {
                return Ok(Some(candidate));
            }
        }
    }
    Ok(None)
}

/// Why a file found by walking up may have been planted by someone else, if
/// it may (issue 26 item 2): the link or its target is owned by another user
/// (neither the one running `mcp` nor root), or a folder holding either lets
/// others add or replace files (group- or world-writable without the sticky
/// bit). A folder of one's own whose group is one's own primary group (the
/// user-private group most systems create, often with umask 002) is not
/// counted as shared.
#[cfg(unix)]
fn planted(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid and getegid have no preconditions and cannot fail.
    let (me, my_group) = unsafe { (libc::geteuid(), libc::getegid()) };
    let link = std::fs::symlink_metadata(path).ok()?;
    let mut files = vec![(path.to_path_buf(), link.uid())];
    if link.file_type().is_symlink() {
        let target = std::fs::canonicalize(path).ok()?;
        let owner = std::fs::metadata(&target).ok()?.uid();
        files.push((target, owner));
    }
    for (file, owner) in &files {
        if is_foreign(*owner, me) {
            let what = if file == path {
                "it is"
            } else {
                "the file it links to is"
            };
            return Some(format!("{what} owned by another user (uid {owner})"));
        }
        let dir = file.parent().filter(|d| !d.as_os_str().is_empty())?;
        let meta = std::fs::metadata(dir).ok()?;
        let mode = meta.mode();
        let sticky = mode & 0o1000 != 0;
        let world = mode & 0o002 != 0;
        let own_group = meta.gid() == my_group && !is_foreign(meta.uid(), me);
        let group = mode & 0o020 != 0 && !own_group;
        if !sticky && (world || group) {
            return Some(format!(
                "the folder `{}` is {}-writable without the sticky bit (mode {:o})",
                dir.display(),
                if world { "world" } else { "group" },
                mode & 0o7777
            ));
        }
    }
    None
}

#[cfg(not(unix))]
fn planted(_path: &Path) -> Option<String> {
    None
}

fn is_foreign(owner: u32, me: u32) -> bool {
    owner != me && owner != 0
}

/// Read and check a configuration file.
pub fn load(path: &Path) -> Result<ConfigFile> {
    let bytes = std::fs::read(path).map_err(|err| unreadable(path, err))?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let at = err.utf8_error().valid_up_to();
        anyhow::Error::new(err.utf8_error()).context(
            McpError::usage(format!("cannot read config file `{}`", path.display())).hint(format!(
                "the file is not UTF-8 text (byte {at} is not): save it as UTF-8"
            )),
        )
    })?;
    parse(path, &text)
}

/// Why `path` could not be read, as a usage error (exit 2) naming it.
fn unreadable(path: &Path, err: std::io::Error) -> anyhow::Error {
    let hint = match err.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "check the file's permissions (`ls -l`) and owner".to_string()
        }
        std::io::ErrorKind::IsADirectory => format!(
            "`{}` is a folder: rename it, or point --config (MCP_CONFIG) at a file",
            path.display()
        ),
        _ => "check the path given with --config or MCP_CONFIG".to_string(),
    };
    anyhow::Error::new(err).context(
        McpError::usage(format!("cannot read config file `{}`", path.display())).hint(hint),
    )
}

/// Check `text` as the contents of `path`.
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile> {
    let layer: Layer = toml::from_str(text).map_err(|e| located(path, text, &e))?;
    check_nesting(path, &layer)?;
    let table: toml::Table = toml::from_str(text).map_err(|e| located(path, text, &e))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(ConfigFile {
        path: path.to_path_buf(),
        dir,
        layer,
        table,
    })
}

/// Stages may hold per-service overlays; services may not hold stages or services.
fn check_nesting(path: &Path, layer: &Layer) -> Result<()> {
    let display = path.display();
    for (stage, overlay) in layer.stages.iter().flatten() {
        if overlay.stages.is_some() {
            return Err(McpError::usage(format!(
                "{display}: `[stages.{stage}.stages]` is not allowed"
            ))
            .hint("stages do not nest; declare each stage at `[stages.<name>]`")
            .into());
        }
        for (service, inner) in overlay.services.iter().flatten() {
            if inner.stages.is_some() || inner.services.is_some() {
                return Err(McpError::usage(format!(
                    "{display}: `[stages.{stage}.services.{service}]` may not hold stages or services"
                ))
                .into());
            }
        }
    }
    for (service, overlay) in layer.services.iter().flatten() {
        if overlay.stages.is_some() || overlay.services.is_some() {
            return Err(McpError::usage(format!(
                "{display}: `[services.{service}]` may not hold stages or services"
            ))
            .hint(format!(
                "put stage settings for this service under `[stages.<stage>.services.{service}]`"
            ))
            .into());
        }
    }
    Ok(())
}

/// Turn a TOML/serde error into `file:line:column: message` with a hint.
fn located(path: &Path, text: &str, err: &toml::de::Error) -> anyhow::Error {
    let raw = err.message().trim().to_string();
    let (line, column, key) = match err.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            (line, column, key_at(text, span.start, span.end))
        }
        None => (1, 1, None),
    };
    let (message, hint) = explain(&raw, key.as_deref());
    let mut error = McpError::usage(format!("{}:{line}:{column}: {message}", path.display()));
    if let Some(hint) = hint {
        error = error.hint(hint);
    }
    error.into()
}

/// Reword serde's messages in mcp.toml's terms: keys, not fields.
fn explain(raw: &str, key: Option<&str>) -> (String, Option<String>) {
    let named = |what: &str| match key {
        Some(key) => format!("`{key}`: {what}"),
        None => what.to_string(),
    };
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        // "unknown field `x`, expected one of `a`, `b`" / "expected `a`"
        let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let message = match key {
            Some(key) => format!("unknown key `{key}`"),
            None => format!("unknown key {field}"),
        };
        let hint = if expected.is_empty() {
            "remove it; see the configuration reference, docs/configuration.md".to_string()
        } else {
            format!(
                "valid keys here: {}",
                expected.trim_start_matches("one of ")
            )
        };
        return (message, Some(hint));
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        let (value, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let hint = (!expected.is_empty())
            .then(|| format!("expected {}", expected.trim_start_matches("one of ")));
        return (named(&format!("unknown value {value}")), hint);
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ") {
        // "invalid type: string \"eighty\", expected u16"
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another type"));
        let expected = match expected {
            "u16" => "a whole number from 0 to 65535",
            "a boolean" => "true or false",
            other => other,
        };
        // `[secrets]` holds references; what was written there instead may be
        // the secret itself: name its type, never its value.
        let holds_secret = key.is_some_and(|k| k.split('.').any(|part| part == "secrets"));
        let found = if holds_secret {
            found.split_whitespace().next().unwrap_or("a value")
        } else {
            found
        };
        return (
            named(&format!("wrong type: expected {expected}, found {found}")),
            Some("see the configuration reference, docs/configuration.md".into()),
        );
    }
    if let Some((message, hint)) = raw.split_once(": write a number") {
        return (named(message), Some(format!("write a number{hint}")));
    }
    (named(raw), None)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// The dotted key a span belongs to: the table header above it, any inline
/// table key on the line, and the key written at or just before the span.
fn key_at(text: &str, start: usize, end: usize) -> Option<String> {
    let start = start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    let col = start - line_start;
    let end_col = end.min(line_end).saturating_sub(line_start).max(col);

    let mut path: Vec<String> = Vec::new();
    // The nearest `[table]` header above (not `[[array]]`, which mcp.toml has none of).
    for previous in text[..line_start].lines().rev() {
        let trimmed = previous.trim();
        if trimmed.starts_with('[') && !trimmed.starts_with("[[") {
            if let Some(close) = trimmed.find(']') {
                path.extend(
                    trimmed[1..close]
                        .split('.')
                        .map(|s| s.trim().trim_matches('"').to_string()),
                );
            }
            break;
        }
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') {
        // The span is on a header: the header itself is the key.
        let close = trimmed.find(']')?;
        return Some(trimmed[1..close].trim().to_string());
    }
    // Keys on this line: `a = {`, `b = ...` before the span, or the span itself when it is a key.
    let spanned = &line[col..end_col];
    let mut keys: Vec<String> = Vec::new();
    let mut depth_keys: Vec<usize> = Vec::new();
    let mut segment_start = 0;
    for (i, c) in line[..col].char_indices() {
        match c {
            '=' => {
                let key = line[segment_start..i].trim().trim_matches('"').to_string();
                keys.push(key);
                segment_start = i + 1;
            }
            '{' => {
                depth_keys.push(keys.len());
                segment_start = i + 1;
            }
            '}' => {
                if let Some(len) = depth_keys.pop() {
                    keys.truncate(len);
                }
                segment_start = i + 1;
            }
            ',' => {
                // A sibling in the same inline table: drop the previous sibling's key.
                let keep = depth_keys.last().copied().unwrap_or(0);
                keys.truncate(keep);
                segment_start = i + 1;
            }
            _ => {}
        }
    }
    // Keep only the keys that enclose the span: inline-table owners plus the last key.
    let mut enclosing: Vec<String> = depth_keys
        .iter()
        .filter_map(|&n| n.checked_sub(1).map(|i| keys[i].clone()))
        .collect();
    let after_equals = line[segment_start..col].trim().is_empty()
        && keys.len() > depth_keys.last().copied().unwrap_or(0);
    if after_equals {
        if let Some(last) = keys.last() {
            enclosing.push(last.clone());
        }
    } else if !spanned.trim().is_empty() {
        // An unknown key is reported at the key itself.
        enclosing.push(spanned.trim().trim_matches('"').to_string());
    }
    path.extend(enclosing);
    (!path.is_empty()).then(|| path.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> (String, Option<String>) {
        let err = parse(Path::new("mcp.toml"), text).unwrap_err();
        let mcp = err.downcast_ref::<McpError>().expect("an McpError");
        (mcp.message.clone(), mcp.hint.clone())
    }

    #[test]
    fn unknown_key_in_table_names_line_column_and_key() {
        let (message, hint) = error_of("name = \"x\"\n\n[deploy]\ntimout = \"5m\"\n");
        assert_eq!(message, "mcp.toml:4:1: unknown key `deploy.timout`");
        assert!(hint.unwrap().contains("`timeout`"));
    }

    #[test]
    fn wrong_type_in_inline_table_names_the_inner_key() {
        let (message, _) = error_of("[stages.staging]\necs = { cluster = \"a\", service = 3 }\n");
        assert!(message.starts_with("mcp.toml:2:"), "{message}");
        assert!(
            message.contains("`stages.staging.ecs.service`: wrong type"),
            "{message}"
        );
    }

    #[test]
    fn bad_duration_points_at_the_value() {
        let (message, hint) = error_of("[deploy]\ntimeout = \"15 minutes\"\n");
        assert!(
            message.starts_with("mcp.toml:2:11: `deploy.timeout`:"),
            "{message}"
        );
        assert!(hint.unwrap().contains("`15m`"));
    }

    #[test]
    fn services_may_not_nest_stages() {
        let (message, _) = error_of("[services.slack.stages.dev]\nname = \"x\"\n");
        assert!(
            message.contains("`[services.slack]` may not hold"),
            "{message}"
        );
    }

    /// Guards issue 16 item 5: a secret pasted as a number is not echoed.
    #[test]
    fn a_secret_written_as_a_number_is_not_echoed() {
        let (message, _) = error_of("[secrets]\nAPI_KEY = 8675309123\n");
        assert!(message.contains("`secrets.API_KEY`"), "{message}");
        assert!(message.contains("found integer"), "{message}");
        assert!(!message.contains("8675309123"), "{message}");
        let (message, _) = error_of("[stages.prod.secrets]\nAPI_KEY = { value = \"sk-123\" }\n");
        assert!(!message.contains("sk-123"), "{message}");
        // Elsewhere the value helps and is shown.
        let (message, _) = error_of("[deploy]\nport = \"eighty\"\n");
        assert!(message.contains("eighty"), "{message}");
    }

    #[test]
    fn another_users_file_is_foreign_but_roots_and_mine_are_not() {
        assert!(is_foreign(1001, 1000));
        assert!(is_foreign(1001, 0));
        assert!(!is_foreign(1000, 1000));
        assert!(!is_foreign(0, 1000));
    }

    /// Guards against an unreadable mcp.toml ending in exit 1 without naming
    /// the file (as root, a test cannot make a real file unreadable).
    #[test]
    fn a_file_that_cannot_be_read_is_a_usage_error_naming_it() {
        let err = unreadable(
            Path::new("/p/mcp.toml"),
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert_eq!(mcp.status, crate::error::ExitStatus::Usage);
        assert_eq!(mcp.message, "cannot read config file `/p/mcp.toml`");
        assert!(mcp.hint.as_deref().unwrap().contains("permissions"));
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
    }
}
