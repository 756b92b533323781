//! The house rules ARCHITECTURE.md states, checked on the source itself:
//! arrows only point down (no loop in the graph of which file of `src/` uses
//! which), and no source file is longer than [`MAX_LINES`] lines of non-test
//! code.
//!
//! The graph is read from the code with a small lexer (comments and string
//! literals blanked), not from rustc. Every path written from the root or
//! upward (`crate::…`, `super::…`, in a `use` or in the code, and every name
//! such a `use` brought in) is an arrow from the file that writes it to the
//! file that defines what it names, following re-exports (`pub use`) to the
//! file that really defines it. A module's `mod.rs` is a file like any other:
//! when a child names something of its `mod.rs` (`super::Thing`), the
//! `mod.rs` must not name something of the child by `crate::` path. Naming a
//! module alone (`use crate::platform::ecs;`) is no arrow; naming something in
//! it is. A parent's use of its own children by their names (`deploy::run`,
//! `self::…`) is not counted. Test modules (`#[cfg(test)] mod …`) are left
//! out: a test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The longest a source file may be, counting lines outside its test modules.
const MAX_LINES: usize = 800;

#[test]
fn no_loop_between_source_files() {
    let krate = Crate::read(&src_dir());
    let graph = krate.graph();
    let cycles = cycles(&graph);
    if !cycles.is_empty() {
        let mut msg = String::from(
            "files of src/ use each other in a loop (ARCHITECTURE.md: arrows only point down); \
             move what both need below both, or pass it in:\n",
        );
        for found in &cycles {
            let _ = writeln!(
                msg,
                "\n  loop ({} files tangled: {}):",
                found.group.len(),
                found.group.join(", ")
            );
            for pair in found.cycle.windows(2) {
                let (line, path) = &graph[&pair[0]][&pair[1]];
                let _ = writeln!(msg, "    {} → {} (line {line}: {path})", pair[0], pair[1]);
            }
        }
        panic!("{msg}");
    }
}

#[test]
fn no_source_file_over_the_line_limit() {
    let krate = Crate::read(&src_dir());
    let long: Vec<String> = krate
        .files
        .iter()
        .filter(|f| f.code_lines > MAX_LINES)
        .map(|f| format!("  {}: {} lines of non-test code", f.rel, f.code_lines))
        .collect();
    assert!(
        long.is_empty(),
        "source files over {MAX_LINES} lines (tests not counted): split them by step or concept:\n{}",
        long.join("\n")
    );
}

/// The checker itself finds a loop and says where it is.
#[test]
fn the_checker_finds_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(
        src.join("a/mod.rs"),
        "mod inner;\npub use inner::Thing;\n// crate::c::Nothing in a comment\n",
    )
    .unwrap();
    std::fs::write(
        src.join("a/inner.rs"),
        "pub struct Thing;\npub fn f() { crate::b::g(); }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b.rs"),
        "use crate::{a::{self}, c};\npub fn g() { let _ = \"crate::a::Thing\"; c::h(); }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("c.rs"),
        "use crate::a::Thing;\npub fn h() -> Option<Thing> { None }\n\
         #[cfg(test)]\nmod tests {\n    use crate::b::g;\n}\n",
    )
    .unwrap();
    let graph = Crate::read(src).graph();
    let found = cycles(&graph);
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        found,
        vec![Loop {
            cycle: names(&["a/inner.rs", "b.rs", "c.rs", "a/inner.rs"]),
            group: names(&["a/inner.rs", "b.rs", "c.rs"]),
        }],
        "{graph:#?}"
    );
    // Without the arrow from c.rs to the re-exported Thing there is no loop;
    // c.rs's test module is not counted.
    std::fs::write(
        src.join("c.rs"),
        "pub fn h() {}\n#[cfg(test)]\nmod tests {\n    use crate::a::Thing;\n}\n",
    )
    .unwrap();
    assert!(cycles(&Crate::read(src).graph()).is_empty());
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Arrows: file → (file it uses → (line, the path written there)).
type Graph = BTreeMap<String, BTreeMap<String, (usize, String)>>;

struct File {
    /// Path under src/, with `/`.
    rel: String,
    /// Module path, `crate::a::b`, as segments.
    module: Vec<String>,
    tokens: Vec<Token>,
    code_lines: usize,
    /// Every `use` of the file (outside tests): the name it brings in → the
    /// path it stands for (absolute), `*` for a glob.
    uses: Vec<Use>,
    /// Submodules declared with `mod name;` or `mod name { … }`.
    submodules: BTreeSet<String>,
    /// Names of the items this file defines at any depth (fn, struct, …).
    defines: BTreeSet<String>,
}

struct Use {
    /// The name it brings in, `*` for a glob.
    name: String,
    /// The absolute path it stands for (`crate::…`), or the path as written
    /// for another crate.
    path: Vec<String>,
    line: usize,
    /// Written from the root or upward (`crate::…`, `super::…`): an arrow.
    /// A `use` of a submodule's item (`self::…` or its name) is a parent's
    /// own business, and a `use` from another crate is none of ours.
    is_arrow: bool,
}

struct Crate {
    files: Vec<File>,
    by_module: HashMap<Vec<String>, usize>,
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let mut paths = Vec::new();
        walk(src, &mut paths);
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let rel = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            // main.rs is the binary: its `crate` is not the library's.
            if rel == "main.rs" {
                continue;
            }
            let mut module = vec!["crate".to_owned()];
            let stem = rel.trim_end_matches(".rs");
            for part in stem.split('/') {
                if part != "mod" && part != "lib" {
                    module.push(part.to_owned());
                }
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let cleaned = blank_comments_and_literals(&text);
            let all = tokenize(&cleaned);
            let (tokens, code_lines) = without_test_modules(&all, text.lines().count());
            let mut file = File {
                rel,
                module,
                tokens,
                code_lines,
                uses: Vec::new(),
                submodules: BTreeSet::new(),
                defines: BTreeSet::new(),
            };
            file.scan_items();
            files.push(file);
        }
        let by_module = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.module.clone(), i))
            .collect();
        Crate { files, by_module }
    }

    fn graph(&self) -> Graph {
        let mut graph = Graph::new();
        for (i, file) in self.files.iter().enumerate() {
            let arrows = graph.entry(file.rel.clone()).or_default();
            let mut add = |target: Option<usize>, line: usize, written: String| {
                if let Some(t) = target
                    && t != i
                {
                    arrows
                        .entry(self.files[t].rel.clone())
                        .or_insert((line, written));
                }
            };
            for u in &file.uses {
                if !u.is_arrow {
                    continue;
                }
                add(self.resolve(&u.path, 0), u.line, u.path.join("::"));
            }
            for (path, line) in file.paths_in_code() {
                let Some(abs) = self.absolute(file, &path) else {
                    continue;
                };
                add(self.resolve(&abs, 0), line, path.join("::"));
            }
        }
        graph
    }

    /// A path as written in `file` → the absolute path, when it names
    /// something of this crate.
    fn absolute(&self, file: &File, path: &[String]) -> Option<Vec<String>> {
        let first = path.first()?;
        if matches!(first.as_str(), "crate" | "super") {
            return Some(absolutize(&file.module, path));
        }
        // A name a `use` brought in: `ecs::rollout::run` after `use crate::platform::ecs;`.
        let target = &file
            .uses
            .iter()
            .find(|u| &u.name == first && u.is_arrow)?
            .path;
        if target.first().map(String::as_str) != Some("crate") {
            return None;
        }
        let mut abs = target.clone();
        abs.extend(path[1..].iter().cloned());
        Some(abs)
    }

    /// The file that defines what an absolute path names; `None` for a module
    /// alone or something outside the crate.
    fn resolve(&self, path: &[String], depth: usize) -> Option<usize> {
        if path.first().map(String::as_str) != Some("crate") || depth > 16 {
            return None;
        }
        // The longest prefix that is a file.
        let mut end = path.len();
        let file = loop {
            if end == 0 {
                return None;
            }
            if let Some(&f) = self.by_module.get(&path[..end]) {
                break f;
            }
            end -= 1;
        };
        let Some(item) = path.get(end) else {
            return None; // the module itself
        };
        let f = &self.files[file];
        if f.defines.contains(item) {
            return Some(file);
        }
        // Re-exported: follow the `use` that brings the name in.
        if let Some(target) = f.uses.iter().find(|u| &u.name == item).map(|u| &u.path) {
            let mut next = target.clone();
            next.extend(path[end + 1..].iter().cloned());
            return self.resolve(&next, depth + 1).or(Some(file));
        }
        for u in &f.uses {
            if u.name == "*" {
                let mut next = u.path.clone();
                next.extend(path[end..].iter().cloned());
                if let Some(found) = self.resolve(&next, depth + 1) {
                    return Some(found);
                }
            }
        }
        Some(file)
    }
}

impl File {
    fn scan_items(&mut self) {
        let t = &self.tokens;
        let mut i = 0;
        while i < t.len() {
            let text = t[i].text.as_str();
            let after_path_sep = i > 0 && t[i - 1].text == "::";
            if text == "use" && !after_path_sep {
                let line = t[i].line;
                let mut j = i + 1;
                let mut out = Vec::new();
                parse_use_tree(t, &mut j, Vec::new(), &mut out);
                for (name, path) in out {
                    let first = path.first().cloned().unwrap_or_default();
                    let is_arrow = first == "crate" || first == "super";
                    let abs = if matches!(first.as_str(), "crate" | "super" | "self") {
                        absolutize(&self.module, &path)
                    } else if self.submodules.contains(&first) || self.declares_mod(&first) {
                        let mut abs = self.module.clone();
                        abs.extend(path);
                        abs
                    } else {
                        path // another crate, or std
                    };
                    self.uses.push(Use {
                        name,
                        path: abs,
                        line,
                        is_arrow,
                    });
                }
                i = j;
                continue;
            }
            if matches!(
                text,
                "fn" | "struct" | "enum" | "trait" | "type" | "const" | "static" | "union" | "mod"
            ) && let Some(name) = t.get(i + 1)
                && is_ident(&name.text)
            {
                if text == "mod" {
                    self.submodules.insert(name.text.clone());
                }
                self.defines.insert(name.text.clone());
            }
            if text == "macro_rules"
                && let Some(name) = t.get(i + 2)
            {
                self.defines.insert(name.text.clone());
            }
            i += 1;
        }
    }

    fn declares_mod(&self, name: &str) -> bool {
        self.tokens
            .windows(2)
            .any(|w| w[0].text == "mod" && w[1].text == name)
    }

    /// Paths written in the code outside `use` items: `a::b::c` with at least
    /// one `::`, from its first segment.
    fn paths_in_code(&self) -> Vec<(Vec<String>, usize)> {
        let t = &self.tokens;
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if t[i].text == "use" && (i == 0 || t[i - 1].text != "::") {
                while i < t.len() && t[i].text != ";" {
                    i += 1;
                }
                continue;
            }
            let starts = is_ident(&t[i].text)
                && (i == 0 || t[i - 1].text != "::")
                && t.get(i + 1).is_some_and(|n| n.text == "::");
            if !starts {
                i += 1;
                continue;
            }
            let line = t[i].line;
            let mut path = vec![t[i].text.clone()];
            let mut j = i + 1;
            while j + 1 < t.len() && t[j].text == "::" && is_ident(&t[j + 1].text) {
                path.push(t[j + 1].text.clone());
                j += 2;
            }
            out.push((path, line));
            i = j;
        }
        out
    }
}

/// Expands a use tree from `t[*j]` up to its `;` into (name brought in,
/// path) pairs.
fn parse_use_tree(
    t: &[Token],
    j: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    let mut path = prefix;
    loop {
        let Some(tok) = t.get(*j) else { return };
        match tok.text.as_str() {
            ";" => {
                if let Some(last) = path.last() {
                    let name = if last == "self" {
                        path.pop();
                        path.last().cloned().unwrap_or_default()
                    } else {
                        last.clone()
                    };
                    out.push((name, path));
                }
                *j += 1;
                return;
            }
            "}" | "," => {
                if let Some(last) = path.last() {
                    let mut path = path.clone();
                    let name = if last == "self" {
                        path.pop();
                        path.last().cloned().unwrap_or_default()
                    } else {
                        last.clone()
                    };
                    out.push((name, path));
                }
                return;
            }
            "::" => *j += 1,
            "*" => {
                out.push(("*".to_owned(), path.clone()));
                *j += 1;
                // What follows is `,` `}` or `;`: end without pushing again.
                path.clear();
                if t.get(*j).is_some_and(|n| n.text == ";") {
                    *j += 1;
                }
                return;
            }
            "as" => {
                let alias = t.get(*j + 1).map(|n| n.text.clone()).unwrap_or_default();
                *j += 2;
                out.push((alias, path.clone()));
                path.clear();
                if t.get(*j).is_some_and(|n| n.text == ";") {
                    *j += 1;
                }
                return;
            }
            "{" => {
                *j += 1;
                loop {
                    parse_use_tree(t, j, path.clone(), out);
                    match t.get(*j).map(|n| n.text.as_str()) {
                        Some(",") => *j += 1,
                        Some("}") => {
                            *j += 1;
                            break;
                        }
                        _ => return,
                    }
                    if t.get(*j).is_some_and(|n| n.text == "}") {
                        *j += 1;
                        break;
                    }
                }
                path.clear();
                if t.get(*j).is_some_and(|n| n.text == ";") {
                    *j += 1;
                }
                return;
            }
            text if is_ident(text) => {
                path.push(text.to_owned());
                *j += 1;
            }
            _ => *j += 1,
        }
    }
}

fn absolutize(module: &[String], path: &[String]) -> Vec<String> {
    let mut abs: Vec<String> = Vec::new();
    for (n, seg) in path.iter().enumerate() {
        match (n, seg.as_str()) {
            (0, "crate") => abs.push("crate".to_owned()),
            (0, "self") => abs = module.to_vec(),
            (0, "super") => {
                abs = module.to_vec();
                abs.pop();
            }
            (_, "super") if !abs.is_empty() => {
                abs.pop();
            }
            (_, "self") => {}
            _ => abs.push(seg.clone()),
        }
    }
    abs
}

pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) text: String,
    pub(crate) line: usize,
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Comments, string and char literals replaced by spaces (newlines kept, so
/// line numbers stay).
pub(crate) fn blank_comments_and_literals(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= c.len() {
                    break;
                }
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r')) && !prev_is_ident(&c, i) && {
            let k = if at(i) == 'b' { i + 2 } else { i + 1 };
            let mut h = k;
            while at(h) == '#' {
                h += 1;
            }
            at(h) == '"'
        } {
            // Raw string: r"…", r#"…"#, br"…".
            let mut k = if at(i) == 'b' { i + 2 } else { i + 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            for _ in i..=k {
                out.push(' ');
            }
            i = k + 1;
            while i < c.len() {
                if c[i] == '"' && (0..hashes).all(|h| at(i + 1 + h) == '#') {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(c[i]));
                i += 1;
            }
        } else if at(i) == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() {
                if c[i] == '\\' {
                    out.push(' ');
                    out.push(blank(at(i + 1)));
                    i += 2;
                } else if c[i] == '"' {
                    out.push(' ');
                    i += 1;
                    break;
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if at(i) == '\'' {
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                let mut k = i + 2;
                while k < c.len() && c[k] != '\'' {
                    k += 1;
                }
                for _ in i..=k.min(c.len() - 1) {
                    out.push(' ');
                }
                i = k + 1;
            } else if at(i + 2) == '\'' {
                out.push_str("   ");
                i += 3;
            } else {
                out.push('\'');
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(c: &[char], i: usize) -> bool {
    i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_')
}

pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let c: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < c.len() {
            let ch = c[i];
            if ch.is_whitespace() {
                i += 1;
            } else if ch.is_alphanumeric() || ch == '_' {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                tokens.push(Token {
                    text: c[start..i].iter().collect(),
                    line: n + 1,
                });
            } else if ch == ':' && c.get(i + 1) == Some(&':') {
                tokens.push(Token {
                    text: "::".to_owned(),
                    line: n + 1,
                });
                i += 2;
            } else {
                tokens.push(Token {
                    text: ch.to_string(),
                    line: n + 1,
                });
                i += 1;
            }
        }
    }
    tokens
}

/// Drops every `#[cfg(test)] mod name { … }` (and `#[cfg(test)] mod name;`);
/// returns the tokens left and how many lines of the file they span (the
/// file's lines less the test modules' lines).
pub(crate) fn without_test_modules(tokens: &[Token], lines: usize) -> (Vec<Token>, usize) {
    let mut kept = Vec::new();
    let mut test_lines = 0;
    let mut i = 0;
    let is = |k: usize, s: &str| tokens.get(k).is_some_and(|t| t.text == s);
    while i < tokens.len() {
        let cfg_test = is(i, "#")
            && is(i + 1, "[")
            && is(i + 2, "cfg")
            && is(i + 3, "(")
            && is(i + 4, "test")
            && is(i + 5, ")")
            && is(i + 6, "]");
        if cfg_test {
            // Skip further attributes, then expect `mod`.
            let mut k = i + 7;
            while is(k, "#") && is(k + 1, "[") {
                let mut depth = 0;
                loop {
                    k += 1;
                    match tokens.get(k).map(|t| t.text.as_str()) {
                        Some("[") => depth += 1,
                        Some("]") => {
                            depth -= 1;
                            if depth == 0 {
                                k += 1;
                                break;
                            }
                        }
                        None => break,
                        _ => {}
                    }
                }
            }
            if is(k, "pub") {
                k += 1;
            }
            if is(k, "mod") {
                let first_line = tokens[i].line;
                k += 2; // mod name
                if is(k, "{") {
                    let mut depth = 0;
                    while k < tokens.len() {
                        match tokens[k].text.as_str() {
                            "{" => depth += 1,
                            "}" => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        k += 1;
                    }
                }
                let last_line = tokens.get(k).map_or(lines, |t| t.line);
                test_lines += last_line + 1 - first_line;
                i = k + 1;
                continue;
            }
        }
        kept.push(tokens[i].clone());
        i += 1;
    }
    (kept, lines.saturating_sub(test_lines))
}

/// A loop of the graph: the shortest loop through the first file of a
/// strongly connected group of files (first file repeated at the end), and
/// every file of the group.
#[derive(Debug, PartialEq)]
struct Loop {
    cycle: Vec<String>,
    group: Vec<String>,
}

fn cycles(graph: &Graph) -> Vec<Loop> {
    let nodes: Vec<&String> = graph.keys().collect();
    let index: HashMap<&String, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            graph[*n]
                .keys()
                .filter_map(|m| index.get(m).copied())
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for group in tarjan(&succ) {
        if group.len() < 2 {
            continue;
        }
        let members: BTreeSet<usize> = group.iter().copied().collect();
        let start = *members.iter().next().unwrap();
        // Breadth-first from start back to start, inside the group.
        let mut prev: HashMap<usize, usize> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut last = start;
        'search: while let Some(n) = queue.pop_front() {
            for &m in &succ[n] {
                if m == start {
                    last = n;
                    break 'search;
                }
                if members.contains(&m) && !prev.contains_key(&m) {
                    prev.insert(m, n);
                    queue.push_back(m);
                }
            }
        }
        let mut back = Vec::new();
        let mut n = last;
        while n != start {
            back.push(n);
            n = prev[&n];
        }
        let mut cycle = vec![nodes[start].clone()];
        cycle.extend(back.iter().rev().map(|&n| nodes[n].clone()));
        cycle.push(nodes[start].clone());
        out.push(Loop {
            cycle,
            group: members.iter().map(|&n| nodes[n].clone()).collect(),
        });
    }
    out.sort_by(|a, b| a.cycle.cmp(&b.cycle));
    out
}

fn tarjan(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        succ: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        groups: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for k in 0..s.succ[v].len() {
            let w = s.succ[v][k];
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut group = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack[w] = false;
                group.push(w);
                if w == v {
                    break;
                }
            }
            s.groups.push(group);
        }
    }
    let n = succ.len();
    let mut s = State {
        succ,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        groups: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.groups
}
