//! The build context: which files `mcp build` sends to the Docker engine, and
//! how they get there.
//!
//! # Why this module exists
//!
//! `POST /build` takes the whole build context as one tar archive in the request
//! body; the engine never looks at the caller's disk. `mcp build` therefore has
//! to turn the `build.context` directory into a tar, and it has to do so the way
//! `docker build` does, or an image built by `mcp` differs from the one the user
//! gets by hand: a `.env` that `.dockerignore` keeps out must stay out, and a
//! file that a `!` line takes back in must be there.
//!
//! Two constraints shape the code:
//!
//! * **Memory stays flat.** A context can be gigabytes (a model, a vendored
//!   tree). [`write_tar`] walks the tree one directory listing at a time and
//!   copies each file straight into the tar writer; [`stream`] runs it on a
//!   blocking thread that feeds 64 KiB chunks through a bounded channel, so at
//!   most a few chunks are in memory while the engine reads the body.
//! * **`.dockerignore` means what Docker says it means.** No crate implements
//!   Docker's rules faithfully: the `ignore` crate follows `.gitignore`, where a
//!   pattern without a slash matches at any depth (Docker anchors every pattern
//!   at the context root, so `*.log` leaves `src/debug.log` in) and where a
//!   file inside an excluded directory cannot be taken back. Docker's rules
//!   have their own quirks, and users rely on them, so this is a port, not a
//!   re-imagining, of:
//!   - moby `patternmatcher/ignorefile.ReadAll`: how the file is read (a `#`
//!     comment only in column one, trimming, `filepath.Clean`, a leading `/`
//!     dropped, `!` for exceptions);
//!   - moby `patternmatcher.New` / `Pattern.compile`: each pattern becomes an
//!     exact, prefix or suffix test or a Go regular expression (`*` → `[^/]*`,
//!     `?` → `[^/]`, `**` → `(.*/)?`, `[...]` passed through, `\` escapes);
//!     since `[...]` is handed to Go's regexp engine verbatim, a small engine
//!     for the subset of Go regexp syntax those translations can produce is
//!     included here ([`Regex`]), so `[[:alpha:]]` or `[*]` behave as in Docker;
//!   - moby `patternmatcher.MatchesUsingParentResults` and the walk in
//!     `archive.TarWithOptions`: the last matching pattern wins, a match on a
//!     parent directory applies below it, and an excluded directory is entered
//!     only if the text of some `!` pattern starts with that directory's path;
//!   - docker CLI `build.TrimBuildFilesFromExcludes`: the Dockerfile and
//!     `.dockerignore` are always sent (the engine needs them; it drops them
//!     from what `COPY` sees when the patterns exclude them).
//!
//! `tests/fixtures/dockerignore` holds a tree whose `.dockerignore` exercises
//! these rules, and `expected.txt`, the paths a real `docker build` (classic
//! builder, docker CLI 28.2 against dockerd 20.10) put into the image; a test
//! below checks this module produces exactly that.
//!
//! # Handing the body to bollard
//!
//! bollard 0.21's `Docker::build_image(options, credentials, Option<BodyType>)`
//! takes an `http_body_util::Either<Full<Bytes>, StreamBody<..>>`; the stream
//! from [`stream`] fits `bollard::body_try_stream(body)`, which wraps a
//! `Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static`. An `Err`
//! item aborts the upload, so a context that fails half-way is never built.

use std::ffi::OsString;
use std::fs::{self, File, FileType, Metadata};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{Context as _, Result, bail};
use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The ignore file's name, at the root of the context.
pub const DOCKERIGNORE: &str = ".dockerignore";

/// Size of the chunks [`stream`] hands to the HTTP body.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// Chunks the channel holds before the tar writer waits for the engine to read.
const CHANNEL_CHUNKS: usize = 4;

// ---------------------------------------------------------------------------
// .dockerignore
// ---------------------------------------------------------------------------

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
            if excluded && !self.can_descend(&prefix, &[]) {
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
    fn matches_using_parent_results(
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
    fn can_descend(&self, dir: &str, always_sent: &[String]) -> bool {
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
                Regex::new(&regexp)
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

// ---------------------------------------------------------------------------
// A small Go-regexp engine
// ---------------------------------------------------------------------------

/// A compiled regular expression in the subset of Go `regexp` syntax that
/// moby's translation produces: literals and `\` escapes, `.`, `^`, `$`,
/// classes (ranges, negation, `\d\s\w`, `[:name:]`), groups and the `*`, `+`,
/// `?` repeats. Matching runs a Thompson NFA, so it is linear in the path.
///
/// Semantics follow Go's defaults (`syntax.Perl`): `.` does not match `\n`,
/// `^`/`$` anchor at the ends of the text, `[^a]` does match `\n`. Escapes Go
/// has but the translation cannot meaningfully produce (`\x`, `\p`, `\Q`,
/// octal) are refused when the pattern is parsed.
#[derive(Debug, Clone)]
struct Regex {
    program: Vec<Inst>,
}

#[derive(Debug, Clone)]
enum Inst {
    Char(char),
    Class(Class),
    AnyNotNewline,
    Assert(Look),
    Split(usize, usize),
    Jump(usize),
    Match,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    TextStart,
    TextEnd,
    WordBoundary,
    NotWordBoundary,
}

/// A character class as sorted inclusive ranges.
#[derive(Debug, Clone, Default)]
struct Class {
    ranges: Vec<(char, char)>,
}

impl Class {
    fn from_ranges(ranges: &[(char, char)]) -> Class {
        Class {
            ranges: ranges.to_vec(),
        }
    }

    fn contains(&self, c: char) -> bool {
        self.ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi)
    }

    fn add(&mut self, other: &Class) {
        self.ranges.extend_from_slice(&other.ranges);
    }

    /// Every character not in the class.
    fn negated(&self) -> Class {
        let mut ranges = self.ranges.clone();
        ranges.sort();
        let mut out = Vec::new();
        let mut next = Some('\0');
        for (lo, hi) in ranges {
            // The gap before this range, if the ranges so far left one.
            if let Some(start) = next
                && start < lo
                && let Some(end) = char_before(lo)
            {
                out.push((start, end));
            }
            next = match (next, char_after(hi)) {
                (Some(n), Some(a)) => Some(n.max(a)),
                _ => None,
            };
        }
        if let Some(start) = next {
            out.push((start, char::MAX));
        }
        Class { ranges: out }
    }
}

fn char_before(c: char) -> Option<char> {
    match c {
        '\0' => None,
        '\u{E000}' => Some('\u{D7FF}'),
        _ => char::from_u32(c as u32 - 1),
    }
}

fn char_after(c: char) -> Option<char> {
    match c {
        char::MAX => None,
        '\u{D7FF}' => Some('\u{E000}'),
        _ => char::from_u32(c as u32 + 1),
    }
}

/// Go's `\d`, `\s`, `\w` and their negations.
fn perl_class(letter: char) -> Option<Class> {
    let base = match letter.to_ascii_lowercase() {
        'd' => Class::from_ranges(&[('0', '9')]),
        's' => Class::from_ranges(&[('\t', '\n'), ('\x0C', '\r'), (' ', ' ')]),
        'w' => Class::from_ranges(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')]),
        _ => return None,
    };
    Some(if letter.is_ascii_uppercase() {
        base.negated()
    } else {
        base
    })
}

/// Go's POSIX classes, `[:alpha:]` and `[:^alpha:]`.
fn posix_class(name: &str) -> Option<Class> {
    let (negate, name) = match name.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let ranges: &[(char, char)] = match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => &[('\0', '\x7F')],
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\x1F'), ('\x7F', '\x7F')],
        "digit" => &[('0', '9')],
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => &[('\t', '\r'), (' ', ' ')],
        "upper" => &[('A', 'Z')],
        "word" => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    };
    let class = Class::from_ranges(ranges);
    Some(if negate { class.negated() } else { class })
}

/// Go's single-letter escapes that stand for one character.
fn escaped_char(letter: char) -> Option<char> {
    Some(match letter {
        'a' => '\x07',
        'f' => '\x0C',
        't' => '\t',
        'n' => '\n',
        'r' => '\r',
        'v' => '\x0B',
        _ => return None,
    })
}

/// Parsed regexp, before compiling to instructions.
#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Class(Class),
    Any,
    Look(Look),
    Group(Vec<Node>),
    Repeat(Box<Node>, Repeat),
}

#[derive(Debug, Clone, Copy)]
enum Repeat {
    ZeroOrMore,
    OneOrMore,
    ZeroOrOne,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterRepeat {
    No,
    Greedy,
    Lazy,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    /// A sequence, up to the end or (inside a group) the closing `)`.
    fn sequence(&mut self, in_group: bool) -> Result<Vec<Node>> {
        let mut nodes: Vec<Node> = Vec::new();
        // After a repeat Go allows one "?" (lazy: the same verdict for a
        // yes/no match); any other repeat operator there is an error.
        let mut after_repeat = AfterRepeat::No;
        while let Some(c) = self.next() {
            let node = match c {
                ')' if in_group => return Ok(nodes),
                ')' => bail!("unexpected )"),
                '(' => {
                    if self.peek() == Some('?') {
                        bail!("group flags are not supported");
                    }
                    let inner = self.sequence(true)?;
                    Node::Group(inner)
                }
                '|' => bail!("alternation is not supported"),
                '*' | '+' | '?' => {
                    if after_repeat == AfterRepeat::Greedy && c == '?' {
                        after_repeat = AfterRepeat::Lazy;
                        continue;
                    }
                    if after_repeat != AfterRepeat::No {
                        bail!("invalid nested repetition operator");
                    }
                    let Some(prev) = nodes.pop() else {
                        bail!("missing argument to repetition operator");
                    };
                    let kind = match c {
                        '*' => Repeat::ZeroOrMore,
                        '+' => Repeat::OneOrMore,
                        _ => Repeat::ZeroOrOne,
                    };
                    nodes.push(Node::Repeat(Box::new(prev), kind));
                    after_repeat = AfterRepeat::Greedy;
                    continue;
                }
                '[' => Node::Class(self.class()?),
                '.' => Node::Any,
                '^' => Node::Look(Look::TextStart),
                '$' => Node::Look(Look::TextEnd),
                '\\' => self.escape()?,
                other => Node::Char(other),
            };
            nodes.push(node);
            after_repeat = AfterRepeat::No;
        }
        if in_group {
            bail!("missing closing )");
        }
        Ok(nodes)
    }

    /// An escape outside a class.
    fn escape(&mut self) -> Result<Node> {
        let Some(c) = self.next() else {
            bail!("trailing backslash at end of expression");
        };
        if let Some(class) = perl_class(c) {
            return Ok(Node::Class(class));
        }
        let look = match c {
            'A' => Some(Look::TextStart),
            'z' => Some(Look::TextEnd),
            'b' => Some(Look::WordBoundary),
            'B' => Some(Look::NotWordBoundary),
            _ => None,
        };
        if let Some(look) = look {
            return Ok(Node::Look(look));
        }
        Ok(Node::Char(self.escaped_literal(c)?))
    }

    /// An escape standing for one character: punctuation, or `\t` and kin.
    fn escaped_literal(&self, c: char) -> Result<char> {
        // Go: any ASCII character that is not a letter or digit stands for
        // itself, so "my\ file" matches a space.
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            return Ok(c);
        }
        escaped_char(c).ok_or_else(|| anyhow::anyhow!("escape \\{c} is not supported"))
    }

    /// A class, after its `[`.
    fn class(&mut self) -> Result<Class> {
        let negate = self.peek() == Some('^');
        if negate {
            self.pos += 1;
        }
        let mut class = Class::default();
        // "]" right after "[" or "[^" is a literal.
        let mut first = true;
        loop {
            match self.peek() {
                None => bail!("missing closing ]"),
                Some(']') if !first => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            first = false;
            if let Some(named) = self.posix_class()? {
                class.add(&named);
                continue;
            }
            if self.peek() == Some('\\')
                && let Some(perl) = self.chars.get(self.pos + 1).and_then(|c| perl_class(*c))
            {
                self.pos += 2;
                class.add(&perl);
                continue;
            }
            let lo = self.class_char()?;
            let mut hi = lo;
            // "[a-]" is 'a' or '-'.
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|c| *c != ']') {
                self.pos += 1;
                hi = self.class_char()?;
                if hi < lo {
                    bail!("invalid character class range {lo}-{hi}");
                }
            }
            class.ranges.push((lo, hi));
        }
        Ok(if negate { class.negated() } else { class })
    }

    /// Go `parseNamedClass`: `[:name:]` at the cursor, if it is one.
    fn posix_class(&mut self) -> Result<Option<Class>> {
        let rest = &self.chars[self.pos..];
        if rest.len() <= 2 || rest[0] != '[' || rest[1] != ':' {
            return Ok(None);
        }
        let Some(end) = rest[2..].windows(2).position(|w| w == [':', ']']) else {
            return Ok(None);
        };
        let name: String = rest[2..2 + end].iter().collect();
        let Some(class) = posix_class(&name) else {
            bail!("invalid character class range [:{name}:]");
        };
        self.pos += end + 4;
        Ok(Some(class))
    }

    /// One character inside a class.
    fn class_char(&mut self) -> Result<char> {
        match self.next() {
            None => bail!("missing closing ]"),
            Some('\\') => {
                let Some(c) = self.next() else {
                    bail!("trailing backslash at end of expression");
                };
                self.escaped_literal(c)
            }
            Some(c) => Ok(c),
        }
    }
}

impl Regex {
    fn new(expr: &str) -> Result<Regex> {
        let mut parser = Parser {
            chars: expr.chars().collect(),
            pos: 0,
        };
        let nodes = parser.sequence(false)?;
        let mut program = Vec::new();
        emit_all(&nodes, &mut program);
        program.push(Inst::Match);
        Ok(Regex { program })
    }

    /// Whether the expression matches `text`. Threads start at position 0
    /// only: every translated expression begins with `^`, so this equals Go's
    /// unanchored `MatchString`.
    fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let mut current = Vec::new();
        let mut seen = vec![usize::MAX; self.program.len()];
        if self.add_thread(&mut current, &mut seen, 0, &chars, 0) {
            return true;
        }
        for pos in 0..chars.len() {
            let mut next = Vec::new();
            for &pc in &current {
                let advances = match &self.program[pc] {
                    Inst::Char(c) => *c == chars[pos],
                    Inst::Class(class) => class.contains(chars[pos]),
                    Inst::AnyNotNewline => chars[pos] != '\n',
                    _ => false,
                };
                if advances && self.add_thread(&mut next, &mut seen, pc + 1, &chars, pos + 1) {
                    return true;
                }
            }
            if next.is_empty() {
                return false;
            }
            current = next;
        }
        false
    }

    /// Follow the empty transitions from `pc` at `pos`, collecting the
    /// instructions that consume a character; true once `Match` is reached.
    fn add_thread(
        &self,
        list: &mut Vec<usize>,
        seen: &mut [usize],
        pc: usize,
        text: &[char],
        pos: usize,
    ) -> bool {
        if seen[pc] == pos {
            return false;
        }
        seen[pc] = pos;
        match &self.program[pc] {
            Inst::Match => true,
            Inst::Jump(to) => self.add_thread(list, seen, *to, text, pos),
            Inst::Split(a, b) => {
                self.add_thread(list, seen, *a, text, pos)
                    || self.add_thread(list, seen, *b, text, pos)
            }
            Inst::Assert(look) => {
                look_holds(*look, text, pos) && self.add_thread(list, seen, pc + 1, text, pos)
            }
            Inst::Char(_) | Inst::Class(_) | Inst::AnyNotNewline => {
                list.push(pc);
                false
            }
        }
    }
}

fn look_holds(look: Look, text: &[char], pos: usize) -> bool {
    let is_word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
    let before = pos.checked_sub(1).and_then(|p| text.get(p));
    let boundary = is_word(before) != is_word(text.get(pos));
    match look {
        Look::TextStart => pos == 0,
        Look::TextEnd => pos == text.len(),
        Look::WordBoundary => boundary,
        Look::NotWordBoundary => !boundary,
    }
}

fn emit_all(nodes: &[Node], program: &mut Vec<Inst>) {
    for node in nodes {
        emit(node, program);
    }
}

/// Thompson construction for one node.
fn emit(node: &Node, program: &mut Vec<Inst>) {
    match node {
        Node::Char(c) => program.push(Inst::Char(*c)),
        Node::Class(class) => program.push(Inst::Class(class.clone())),
        Node::Any => program.push(Inst::AnyNotNewline),
        Node::Look(look) => program.push(Inst::Assert(*look)),
        Node::Group(nodes) => emit_all(nodes, program),
        Node::Repeat(inner, Repeat::ZeroOrMore) => {
            let split = program.len();
            program.push(Inst::Split(0, 0));
            emit(inner, program);
            program.push(Inst::Jump(split));
            program[split] = Inst::Split(split + 1, program.len());
        }
        Node::Repeat(inner, Repeat::OneOrMore) => {
            let start = program.len();
            emit(inner, program);
            program.push(Inst::Split(start, program.len() + 1));
        }
        Node::Repeat(inner, Repeat::ZeroOrOne) => {
            let split = program.len();
            program.push(Inst::Split(0, 0));
            emit(inner, program);
            program[split] = Inst::Split(split + 1, program.len());
        }
    }
}

// ---------------------------------------------------------------------------
// The tar
// ---------------------------------------------------------------------------

/// What [`write_tar`] sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContextStats {
    /// Regular files in the archive.
    pub files: u64,
    /// Their content bytes (the tar itself adds headers and padding).
    pub bytes: u64,
}

/// Write the build context under `root` as an uncompressed tar to `out`.
///
/// `dockerfile` is the Dockerfile's path relative to `root` (or absolute
/// inside it). Entries come in sorted order, directory before its contents;
/// paths are relative, owners are 0:0, permission bits and mtimes (whole
/// seconds, as Docker) are kept, symlinks are stored, not followed. Files are
/// copied through without being held in memory. Sockets, FIFOs and devices
/// are left out, and a hard-linked file is stored once per name.
pub fn write_tar<W: Write>(
    root: &Path,
    dockerfile: &Path,
    ignore: &DockerIgnore,
    out: W,
) -> Result<ContextStats> {
    let dockerfile = dockerfile_in_context(root, dockerfile)?;
    let mut walker = Walker {
        ignore,
        always_sent: vec![DOCKERIGNORE.to_string(), dockerfile],
        tar: tar::Builder::new(out),
        stats: ContextStats::default(),
    };
    walker.walk_dir(root, "", Path::new(""), None)?;
    let stats = walker.stats;
    let mut out = walker
        .tar
        .into_inner()
        .context("cannot finish the build context tar")?;
    out.flush().context("cannot finish the build context tar")?;
    Ok(stats)
}

/// The Dockerfile as a clean `/`-separated path inside the context, checked
/// to exist.
fn dockerfile_in_context(root: &Path, dockerfile: &Path) -> Result<String> {
    let relative = if dockerfile.is_absolute() {
        dockerfile.strip_prefix(root).with_context(|| {
            format!(
                "the Dockerfile {} is outside the build context {}",
                dockerfile.display(),
                root.display()
            )
        })?
    } else {
        dockerfile
    };
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str().with_context(|| {
                format!("the Dockerfile path {} is not UTF-8", dockerfile.display())
            })?),
            Component::CurDir => {}
            _ => bail!(
                "the Dockerfile {} must be inside the build context {}",
                dockerfile.display(),
                root.display()
            ),
        }
    }
    if parts.is_empty() {
        bail!(
            "the Dockerfile path {:?} names no file",
            dockerfile.display().to_string()
        );
    }
    let full = root.join(relative);
    let meta = fs::metadata(&full)
        .with_context(|| format!("cannot find the Dockerfile {}", full.display()))?;
    if !meta.is_file() {
        bail!("the Dockerfile {} is not a file", full.display());
    }
    Ok(parts.join("/"))
}

struct Walker<'a, W: Write> {
    ignore: &'a DockerIgnore,
    /// Context-relative paths sent whatever the patterns say.
    always_sent: Vec<String>,
    tar: tar::Builder<W>,
    stats: ContextStats,
}

impl<W: Write> Walker<'_, W> {
    /// Walk one directory (`rel` is its context path, "" for the root),
    /// deciding each entry with the parent's per-pattern results, as moby's
    /// `TarWithOptions` does.
    fn walk_dir(
        &mut self,
        dir: &Path,
        rel: &str,
        tar_dir: &Path,
        parent: Option<&[bool]>,
    ) -> Result<()> {
        for (name, file_type) in sorted_entries(dir)? {
            let abs = dir.join(&name);
            // Matching is on text; a name that is not UTF-8 is matched in its
            // lossy form but stored with its real bytes.
            let name_text = name.to_string_lossy();
            let entry_rel = if rel.is_empty() {
                name_text.into_owned()
            } else {
                format!("{rel}/{name_text}")
            };
            let tar_path = tar_dir.join(&name);
            let (excluded, info) = self.ignore.matches_using_parent_results(&entry_rel, parent);
            let excluded = excluded && !self.always_sent.contains(&entry_rel);
            if excluded {
                // The directory itself stays out; go in only if an exception
                // may take something below it back.
                if file_type.is_dir() && self.ignore.can_descend(&entry_rel, &self.always_sent) {
                    self.walk_dir(&abs, &entry_rel, &tar_path, Some(&info))?;
                }
                continue;
            }
            self.append(&abs, &tar_path, file_type)?;
            if file_type.is_dir() {
                self.walk_dir(&abs, &entry_rel, &tar_path, Some(&info))?;
            }
        }
        Ok(())
    }

    fn append(&mut self, abs: &Path, tar_path: &Path, file_type: FileType) -> Result<()> {
        let added = if file_type.is_symlink() {
            self.append_symlink(abs, tar_path)
        } else if file_type.is_dir() {
            self.append_dir(abs, tar_path)
        } else if file_type.is_file() {
            self.append_file(abs, tar_path)
        } else {
            Ok(())
        };
        added.with_context(|| format!("cannot add {} to the build context", abs.display()))
    }

    fn append_dir(&mut self, abs: &Path, tar_path: &Path) -> Result<()> {
        let meta = fs::symlink_metadata(abs)?;
        let mut header = header_for(&meta, tar::EntryType::Directory, 0);
        self.tar.append_data(&mut header, tar_path, io::empty())?;
        Ok(())
    }

    fn append_symlink(&mut self, abs: &Path, tar_path: &Path) -> Result<()> {
        let meta = fs::symlink_metadata(abs)?;
        let target = fs::read_link(abs)?;
        let mut header = header_for(&meta, tar::EntryType::Symlink, 0);
        self.tar.append_link(&mut header, tar_path, target)?;
        Ok(())
    }

    fn append_file(&mut self, abs: &Path, tar_path: &Path) -> Result<()> {
        let file = File::open(abs)?;
        // The size comes from the open file, so the header and the bytes
        // copied describe the same file.
        let meta = file.metadata()?;
        if !meta.is_file() {
            bail!("it is no longer a regular file");
        }
        let size = meta.len();
        let mut header = header_for(&meta, tar::EntryType::Regular, size);
        self.tar.append_data(
            &mut header,
            tar_path,
            ExactReader {
                inner: file,
                remaining: size,
            },
        )?;
        self.stats.files += 1;
        self.stats.bytes += size;
        Ok(())
    }
}

/// The directory's entries sorted by name, as Go's `filepath.WalkDir` visits
/// them; only this one listing is held.
fn sorted_entries(dir: &Path) -> Result<Vec<(OsString, FileType)>> {
    let read = || -> io::Result<Vec<(OsString, FileType)>> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            entries.push((entry.file_name(), entry.file_type()?));
        }
        Ok(entries)
    };
    let mut entries = read().with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// A GNU header (long names and link targets get GNU extension records) with
/// the entry's mode and mtime, owned by 0:0 like the docker CLI's context.
fn header_for(meta: &Metadata, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(permissions(meta));
    header.set_uid(0);
    header.set_gid(0);
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    header.set_mtime(mtime);
    header
}

#[cfg(unix)]
fn permissions(meta: &Metadata) -> u32 {
    use std::os::unix::fs::MetadataExt as _;
    // Permission bits plus setuid, setgid and sticky, as Go's FileInfoHeader.
    meta.mode() & 0o7777
}

#[cfg(not(unix))]
fn permissions(meta: &Metadata) -> u32 {
    // The docker CLI on Windows (chmodTarEntry) marks everything executable,
    // since Windows has no x bit to carry over.
    if meta.permissions().readonly() {
        0o555
    } else {
        0o755
    }
}

/// Reads exactly `remaining` bytes: a file that shrank after its header was
/// written is an error rather than a corrupt archive; one that grew is cut at
/// the size in the header.
struct ExactReader<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = usize::try_from(self.remaining).map_or(buf.len(), |r| r.min(buf.len()));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while it was being read",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

// ---------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------

/// Start writing the build context on a blocking thread and return the tar as
/// a stream of chunks, plus the writer's handle.
///
/// The stream is what bollard's `body_try_stream` takes. A failure ends it
/// with an `Err` item, so the upload aborts rather than delivering a
/// truncated tar; the handle then holds the full error. If the stream is
/// dropped (the request ended), the writer stops with an error at its next
/// chunk. Must be called inside a Tokio runtime.
pub fn stream(
    root: PathBuf,
    dockerfile: PathBuf,
    ignore: DockerIgnore,
) -> (
    impl Stream<Item = io::Result<Bytes>> + Send + 'static,
    JoinHandle<Result<ContextStats>>,
) {
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(CHANNEL_CHUNKS);
    let handle = tokio::task::spawn_blocking(move || {
        let result = write_tar(&root, &dockerfile, &ignore, ChannelWriter::new(tx.clone()));
        if let Err(err) = &result {
            // The receiver may be gone already; the handle still has the error.
            let _ = tx.blocking_send(Err(io::Error::other(format!("{err:#}"))));
        }
        result
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (body, handle)
}

/// A `Write` that cuts the tar into [`CHUNK_SIZE`] pieces and sends them down
/// the bounded channel, blocking while it is full: the back-pressure that
/// keeps memory flat.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: BytesMut,
}

impl ChannelWriter {
    fn new(tx: mpsc::Sender<io::Result<Bytes>>) -> Self {
        ChannelWriter {
            tx,
            buf: BytesMut::with_capacity(CHUNK_SIZE),
        }
    }

    fn send_buffered(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, BytesMut::with_capacity(CHUNK_SIZE)).freeze();
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the build request stopped reading the context",
            )
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = (CHUNK_SIZE - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK_SIZE {
            self.send_buffered()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            self.send_buffered()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The set of paths a tar lists, for tests and diagnostics: each entry's path
    /// without a trailing `/`.
    fn tar_listing(tar_bytes: &[u8]) -> Result<BTreeSet<String>> {
        let mut archive = tar::Archive::new(tar_bytes);
        let mut paths = BTreeSet::new();
        for entry in archive.entries()? {
            let entry = entry?;
            let path = entry
                .path()?
                .to_string_lossy()
                .trim_end_matches('/')
                .to_string();
            paths.insert(path);
        }
        Ok(paths)
    }

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
        // An unsupported escape is refused, not misread.
        assert!(Pattern::new("a\\x41").is_err());
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

    // --- the tar ------------------------------------------------------------

    fn write(root: &Path, rel: &str, body: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, body).expect("write");
    }

    fn tar_of(root: &Path, dockerfile: &str) -> (Vec<u8>, ContextStats) {
        let ignore = DockerIgnore::from_dir(root).expect("read .dockerignore");
        let mut out = Vec::new();
        let stats = write_tar(root, Path::new(dockerfile), &ignore, &mut out).expect("write tar");
        (out, stats)
    }

    #[test]
    fn tar_of_a_fixture_tree() {
        use std::os::unix::fs::{PermissionsExt as _, symlink};
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(
            root,
            ".dockerignore",
            "# comment\n*.log\n/secret\nbuild/\n!build/keep.txt\nDockerfile\n.dockerignore\n",
        );
        write(root, "Dockerfile", "FROM scratch\n");
        write(root, "app.log", "x");
        write(root, "src/app.log", "kept: patterns are anchored");
        write(root, "src/main.py", "print(1)\n");
        write(root, "secret/key", "k");
        write(root, "build/out.bin", "o");
        write(root, "build/keep.txt", "keep");
        write(root, "bin/run.sh", "#!/bin/sh\n");
        fs::set_permissions(root.join("bin/run.sh"), fs::Permissions::from_mode(0o755))
            .expect("chmod");
        symlink("src/main.py", root.join("link")).expect("symlink");
        let long = format!("deep/{}/file.txt", "d".repeat(120));
        write(root, &long, "long names need GNU records");

        let (bytes, stats) = tar_of(root, "Dockerfile");
        let listing = tar_listing(&bytes).expect("read tar");
        let want: BTreeSet<String> = [
            ".dockerignore",
            "Dockerfile",
            "bin",
            "bin/run.sh",
            "build/keep.txt",
            "deep",
            &format!("deep/{}", "d".repeat(120)),
            &long,
            "link",
            "src",
            "src/app.log",
            "src/main.py",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(listing, want);
        assert_eq!(stats.files, 7);

        // Order, owners, modes, link targets, mtimes.
        let mut archive = tar::Archive::new(&bytes[..]);
        let mut order = Vec::new();
        for entry in archive.entries().expect("entries") {
            let entry = entry.expect("entry");
            let path = entry.path().expect("path").to_string_lossy().into_owned();
            let header = entry.header();
            assert_eq!(
                (header.uid().expect("uid"), header.gid().expect("gid")),
                (0, 0),
                "{path}"
            );
            assert!(!path.starts_with('/'), "{path}");
            let meta = fs::symlink_metadata(root.join(&path)).expect("stat");
            let mtime = meta
                .modified()
                .expect("mtime")
                .duration_since(UNIX_EPOCH)
                .expect("epoch")
                .as_secs();
            assert_eq!(header.mtime().expect("mtime"), mtime, "{path}");
            match path.as_str() {
                "bin/run.sh" => assert_eq!(header.mode().expect("mode") & 0o777, 0o755),
                "link" => {
                    assert_eq!(header.entry_type(), tar::EntryType::Symlink);
                    assert_eq!(
                        entry.link_name().expect("link").expect("target").to_str(),
                        Some("src/main.py")
                    );
                }
                _ => {}
            }
            order.push(path);
        }
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "entries come in sorted order");
    }

    #[test]
    fn dockerfile_elsewhere_is_always_sent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, ".dockerignore", "docker\n");
        write(root, "docker/Dockerfile", "FROM scratch\n");
        write(root, "docker/other", "x");
        let (bytes, _) = tar_of(root, "./docker/Dockerfile");
        let listing = tar_listing(&bytes).expect("read tar");
        let want: BTreeSet<String> = [".dockerignore", "docker/Dockerfile"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(listing, want);
        assert!(
            DockerIgnore::from_dir(root)
                .expect("parse")
                .is_excluded("docker/Dockerfile")
        );
    }

    #[test]
    fn dockerfile_must_exist_inside_the_context() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let di = DockerIgnore::default();
        let err = write_tar(root, Path::new("Dockerfile"), &di, Vec::new()).expect_err("missing");
        assert!(format!("{err:#}").contains("Dockerfile"), "{err:#}");
        let err =
            write_tar(root, Path::new("../Dockerfile"), &di, Vec::new()).expect_err("outside");
        assert!(
            format!("{err:#}").contains("inside the build context"),
            "{err:#}"
        );
    }

    #[test]
    fn a_shrinking_file_is_an_error() {
        let mut reader = ExactReader {
            inner: &b"abc"[..],
            remaining: 5,
        };
        let err = io::copy(&mut reader, &mut io::sink()).expect_err("short read");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let mut reader = ExactReader {
            inner: &b"abcdef"[..],
            remaining: 4,
        };
        assert_eq!(io::copy(&mut reader, &mut io::sink()).expect("cut"), 4);
    }

    /// The paths a real `docker build` (DOCKER_BUILDKIT=0, docker CLI 28.2,
    /// dockerd 20.10) copied into the image from tests/fixtures/dockerignore;
    /// see regenerate.sh there.
    #[test]
    fn matches_real_docker_on_the_fixture() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerignore");
        let root = fixture.join("context");
        let expected: BTreeSet<String> = fs::read_to_string(fixture.join("expected.txt"))
            .expect("expected.txt")
            .lines()
            .map(str::to_string)
            .collect();
        let ignore = DockerIgnore::from_dir(&root).expect("parse");
        let (bytes, _) = tar_of(&root, "Dockerfile");
        let mut got = tar_listing(&bytes).expect("read tar");
        // An entry inside an excluded folder arrives without its folder's
        // entry; the engine creates the folder when it unpacks.
        let implied: Vec<String> = got
            .iter()
            .flat_map(|p| p.match_indices('/').map(move |(i, _)| p[..i].to_string()))
            .collect();
        got.extend(implied);
        // We send the Dockerfile and .dockerignore; the engine drops them
        // before COPY when the patterns exclude them.
        for build_file in ["Dockerfile", DOCKERIGNORE] {
            assert!(got.contains(build_file), "{build_file} must be sent");
            if ignore.is_excluded(build_file) {
                got.remove(build_file);
            }
        }
        assert_eq!(got, expected);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stream_yields_the_same_tar_in_bounded_chunks() {
        use futures_util::StreamExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        write(&root, "Dockerfile", "FROM scratch\n");
        // Bigger than a few chunks, so back-pressure is exercised.
        write(&root, "big.bin", &"x".repeat(CHUNK_SIZE * 10 + 123));
        let (direct, _) = tar_of(&root, "Dockerfile");

        let (body, handle) = stream(
            root.clone(),
            PathBuf::from("Dockerfile"),
            DockerIgnore::default(),
        );
        let chunks: Vec<Bytes> = body.map(|chunk| chunk.expect("chunk")).collect().await;
        let stats = handle.await.expect("join").expect("write");
        assert!(chunks.iter().all(|c| c.len() <= CHUNK_SIZE));
        assert_eq!(chunks.concat(), direct);
        assert_eq!(
            stats,
            ContextStats {
                files: 2,
                bytes: (CHUNK_SIZE * 10 + 123 + 13) as u64
            }
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stream_ends_with_the_error() {
        use futures_util::StreamExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let (body, handle) = stream(
            dir.path().to_path_buf(),
            PathBuf::from("Dockerfile"),
            DockerIgnore::default(),
        );
        let items: Vec<io::Result<Bytes>> = body.collect().await;
        let last = items.last().expect("an item");
        assert!(
            last.as_ref()
                .is_err_and(|e| e.to_string().contains("Dockerfile"))
        );
        assert!(handle.await.expect("join").is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_stream_stops_the_writer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        write(&root, "Dockerfile", "FROM scratch\n");
        write(&root, "big.bin", &"x".repeat(CHUNK_SIZE * 20));
        let (body, handle) = stream(root, PathBuf::from("Dockerfile"), DockerIgnore::default());
        drop(body);
        let err = handle.await.expect("join").expect_err("receiver gone");
        assert!(format!("{err:#}").contains("stopped reading"), "{err:#}");
    }
}
