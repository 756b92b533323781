//! What git says about the files a build sends: the commit, and which files
//! in the build context differ from it.
//!
//! The image tag (`{git_sha}`) is the short sha of HEAD, with
//! `-dirty-<hash>` when the image would not be what HEAD builds. "Dirty" is
//! about the image, not the working tree: a file makes it dirty when it goes
//! into the build context (after `.dockerignore`, exactly as the walk decides)
//! and differs from HEAD (changed, staged, deleted), or is untracked (ignored
//! by git or not) and goes into the context. Untracked files the engine never
//! sees (`push.json` outside the context, a dockerignored `.env`) change
//! nothing, nor do the files this process writes its own output to (see
//! [`context::is_own_output`]). The hash covers exactly those changed files,
//! path and content, so two different contexts never share a tag and the
//! same changes always give the same one.
//!
//! git answers for the files it knows; a context is always inside the work
//! tree that `git rev-parse` finds from it. A directory that is a repository
//! of its own (git lists it, not its files) is hashed file by file.
//!
//! The state is computed once per process per context ([`GitStates`]): in one
//! `deploy --all`, every service that builds from the same context gets the
//! same tag, however the tree changes while `mcp` runs.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context as _, Result};
use sha2::{Digest, Sha256};

use super::context::{self, Context};

/// What git says about the build context.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GitState {
    /// Full commit sha of HEAD.
    pub sha: String,
    /// Short sha (12 characters).
    pub short: String,
    /// `None` when the context is as HEAD has it; otherwise a hash of the
    /// changed files that go into it.
    pub dirty: Option<String>,
    /// `origin`'s URL, for the OCI source label.
    pub remote: Option<String>,
    /// The files that make the context dirty, relative to the context root,
    /// sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

impl GitState {
    /// The `{git_sha}` of a tag: `abc123def456`, or `abc123def456-dirty-1f2e3d4c` for a dirty context.
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

/// The git state of the build context `context` (with its Dockerfile, which
/// is always sent), or `None` when it is not in a git work tree with a commit.
/// Not cached: see [`GitStates`] for once per process.
pub fn git_state(context: &Path, dockerfile: &Path) -> Result<Option<GitState>> {
    let Some(head) = git(context, &["rev-parse", "HEAD"])? else {
        return Ok(None);
    };
    let sha = text(&head);
    let short = sha.chars().take(12).collect();
    let remote = git(context, &["remote", "get-url", "origin"])?.map(|out| text(&out));
    let top = git(context, &["rev-parse", "--show-toplevel"])?
        .map(|out| PathBuf::from(text(&out)))
        .context("git knows HEAD but not the top of the work tree")?;
    let ctx = Context::open(context, dockerfile)?;
    let changed = changed_in_context(&ctx, &top)?;
    let dirty = (!changed.is_empty()).then(|| hash(&ctx, &changed));
    Ok(Some(GitState {
        sha,
        short,
        dirty,
        remote,
        changed,
    }))
}

/// The context-relative paths of files that go into the context and differ
/// from HEAD or are untracked.
fn changed_in_context(ctx: &Context, top: &Path) -> Result<Vec<String>> {
    let root = ctx
        .root()
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", ctx.root().display()))?;
    let top = top
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", top.display()))?;
    // The context inside the work tree, as a pathspec ("." for all of it).
    let prefix = match root.strip_prefix(&top) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", rel.to_string_lossy()),
        // Not inside the work tree git found from it: git cannot tell.
        Err(_) => return Ok(Vec::new()),
    };
    let pathspec = if prefix.is_empty() { "." } else { &prefix };
    // Paths relative to `top`: tracked files changed against HEAD (staged or
    // not, deleted too), then every untracked file, ignored ones included.
    let tracked = git(
        &top,
        &[
            "--literal-pathspecs",
            "diff",
            "HEAD",
            "--name-only",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--",
            pathspec,
        ],
    )?
    .context("`git diff HEAD` failed in the build context")?;
    let untracked = git(
        &top,
        &[
            "--literal-pathspecs",
            "ls-files",
            "--others",
            "-z",
            "--",
            pathspec,
        ],
    )?
    .context("`git ls-files --others` failed in the build context")?;

    let mut changed = BTreeSet::new();
    for name in tracked
        .split(|b| *b == 0)
        .chain(untracked.split(|b| *b == 0))
    {
        let name = String::from_utf8_lossy(name);
        let Some(rel) = name.strip_prefix(&prefix) else {
            continue;
        };
        if rel.is_empty() {
            continue;
        }
        if let Some(dir) = rel.strip_suffix('/') {
            // A repository of its own inside the context: git lists the
            // directory, so look at its files.
            nested_files(ctx, &root, dir, &mut changed);
            continue;
        }
        if sent(ctx, &root, rel) {
            changed.insert(rel.to_string());
        }
    }
    Ok(changed.into_iter().collect())
}

/// Whether the file at `rel` goes into the context: the patterns send it,
/// and it is not this process's own output.
fn sent(ctx: &Context, root: &Path, rel: &str) -> bool {
    ctx.sends(rel)
        && !fs::symlink_metadata(root.join(rel)).is_ok_and(|meta| context::is_own_output(&meta))
}

/// Every file under `dir` (context-relative) that goes into the context.
fn nested_files(ctx: &Context, root: &Path, dir: &str, out: &mut BTreeSet<String>) {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => nested_files(ctx, root, &rel, out),
            Ok(_) if sent(ctx, root, &rel) => {
                out.insert(rel);
            }
            _ => {}
        }
    }
}

/// Eight hex digits of a SHA-256 over each changed file's path and what the
/// context now holds there: content and mode, a link target, or nothing.
fn hash(ctx: &Context, changed: &[String]) -> String {
    let mut hasher = Sha256::new();
    for rel in changed {
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        let path = ctx.root().join(rel);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_symlink() => {
                hasher.update(b"link\0");
                if let Ok(target) = fs::read_link(&path) {
                    hasher.update(target.to_string_lossy().as_bytes());
                }
            }
            Ok(meta) => {
                hasher.update(format!("file {:o}\0", mode(&meta)).as_bytes());
                if let Ok(bytes) = fs::read(&path) {
                    hasher.update(&bytes);
                }
            }
            Err(_) => hasher.update(b"deleted"),
        }
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

#[cfg(unix)]
fn mode(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::MetadataExt as _;
    meta.mode() & 0o7777
}

#[cfg(not(unix))]
fn mode(meta: &fs::Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}

/// Git states computed once per context and Dockerfile, for the whole run.
///
/// A fleet deploy asks once per service; every service with the same context
/// gets the state computed first, so a file that grows while `mcp` runs (its
/// own log, a `tee` target) cannot give two services of one run two tags.
#[derive(Debug, Default)]
pub struct GitStates {
    known: Mutex<HashMap<(PathBuf, PathBuf), Option<GitState>>>,
}

impl GitStates {
    /// The states of this process: what `mcp build`, `push` and `deploy` use.
    pub fn process() -> &'static GitStates {
        static STATES: OnceLock<GitStates> = OnceLock::new();
        STATES.get_or_init(GitStates::default)
    }

    /// The state of `context` with `dockerfile`: computed on the first call,
    /// the same answer after. An error is not remembered.
    pub fn get(&self, context: &Path, dockerfile: &Path) -> Result<Option<GitState>> {
        let key = (
            context
                .canonicalize()
                .unwrap_or_else(|_| context.to_path_buf()),
            dockerfile.to_path_buf(),
        );
        // Held while git runs, so two services asking at once compute it once.
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(state) = known.get(&key) {
            return Ok(state.clone());
        }
        let state = git_state(context, dockerfile)?;
        known.insert(key, state.clone());
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Repo(tempfile::TempDir);

    impl Repo {
        fn new() -> Repo {
            let repo = Repo(tempfile::tempdir().unwrap());
            repo.git(&["init", "-q"]);
            repo.write("Dockerfile", "FROM scratch\nCOPY . /app\n");
            repo.write(".dockerignore", "*.secret\nlogs/\n!logs/keep.log\n.git\n");
            repo.write("app/server.py", "print('hi')\n");
            repo.write("logs/keep.log", "keep\n");
            repo.commit();
            repo
        }

        fn path(&self) -> &Path {
            self.0.path()
        }

        fn git(&self, args: &[&str]) {
            let out = Command::new("git")
                .args(args)
                .current_dir(self.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {out:?}");
        }

        fn commit(&self) {
            self.git(&["add", "-A"]);
            self.git(&[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                "c",
            ]);
        }

        fn write(&self, rel: &str, body: &str) {
            let path = self.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, body).unwrap();
        }

        fn state(&self) -> GitState {
            git_state(self.path(), Path::new("Dockerfile"))
                .unwrap()
                .unwrap()
        }
    }

    /// Guards issue 17: files the engine never sees do not make the tag dirty.
    #[test]
    fn files_outside_the_context_do_not_count() {
        let repo = Repo::new();
        repo.write("api.secret", "dockerignored\n");
        repo.write("logs/debug.log", "dockerignored folder\n");
        repo.write(".gitignore", "");
        let clean = repo.state();
        // .gitignore is untracked and goes into the context: it counts.
        assert_eq!(clean.changed, [".gitignore"]);
        repo.commit();
        let clean = repo.state();
        assert_eq!(clean.dirty, None, "{:?}", clean.changed);
        assert!(clean.changed.is_empty());
        assert_eq!(clean.tag_sha(), clean.short);
    }

    #[test]
    fn changes_in_the_context_count_and_are_named() {
        let repo = Repo::new();
        repo.write("app/server.py", "print('changed')\n");
        repo.write("logs/keep.log", "re-included by !logs/keep.log\n");
        repo.write("app/new.py", "untracked\n");
        let state = repo.state();
        assert_eq!(
            state.changed,
            ["app/new.py", "app/server.py", "logs/keep.log"]
        );
        assert!(
            state
                .tag_sha()
                .starts_with(&format!("{}-dirty-", state.short))
        );
        // A gitignored file that the context sends still ships: it counts.
        repo.commit();
        repo.write(".gitignore", "*.pyc\n");
        repo.commit();
        repo.write("app/cache.pyc", "bytecode");
        assert_eq!(repo.state().changed, ["app/cache.pyc"]);
        fs::remove_file(repo.path().join("app/cache.pyc")).unwrap();
        // A deletion counts; staging does not change the verdict.
        fs::remove_file(repo.path().join("app/server.py")).unwrap();
        assert_eq!(repo.state().changed, ["app/server.py"]);
        repo.git(&["add", "-A"]);
        assert_eq!(repo.state().changed, ["app/server.py"]);
    }

    /// Guards the promise that two different contexts never share a tag, and
    /// that the same one always gets the same tag.
    #[test]
    fn the_hash_follows_the_content_of_the_changed_files() {
        let repo = Repo::new();
        repo.write("app/server.py", "two");
        let first = repo.state().tag_sha();
        assert_eq!(repo.state().tag_sha(), first, "stable");
        repo.write("app/server.py", "three");
        let second = repo.state().tag_sha();
        assert_ne!(first, second);
        // A change outside the context leaves the hash alone.
        repo.write("api.secret", "x");
        assert_eq!(repo.state().tag_sha(), second);
        // The mode is part of what ships.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(
                repo.path().join("app/server.py"),
                fs::Permissions::from_mode(0o755),
            )
            .unwrap();
            assert_ne!(repo.state().tag_sha(), second);
        }
        assert!(
            git_state(tempfile::tempdir().unwrap().path(), Path::new("Dockerfile"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_context_below_the_top_of_the_work_tree() {
        let repo = Repo::new();
        repo.write("server/Dockerfile", "FROM scratch\n");
        repo.write("server/.dockerignore", ".env\n");
        repo.write("server/main.py", "1");
        repo.commit();
        let context = repo.path().join("server");
        let state = || {
            git_state(&context, Path::new("Dockerfile"))
                .unwrap()
                .unwrap()
        };
        // Changes next to the context, and ignored ones inside it: clean.
        repo.write("app/server.py", "changed");
        repo.write("server/.env", "API_KEY=x");
        assert_eq!(state().dirty, None, "{:?}", state().changed);
        repo.write("server/main.py", "2");
        assert_eq!(state().changed, ["main.py"]);
    }

    #[test]
    fn computed_once_per_context() {
        let repo = Repo::new();
        let states = GitStates::default();
        let first = states.get(repo.path(), Path::new("Dockerfile")).unwrap();
        repo.write("app/server.py", "changed while mcp runs");
        let second = states.get(repo.path(), Path::new("Dockerfile")).unwrap();
        assert_eq!(first, second);
        assert!(first.unwrap().dirty.is_none());
        assert!(repo.state().dirty.is_some(), "a fresh look sees the change");
    }
}
