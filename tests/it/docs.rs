//! Every relative link of README.md and docs/*.md leads somewhere (issue 25 item 7).
//!
//! The reference moved from README.md into docs/, one file per topic, and the
//! pages link each other: a file that is renamed or a heading that is reworded
//! would leave a link that opens nothing. Each `[text](target)` whose target is
//! not a URL must name an existing file or folder (relative to the page), and
//! its `#anchor`, when there is one, a heading of that Markdown file as GitHub
//! spells its anchors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every Markdown file under docs/.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ holds the reference")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of `markdown` outside fenced code blocks.
fn prose(markdown: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    markdown.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// `line` without its code spans (a `](x)` inside backticks is no link).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
        }
    }
    out
}

/// The targets of the inline links `[text](target)` of `markdown`.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose(markdown) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// GitHub's anchor for a heading: lower case, letters, digits, `-` and `_`
/// kept, spaces made `-`, everything else dropped; a repeated anchor gets `-1`, `-2`, ….
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in prose(markdown) {
        let Some(title) = line.strip_prefix('#') else {
            continue;
        };
        let title = title.trim_start_matches('#');
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect();
        let mut anchor = slug.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{slug}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// What is wrong with the link `target` of the page `page`, if anything.
fn broken(page: &Path, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let file = if path.is_empty() {
        page.to_path_buf()
    } else {
        page.parent().unwrap().join(path)
    };
    if !file.exists() {
        return Some(format!("{} does not exist", file.display()));
    }
    let anchor = anchor?;
    if file.extension().is_none_or(|ext| ext != "md") {
        return Some(format!(
            "an anchor into {}, which is no Markdown file",
            file.display()
        ));
    }
    let headings = anchors(&std::fs::read_to_string(&file).unwrap());
    (!headings.contains(anchor)).then(|| {
        format!(
            "{} has no heading #{anchor} (it has: {})",
            file.display(),
            headings.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    })
}

#[test]
fn every_relative_link_of_the_readme_and_docs_resolves() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for target in link_targets(&text) {
            checked += 1;
            if let Some(problem) = broken(&page, &target) {
                problems.push(format!("{}: ({target}): {problem}", page.display()));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the link reader broken?"
    );
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_readme_links_every_page_of_docs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let linked: BTreeSet<String> = link_targets(&readme)
        .into_iter()
        .map(|target| target.split('#').next().unwrap().to_string())
        .collect();
    let missing: Vec<String> = pages()
        .into_iter()
        .skip(1)
        .map(|page| format!("docs/{}", page.file_name().unwrap().to_string_lossy()))
        .filter(|page| !linked.contains(page))
        .collect();
    assert!(missing.is_empty(), "README.md does not link {missing:?}");
}

#[test]
fn the_link_reader_finds_links_anchors_and_breakage() {
    let page = "# Top\n\n## `mcp` and the SDK\n\n## In CI (GitHub Actions)\n\n## Top\n\n\
        [a](#top-1) and [b](docs/x.md#in-ci) `[no](link)`\n```\n[no](fence)\n```\n";
    assert_eq!(link_targets(page), ["#top-1", "docs/x.md#in-ci"]);
    assert_eq!(
        anchors(page).into_iter().collect::<Vec<_>>(),
        ["in-ci-github-actions", "mcp-and-the-sdk", "top", "top-1"]
    );
    let readme = root().join("README.md");
    assert!(broken(&readme, "docs/no-such-page.md").is_some());
    assert!(broken(&readme, "#no-such-heading").is_some());
    assert!(broken(&readme, "Cargo.toml#x").is_some());
    assert!(broken(&readme, "https://example.com/#x").is_none());
    assert!(broken(&readme, "examples/echo-server").is_none());
}
