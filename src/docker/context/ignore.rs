//! `.dockerignore`: how the file is read and which paths its patterns keep
//! out of the build context, exactly as Docker decides it.
//!
//! This is a port of:
//! - moby `patternmatcher/ignorefile.ReadAll`: how the file is read (a `#`
//!   comment only in column one, trimming, `filepath.Clean`, a leading `/`
//!   dropped, `!` for exceptions);
//! - moby `patternmatcher.New` / `Pattern.compile`: each pattern becomes an
//!   exact, prefix or suffix test or a Go regular expression (`*` → `[^/]*`,
//!   `?` → `[^/]`, `**` → `(.*/)?`, `[...]` passed through, `\` escapes);
//!   since `[...]` reaches Go's regexp engine verbatim, `[[:alpha:]]` or `[*]`
//!   mean what Go makes of them: the expression runs on `regex-lite` after
//!   [`super::go_regex::compile`] rewrites the few places its syntax differs;
//! - moby `patternmatcher.MatchesUsingParentResults` and the walk in
//!   `archive.TarWithOptions`: the last matching pattern wins, a match on a
//!   parent directory applies below it, and an excluded directory is entered
//!   only if the text of some `!` pattern starts with that directory's path;
//! - docker CLI `build.TrimBuildFilesFromExcludes`: the Dockerfile and
//!   `.dockerignore` are always sent (the engine needs them; it drops them
//!   from what `COPY` sees when the patterns exclude them). That part lives in
//!   the walk ([`super::walk`]) and in [`super::Context`].

use std::fs;
use std::io;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use regex_lite::Regex;

use super::DOCKERIGNORE;
use super::go_regex;

/// The parsed `.dockerignore` of a build context.
///
/// An empty value (no file, or no patterns) excludes nothing.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    /// Whether any `!` pattern exists (moby's `PatternMatcher.Exclusions`).
    exclusions: bool,
}

impl DockerIgnore {
    /// Parse the text of a `.dockerignore` file.
    ///
    /// A pattern Docker would reject (a lone `!`, an unterminated `[`, a bad
    /// range like `[z-a]`) is an error naming its line, here, rather than a
    /// failure half-way through the walk.
    pub fn parse(text: &str) -> Result<Self> {
        let lines = read_ignore_lines(text);
        let mut patterns = Vec::with_capacity(lines.len());
        for (line, text) in lines {
            if let Some(pattern) = Pattern::new(&text)
                .with_context(|| format!("{DOCKERIGNORE} line {line}: invalid pattern {text:?}"))?
            {
                patterns.push(pattern);
            }
        }
        let exclusions = patterns.iter().any(|p| p.exclusion);
        Ok(DockerIgnore {
            patterns,
            exclusions,
        })
    }

    /// Read `root/.dockerignore`; a context without one excludes nothing.
    pub fn from_dir(root: &Path) -> Result<Self> {
        let path = root.join(DOCKERIGNORE);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        };
        let text = String::from_utf8(bytes)
            .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Whether the patterns keep `rel_path` (relative to the context root,
    /// `/`-separated) out of the context, as Docker's walk decides it: the path
    /// is excluded by the patterns themselves, or it lies below an excluded
    /// directory that the walk does not enter.
    ///
    /// This is the patterns alone: [`write_tar`] sends the Dockerfile and
    /// `.dockerignore` even when this says they are excluded.
    pub fn is_excluded(&self, rel_path: &str) -> bool {
        self.is_excluded_in_walk(rel_path, &[])
    }

    /// [`Self::is_excluded`] for a walk that also enters excluded directories
    /// holding one of `always_sent` (the Dockerfile, `.dockerignore`), as the
    /// walk in [`super::walk`] does; `always_sent` themselves are not exempt
    /// here.
    pub(super) fn is_excluded_in_walk(&self, rel_path: &str, always_sent: &[String]) -> bool {
        let cleaned = clean(rel_path.trim_start_matches('/'));
        if cleaned == "." {
            // moby: "Don't let them exclude everything, kind of silly."
            return false;
        }
        let parts: Vec<&str> = cleaned.split('/').collect();
        let mut parent: Option<Vec<bool>> = None;
        for depth in 1..=parts.len() {
            let prefix = parts[..depth].join("/");
            let (excluded, info) = self.matches_using_parent_results(&prefix, parent.as_deref());
            if depth == parts.len() {
                return excluded;
            }
            if excluded && !self.can_descend(&prefix, always_sent) {
                return true;
            }
            parent = Some(info);
        }
        false
    }

    /// Port of moby `MatchesUsingParentResults`: whether `path` is excluded,
    /// plus, per pattern, whether it matched `path` (to pass to the children).
    ///
    /// With `parent` known, a pattern that matched the parent matches the child
    /// without a look; a pattern skipped at the parent (an exception while
    /// nothing was excluded, say) is tested against the child's full path only.
    /// Without it (`None`, moby's zero `MatchInfo`) each parent directory is
    /// tested, as `MatchesOrParentMatches` does.
    pub(super) fn matches_using_parent_results(
        &self,
        path: &str,
        parent: Option<&[bool]>,
    ) -> (bool, Vec<bool>) {
        let mut excluded = false;
        let mut info = vec![false; self.patterns.len()];
        for (i, pattern) in self.patterns.iter().enumerate() {
            let mut matched = parent.is_some_and(|p| p.get(i).copied().unwrap_or(false));
            if !matched {
                // An include pattern cannot change an excluded path, nor an
                // exception an included one: skip them, as moby does.
                if pattern.exclusion != excluded {
                    continue;
                }
                matched =
                    pattern.matches(path) || (parent.is_none() && pattern.matches_a_parent(path));
            }
            info[i] = matched;
            if matched {
                excluded = !pattern.exclusion;
            }
        }
        (excluded, info)
    }

    /// Whether the walk must enter the excluded directory `dir`: some `!`
    /// pattern's text (or a path that is always sent) starts with `dir/`.
    ///
    /// This is moby's test, and it is textual on purpose: `!**/*.pub` does not
    /// reach into an excluded `secrets/`, while `!secrets/id.pub` does.
    pub(super) fn can_descend(&self, dir: &str, always_sent: &[String]) -> bool {
        let dir_slash = format!("{dir}/");
        let by_pattern = self.exclusions
            && self
                .patterns
                .iter()
                .filter(|p| p.exclusion)
                .any(|p| format!("{}/", p.text).starts_with(&dir_slash));
        by_pattern || always_sent.iter().any(|keep| keep.starts_with(&dir_slash))
    }
}

/// Port of moby `ignorefile.ReadAll`: the patterns of an ignore file, each
/// with its 1-based line number.
fn read_ignore_lines(text: &str) -> Vec<(usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        // bufio.ScanLines drops one trailing \r.
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        // The comment test comes before trimming: " # x" is a pattern.
        if line.starts_with('#') {
            continue;
        }
        let mut pattern = line.trim();
        if pattern.is_empty() {
            continue;
        }
        let invert = pattern.starts_with('!');
        if invert {
            pattern = pattern[1..].trim();
        }
        let mut cleaned = String::new();
        if !pattern.is_empty() {
            cleaned = clean(pattern);
            // "/foo" means "foo": patterns are relative to the context root.
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
        }
        if invert {
            cleaned.insert(0, '!');
        }
        out.push((index + 1, cleaned));
    }
    out
}

/// Go's `path.Clean` (what `filepath.Clean` is on Unix): the shortest
/// equivalent path, without `.`, `..` after a name, repeated or trailing `/`.
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// Go's `filepath.Dir` (Unix): everything up to the last `/`, cleaned.
fn dir_of(path: &str) -> String {
    clean(path.rfind('/').map_or("", |i| &path[..=i]))
}

// ---------------------------------------------------------------------------
// One pattern
// ---------------------------------------------------------------------------

/// One `.dockerignore` line, compiled (moby `Pattern`).
#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern without its `!` (moby `cleanedPattern`).
    text: String,
    /// A `!` pattern: matching paths are taken back in.
    exclusion: bool,
    kind: MatchKind,
}

/// How a pattern is tested; moby picks the cheap forms where they are exact.
#[derive(Debug, Clone)]
enum MatchKind {
    /// No wildcard: the path equals the pattern.
    Exact,
    /// `dir/**`: the path starts with `dir/`.
    Prefix,
    /// `**/name`: the path ends with `/name` or is `name`.
    Suffix,
    Regexp(Regex),
}

impl Pattern {
    /// Port of moby `New` for one pattern: `None` for a blank one.
    fn new(raw: &str) -> Result<Option<Pattern>> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let cleaned = clean(trimmed);
        let (exclusion, text) = match cleaned.strip_prefix('!') {
            Some("") => bail!("illegal exclusion pattern: \"!\""),
            Some(rest) => (true, rest.to_string()),
            None => (false, cleaned.clone()),
        };
        // moby runs filepath.Match(pattern, ".") only for its syntax check.
        validate_glob(&text)?;
        let (kind, regexp) = translate(&text);
        let kind = match kind {
            TranslatedKind::Exact => MatchKind::Exact,
            TranslatedKind::Prefix => MatchKind::Prefix,
            TranslatedKind::Suffix => MatchKind::Suffix,
            // moby compiles lazily and reports ErrBadPattern at the first match,
            // which fails the docker CLI's context check; failing here names the
            // line instead.
            TranslatedKind::Regexp => MatchKind::Regexp(
                go_regex::compile(&regexp)
                    .with_context(|| format!("its regular expression {regexp} does not compile"))?,
            ),
        };
        Ok(Some(Pattern {
            text,
            exclusion,
            kind,
        }))
    }

    /// Port of moby `Pattern.match`.
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            MatchKind::Exact => path == self.text,
            MatchKind::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            MatchKind::Suffix => {
                let suffix = &self.text[2..];
                // "**/foo" also matches "foo" itself.
                path.ends_with(suffix) || suffix.strip_prefix('/').is_some_and(|bare| path == bare)
            }
            MatchKind::Regexp(regex) => regex.is_match(path),
        }
    }

    /// Whether the pattern matches one of `path`'s parent directories
    /// (the loop in moby `MatchesOrParentMatches`).
    fn matches_a_parent(&self, path: &str) -> bool {
        let parent = dir_of(path);
        if parent == "." {
            return false;
        }
        let dirs: Vec<&str> = parent.split('/').collect();
        (1..=dirs.len()).any(|n| self.matches(&dirs[..n].join("/")))
    }
}

/// The match type moby's `compile` settles on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TranslatedKind {
    Exact,
    Prefix,
    Suffix,
    Regexp,
}

/// Port of moby `Pattern.compile` for `/` as separator: the match type and
/// the Go regular expression (meaningful for `Regexp` only).
///
/// `i` counts loop turns, not characters, exactly as in moby: a `**` on the
/// first turn makes the pattern a suffix test unless something later needs
/// the regexp.
fn translate(pattern: &str) -> (TranslatedKind, String) {
    let chars: Vec<char> = pattern.chars().collect();
    let mut regexp = String::from("^");
    let mut kind = TranslatedKind::Exact;
    let mut pos = 0;
    let mut turn = 0;
    while pos < chars.len() {
        let ch = chars[pos];
        pos += 1;
        let peek = chars.get(pos).copied();
        match ch {
            '*' if peek == Some('*') => {
                pos += 1;
                // "**/" is "**": eat the slash.
                if chars.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos == chars.len() {
                    // A trailing "**" accepts everything, as in .gitignore.
                    if kind == TranslatedKind::Exact {
                        kind = TranslatedKind::Prefix;
                    } else {
                        regexp.push_str(".*");
                        kind = TranslatedKind::Regexp;
                    }
                } else {
                    // Any number of directories, including none.
                    regexp.push_str("(.*/)?");
                    kind = TranslatedKind::Regexp;
                }
                if turn == 0 {
                    kind = TranslatedKind::Suffix;
                }
            }
            '*' => {
                regexp.push_str("[^/]*");
                kind = TranslatedKind::Regexp;
            }
            '?' => {
                regexp.push_str("[^/]");
                kind = TranslatedKind::Regexp;
            }
            // Regexp metacharacters that mean nothing to filepath.Match.
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                regexp.push('\\');
                regexp.push(ch);
            }
            '\\' => {
                regexp.push('\\');
                if let Some(next) = peek {
                    regexp.push(next);
                    pos += 1;
                    kind = TranslatedKind::Regexp;
                }
            }
            '[' | ']' => {
                regexp.push(ch);
                kind = TranslatedKind::Regexp;
            }
            _ => regexp.push(ch),
        }
        turn += 1;
    }
    if kind == TranslatedKind::Regexp {
        regexp.push('$');
    }
    (kind, regexp)
}

/// The syntax check of Go's `filepath.Match` (Unix): every chunk between
/// stars must be well formed, whatever the name it is matched against.
fn validate_glob(pattern: &str) -> Result<()> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut rest = &chars[..];
    while !rest.is_empty() {
        let (chunk, after) = scan_chunk(rest);
        check_chunk(chunk).map_err(|why| anyhow::anyhow!("syntax error in pattern: {why}"))?;
        rest = after;
    }
    Ok(())
}

/// Go `scanChunk`: skip leading stars, then take up to the next star that is
/// not inside `[...]`.
fn scan_chunk(pattern: &[char]) -> (&[char], &[char]) {
    let start = pattern.iter().take_while(|c| **c == '*').count();
    let pattern = &pattern[start..];
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            '\\' if i + 1 < pattern.len() => i += 1,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (&pattern[..i], &pattern[i..])
}

/// The error paths of Go `matchChunk`.
fn check_chunk(chunk: &[char]) -> std::result::Result<(), &'static str> {
    let mut i = 0;
    while i < chunk.len() {
        match chunk[i] {
            '[' => {
                i += 1;
                if chunk.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut ranges = 0;
                loop {
                    if chunk.get(i) == Some(&']') && ranges > 0 {
                        i += 1;
                        break;
                    }
                    check_class_char(chunk, &mut i)?;
                    if chunk.get(i) == Some(&'-') {
                        i += 1;
                        check_class_char(chunk, &mut i)?;
                    }
                    ranges += 1;
                }
            }
            '\\' => {
                if i + 1 >= chunk.len() {
                    return Err("trailing backslash");
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Go `getEsc`: one character of a `[...]` class, which must be followed by
/// more pattern.
fn check_class_char(chunk: &[char], i: &mut usize) -> std::result::Result<(), &'static str> {
    match chunk.get(*i) {
        None => return Err("unterminated character class"),
        Some('-') | Some(']') => return Err("misplaced '-' or ']' in character class"),
        Some('\\') => {
            *i += 1;
            if *i >= chunk.len() {
                return Err("unterminated character class");
            }
        }
        Some(_) => {}
    }
    *i += 1;
    if *i >= chunk.len() {
        return Err("unterminated character class");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(patterns: &[&str]) -> DockerIgnore {
        DockerIgnore::parse(&patterns.join("\n")).expect("patterns parse")
    }

    // --- moby/patternmatcher helpers, as its tests use them ---------------

    impl DockerIgnore {
        /// moby `MatchesOrParentMatches`.
        fn matches_or_parent_matches(&self, path: &str) -> bool {
            let mut excluded = false;
            for pattern in &self.patterns {
                if pattern.exclusion != excluded {
                    continue;
                }
                if pattern.matches(path) || pattern.matches_a_parent(path) {
                    excluded = !pattern.exclusion;
                }
            }
            excluded
        }

        /// moby `MatchesExact`: no parent matching.
        fn matches_exact(&self, path: &str) -> bool {
            let mut excluded = false;
            for pattern in &self.patterns {
                if pattern.exclusion != excluded {
                    continue;
                }
                if pattern.matches(path) {
                    excluded = !pattern.exclusion;
                }
            }
            excluded
        }

        /// moby's test helper: feed each parent's `MatchInfo` to the next.
        fn matches_with_parent_chain(&self, path: &str) -> bool {
            let parts: Vec<&str> = path.split('/').collect();
            let mut info: Option<Vec<bool>> = None;
            for depth in 1..parts.len() {
                info = Some(
                    self.matches_using_parent_results(&parts[..depth].join("/"), info.as_deref())
                        .1,
                );
            }
            self.matches_using_parent_results(path, info.as_deref()).0
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Want {
        Fail,
        Exact,
        Inexact,
    }
    use Want::*;

    /// moby/patternmatcher patternmatcher_test.go `TestMatches`: single
    /// patterns (the Unix-only escape cases appended at the end).
    const MATCHES: &[(&str, &str, Want)] = &[
        ("**", "file", Exact),
        ("**", "file/", Exact),
        ("**/", "file", Exact),
        ("**/", "file/", Exact),
        ("**", "/", Exact),
        ("**/", "/", Exact),
        ("**", "dir/file", Exact),
        ("**/", "dir/file", Exact),
        ("**", "dir/file/", Exact),
        ("**/", "dir/file/", Exact),
        ("**/**", "dir/file", Exact),
        ("**/**", "dir/file/", Exact),
        ("dir/**", "dir/file", Exact),
        ("dir/**", "dir/file/", Exact),
        ("dir/**", "dir/dir2/file", Exact),
        ("dir/**", "dir/dir2/file/", Exact),
        ("**/dir", "dir", Exact),
        ("**/dir", "dir/file", Inexact),
        ("**/dir2/*", "dir/dir2/file", Exact),
        ("**/dir2/*", "dir/dir2/file/", Inexact),
        ("**/dir2/**", "dir/dir2/dir3/file", Exact),
        ("**/dir2/**", "dir/dir2/dir3/file/", Exact),
        ("**file", "file", Exact),
        ("**file", "dir/file", Exact),
        ("**/file", "dir/file", Exact),
        ("**file", "dir/dir/file", Exact),
        ("**/file", "dir/dir/file", Exact),
        ("**/file*", "dir/dir/file", Exact),
        ("**/file*", "dir/dir/file.txt", Exact),
        ("**/file*txt", "dir/dir/file.txt", Exact),
        ("**/file*.txt", "dir/dir/file.txt", Exact),
        ("**/file*.txt*", "dir/dir/file.txt", Exact),
        ("**/**/*.txt", "dir/dir/file.txt", Exact),
        ("**/**/*.txt2", "dir/dir/file.txt", Fail),
        ("**/*.txt", "file.txt", Exact),
        ("**/**/*.txt", "file.txt", Exact),
        ("a**/*.txt", "a/file.txt", Exact),
        ("a**/*.txt", "a/dir/file.txt", Exact),
        ("a**/*.txt", "a/dir/dir/file.txt", Exact),
        ("a/*.txt", "a/dir/file.txt", Fail),
        ("a/*.txt", "a/file.txt", Exact),
        ("a/*.txt**", "a/file.txt", Exact),
        ("a[b-d]e", "ae", Fail),
        ("a[b-d]e", "ace", Exact),
        ("a[b-d]e", "aae", Fail),
        ("a[^b-d]e", "aze", Exact),
        (".*", ".foo", Exact),
        (".*", "foo", Fail),
        ("abc.def", "abcdef", Fail),
        ("abc.def", "abc.def", Exact),
        ("abc.def", "abcZdef", Fail),
        ("abc?def", "abcZdef", Exact),
        ("abc?def", "abcdef", Fail),
        ("**/foo/bar", "foo/bar", Exact),
        ("**/foo/bar", "dir/foo/bar", Exact),
        ("**/foo/bar", "dir/dir2/foo/bar", Exact),
        ("abc/**", "abc", Fail),
        ("abc/**", "abc/def", Exact),
        ("abc/**", "abc/def/ghi", Exact),
        ("**/.foo", ".foo", Exact),
        ("**/.foo", "bar.foo", Fail),
        ("a(b)c/def", "a(b)c/def", Exact),
        ("a(b)c/def", "a(b)c/xyz", Fail),
        ("a.|)$(}+{bc", "a.|)$(}+{bc", Exact),
        (
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            Exact,
        ),
        (
            "dist/*.whl",
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            Exact,
        ),
        ("a\\\\", "a\\", Exact),
        ("a\\*b", "a*b", Exact),
    ];

    /// moby `TestMatches` multiPatternTests.
    const MULTI: &[(&[&str], &str, Want)] = &[
        (&["**", "!util/docker/web"], "util/docker/web/foo", Fail),
        (
            &["**", "!util/docker/web", "util/docker/web/foo"],
            "util/docker/web/foo",
            Exact,
        ),
        (
            &[
                "**",
                "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            ],
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            Fail,
        ),
        (
            &["**", "!dist/*.whl"],
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            Fail,
        ),
    ];

    /// Build a matcher the way moby's tests do: `New([]string{pattern})`,
    /// without the ignore-file reading (which would strip a leading "/").
    fn matcher(patterns: &[&str]) -> DockerIgnore {
        let patterns: Vec<Pattern> = patterns
            .iter()
            .filter_map(|p| Pattern::new(p).expect("pattern compiles"))
            .collect();
        let exclusions = patterns.iter().any(|p| p.exclusion);
        DockerIgnore {
            patterns,
            exclusions,
        }
    }

    #[test]
    fn moby_matches_table() {
        for &(pattern, text, want) in MATCHES {
            let pm = matcher(&[pattern]);
            let any = want != Fail;
            assert_eq!(
                pm.matches_exact(text),
                want == Exact,
                "MatchesExact({pattern:?}, {text:?})"
            );
            assert_eq!(
                pm.matches_or_parent_matches(text),
                any,
                "MatchesOrParentMatches({pattern:?}, {text:?})"
            );
            assert_eq!(
                pm.matches_with_parent_chain(text),
                any,
                "MatchesUsingParentResults({pattern:?}, {text:?})"
            );
            let (no_context, _) = pm.matches_using_parent_results(text, None);
            assert_eq!(
                no_context, any,
                "MatchesUsingParentResultsNoContext({pattern:?}, {text:?})"
            );
        }
        for &(patterns, text, want) in MULTI {
            let pm = matcher(patterns);
            let any = want != Fail;
            assert_eq!(
                pm.matches_or_parent_matches(text),
                any,
                "{patterns:?} {text:?}"
            );
            assert_eq!(
                pm.matches_with_parent_chain(text),
                any,
                "{patterns:?} {text:?}"
            );
            assert_eq!(
                pm.matches_using_parent_results(text, None).0,
                any,
                "{patterns:?} {text:?}"
            );
        }
    }

    /// moby `TestMatch`: Go's own filepath.Match cases, through moby's
    /// matcher; `None` where moby expects ErrBadPattern.
    const GO_MATCH: &[(&str, &str, Option<bool>)] = &[
        ("abc", "abc", Some(true)),
        ("*", "abc", Some(true)),
        ("*c", "abc", Some(true)),
        ("a*", "a", Some(true)),
        ("a*", "abc", Some(true)),
        ("a*", "ab/c", Some(true)),
        ("a*/b", "abc/b", Some(true)),
        ("a*/b", "a/c/b", Some(false)),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
        ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
        ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
        ("ab[c]", "abc", Some(true)),
        ("ab[b-d]", "abc", Some(true)),
        ("ab[e-g]", "abc", Some(false)),
        ("ab[^c]", "abc", Some(false)),
        ("ab[^b-d]", "abc", Some(false)),
        ("ab[^e-g]", "abc", Some(true)),
        ("a\\*b", "a*b", Some(true)),
        ("a\\*b", "ab", Some(false)),
        ("a?b", "a☺b", Some(true)),
        ("a[^a]b", "a☺b", Some(true)),
        ("a???b", "a☺b", Some(false)),
        ("a[^a][^a][^a]b", "a☺b", Some(false)),
        ("[a-ζ]*", "α", Some(true)),
        ("*[a-ζ]", "A", Some(false)),
        ("a?b", "a/b", Some(false)),
        ("a*b", "a/b", Some(false)),
        ("[\\]a]", "]", Some(true)),
        ("[\\-]", "-", Some(true)),
        ("[x\\-]", "x", Some(true)),
        ("[x\\-]", "-", Some(true)),
        ("[x\\-]", "z", Some(false)),
        ("[\\-x]", "x", Some(true)),
        ("[\\-x]", "-", Some(true)),
        ("[\\-x]", "a", Some(false)),
        ("[]a]", "]", None),
        ("[-]", "-", None),
        ("[x-]", "x", None),
        ("[x-]", "-", None),
        ("[x-]", "z", None),
        ("[-x]", "x", None),
        ("[-x]", "-", None),
        ("[-x]", "a", None),
        ("\\", "a", None),
        ("[a-b-c]", "a", None),
        ("[", "a", None),
        ("[^", "a", None),
        ("[^bc", "a", None),
        ("a[", "a", None),
        ("a[", "ab", None),
        ("*x", "xxx", Some(true)),
    ];

    #[test]
    fn go_filepath_match_table() {
        for &(pattern, text, want) in GO_MATCH {
            match (Pattern::new(pattern), want) {
                (Ok(_), None) => panic!("{pattern:?} should be a bad pattern"),
                (Err(_), None) => {}
                (Err(err), Some(_)) => panic!("{pattern:?}: {err:#}"),
                (Ok(_), Some(want)) => {
                    assert_eq!(
                        matcher(&[pattern]).matches_or_parent_matches(text),
                        want,
                        "{pattern:?} vs {text:?}"
                    );
                }
            }
        }
    }

    /// moby `compileTests`: the match type and the Go regexp moby builds.
    #[test]
    fn moby_compile_table() {
        use TranslatedKind::{Exact as E, Prefix as P, Regexp as R, Suffix as S};
        let cases: &[(&str, TranslatedKind, &str)] = &[
            ("*", R, "^[^/]*$"),
            ("file*", R, "^file[^/]*$"),
            ("*file", R, "^[^/]*file$"),
            ("a*/b", R, "^a[^/]*/b$"),
            ("**", S, ""),
            ("**/**", R, "^(.*/)?.*$"),
            ("dir/**", P, ""),
            ("**/dir", S, ""),
            ("**/dir2/*", R, "^(.*/)?dir2/[^/]*$"),
            ("**/dir2/**", R, "^(.*/)?dir2/.*$"),
            ("**file", S, ""),
            ("**/file*txt", R, "^(.*/)?file[^/]*txt$"),
            ("**/**/*.txt", R, "^(.*/)?(.*/)?[^/]*\\.txt$"),
            ("a[b-d]e", R, "^a[b-d]e$"),
            (".*", R, "^\\.[^/]*$"),
            ("abc.def", E, ""),
            ("abc?def", R, "^abc[^/]def$"),
            ("**/foo/bar", S, ""),
            ("a(b)c/def", E, ""),
            ("a.|)$(}+{bc", E, ""),
            (
                "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
                E,
                "",
            ),
        ];
        for &(pattern, kind, regexp) in cases {
            let (got_kind, got_regexp) = translate(&clean(pattern));
            assert_eq!(got_kind, kind, "{pattern:?}");
            if kind == R {
                assert_eq!(got_regexp, regexp, "{pattern:?}");
            }
        }
    }

    /// moby `TestCleanPatterns*` and `TestSingleExclamationError`.
    #[test]
    fn moby_new_rules() {
        assert_eq!(matcher(&["docs", "config", ""]).patterns.len(), 2);
        assert!(matcher(&["docs", "!docs/README.md"]).exclusions);
        assert!(matcher(&["docs", "  !docs/README.md"]).exclusions);
        assert!(matcher(&["docs", "!docs/README.md  "]).exclusions);
        assert!(!matcher(&["docs"]).exclusions);
        assert!(Pattern::new("!").is_err());
        // moby regression test for moby#52203: passes filepath.Match's check,
        // but "l-O" is a backwards range for Go's regexp.
        assert!(Pattern::new("[Local-Only]/").is_err());
        // Folder patterns and their exceptions (TestPatternMatchesFolder*).
        for folder in ["docs", "docs/", "docs/*"] {
            assert!(
                !matcher(&[folder, "!docs/README.md"]).matches_or_parent_matches("docs/README.md")
            );
        }
        assert!(matcher(&["!fileutils.go", "*.go"]).matches_or_parent_matches("fileutils.go"));
        assert!(!matcher(&["*.go", "!fileutils.go"]).matches_or_parent_matches("fileutils.go"));
        assert!(!matcher(&["*.go"]).is_excluded("."));
    }

    /// moby ignorefile_test.go `TestReadAll`.
    #[test]
    fn moby_read_all() {
        let content = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
        let got: Vec<String> = read_ignore_lines(content)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            got,
            [
                "test1",
                "test2",
                "a/file/here",
                "lastfile",
                "!inverted/abs/path",
                "!",
                "!"
            ]
        );
        // Line numbers count comments and blanks.
        let lines: Vec<usize> = read_ignore_lines(content)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(lines, [1, 2, 3, 5, 7, 8, 9]);
        // BOM, CRLF, cleaning, and a '#' that is not in column one.
        let got: Vec<String> = read_ignore_lines("\u{feff}a/./b/../c/\r\n #x\r\n//y\n/\n")
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(got, ["a/c", "#x", "y", "/"]);
    }

    #[test]
    fn go_clean() {
        let cases = [
            ("", "."),
            (".", "."),
            ("a/", "a"),
            ("./a//b/", "a/b"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("/", "/"),
            ("a/b/../../c", "c"),
            ("!a/../b", "b"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn bad_pattern_names_its_line() {
        let err = DockerIgnore::parse("ok\n# fine\nbad[\n").expect_err("bad pattern");
        let text = format!("{err:#}");
        assert!(text.contains("line 3"), "{text}");
        assert!(text.contains("bad["), "{text}");
        let err = DockerIgnore::parse("a\n!\n").expect_err("lone !");
        assert!(format!("{err:#}").contains("line 2"));
    }

    #[test]
    fn go_regexp_quirks_in_classes() {
        // Classes reach Go's regexp engine verbatim, so POSIX names work.
        let pm = matcher(&["[[:digit:]]*.txt"]);
        assert!(pm.is_excluded("1.txt"));
        assert!(!pm.is_excluded("a.txt"));
        // "[*]" becomes "[[^/]*]": a class {'[','^','/'} repeated, then ']'.
        let pm = matcher(&["x[*]"]);
        assert!(pm.is_excluded("x]"));
        assert!(pm.is_excluded("x[^]"));
        assert!(!pm.is_excluded("x*"));
        // \d is Go's digit class.
        assert!(matcher(&["v\\d"]).is_excluded("v7"));
        // Any escaped ASCII non-alphanumeric stands for itself, space included.
        assert!(matcher(&["my\\ file"]).is_excluded("my file"));
        // Negated classes, and Go's \D.
        let pm = matcher(&["[^a-c]x", "v\\D"]);
        assert!(pm.is_excluded("dx") && pm.is_excluded("va"));
        assert!(!pm.is_excluded("ax") && !pm.is_excluded("v1"));
        // "**" becomes ".*", and Go's "." does not match a newline.
        let pm = matcher(&["a/**/b"]);
        assert!(pm.matches_exact("a/x/y/b"));
        assert!(!pm.matches_exact("a/x\ny/b"));
        // Go reads "\x41" as 'A' (the old engine refused it); Go syntax that
        // regex-lite lacks is refused, not misread.
        assert!(matcher(&["a\\x41"]).is_excluded("aA"));
        assert!(Pattern::new("a\\pL").is_err());
        // Docker's "\<" is the character, not a word boundary.
        assert!(matcher(&["a\\<b"]).is_excluded("a<b"));
    }

    #[test]
    fn rules_docker_users_meet() {
        let di = ignore(&[
            "*.log",
            "!keep.log",
            "**/node_modules",
            "build/",
            "!build/keep/important.txt",
        ]);
        // Anchored at the root, unlike .gitignore.
        assert!(di.is_excluded("app.log"));
        assert!(!di.is_excluded("src/debug.log"));
        assert!(!di.is_excluded("keep.log"));
        assert!(di.is_excluded("node_modules/x.js"));
        assert!(di.is_excluded("a/b/node_modules/x.js"));
        // A trailing slash is cleaned away; an exception reaches into the folder.
        assert!(di.is_excluded("build/out.bin"));
        assert!(!di.is_excluded("build/keep/important.txt"));
        assert!(di.is_excluded("build/keep/other.txt"));
    }

    #[test]
    fn walk_rules_differ_from_plain_matching() {
        // A wildcard exception does not make the walk enter an excluded folder.
        let di = ignore(&["secrets", "!**/*.pub"]);
        assert!(!di.matches_or_parent_matches("secrets/id.pub"));
        assert!(di.is_excluded("secrets/id.pub"));
        assert!(!di.is_excluded("other/id.pub"));
        // With parent results, "!lib" (skipped while "lib" was included) does
        // not take back lib/vendor, which "lib/vendor" excluded.
        let di = ignore(&["lib/vendor", "!lib"]);
        assert!(!di.matches_or_parent_matches("lib/vendor/v.js"));
        assert!(di.is_excluded("lib/vendor/v.js"));
        assert!(!di.is_excluded("lib/index.js"));
    }
}
