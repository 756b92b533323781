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
//!   file inside an excluded directory cannot be taken back. So [`ignore`] is a
//!   port, not a re-imagining, of moby's `patternmatcher` and the walk in
//!   `archive.TarWithOptions`; the regular expressions moby builds from the
//!   patterns run on `regex-lite` after the small rewrite in [`go_regex`].
//!
//! # The rooms
//!
//! * [`ignore`]: reading `.dockerignore` and deciding, per path, whether a
//!   pattern keeps it out (moby `ignorefile` and `patternmatcher`).
//! * [`go_regex`]: the Go regexp syntax moby's translation produces, rewritten
//!   where regex-lite reads it differently.
//! * [`walk`]: the walk over the context directory and the tar it writes.
//! * [`stream`](mod@stream): the tar as a bounded stream of chunks for bollard.
//! * [`Context`] (here): the context as a whole, for questions asked before
//!   any tar exists: is this path sent, would a `.env` be shipped.
//!
//! `tests/fixtures/dockerignore` holds a tree whose `.dockerignore` exercises
//! these rules, and `expected.txt`, the paths a real `docker build` (classic
//! builder, docker CLI 28.2 against dockerd 20.10) put into the image; a test
//! in [`walk`] checks this module produces exactly that.
//!
//! # Handing the body to bollard
//!
//! bollard 0.21's `Docker::build_image(options, credentials, Option<BodyType>)`
//! takes an `http_body_util::Either<Full<Bytes>, StreamBody<..>>`; the stream
//! from [`stream()`] fits `bollard::body_try_stream(body)`, which wraps a
//! `Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static`. An `Err`
//! item aborts the upload, so a context that fails half-way is never built.

pub mod go_regex;
pub mod ignore;
pub mod stream;
pub mod walk;

use std::fs::{self, Metadata};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context as _, Result};

pub use ignore::DockerIgnore;
pub use stream::{CHUNK_SIZE, stream};
pub use walk::{ContextStats, write_tar};

/// The ignore file's name, at the root of the context.
pub const DOCKERIGNORE: &str = ".dockerignore";

/// What should never reach an image from the root of a context: `.env` holds
/// the local target's secrets (the README says to keep them there) and `.git`
/// the whole history, remotes with tokens included.
pub const NEVER_SHIP: &[&str] = &[".env", ".git"];

/// A build context directory and its `.dockerignore`, for questions asked
/// before any tar exists: is this path sent, would a `.env` be shipped.
/// Its answers are the walk's: [`Context::sends`] says yes exactly for what
/// [`write_tar`] puts in the archive.
#[derive(Debug, Clone)]
pub struct Context {
    root: PathBuf,
    ignore: DockerIgnore,
    /// Context-relative paths sent whatever the patterns say.
    always_sent: Vec<String>,
}

impl Context {
    /// Read `root/.dockerignore`; `dockerfile` is relative to `root` (or
    /// absolute inside it) and need not exist yet.
    pub fn open(root: &Path, dockerfile: &Path) -> Result<Self> {
        let ignore = DockerIgnore::from_dir(root)?;
        let dockerfile = walk::dockerfile_path(root, dockerfile)?;
        Ok(Context {
            root: root.to_path_buf(),
            ignore,
            always_sent: vec![DOCKERIGNORE.to_string(), dockerfile],
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a file at `rel` (relative to the root, `/`-separated) goes to
    /// the engine. Says nothing about whether it exists, so it also answers
    /// for a file that was deleted.
    pub fn sends(&self, rel: &str) -> bool {
        self.always_sent.iter().any(|always| always == rel)
            || !self.ignore.is_excluded_in_walk(rel, &self.always_sent)
    }

    /// The [`NEVER_SHIP`] names that exist at the root and would be sent.
    pub fn unwanted(&self) -> Vec<&'static str> {
        NEVER_SHIP
            .iter()
            .copied()
            .filter(|name| fs::symlink_metadata(self.root.join(name)).is_ok() && self.sends(name))
            .collect()
    }
}

/// Whether a file's name (and its folder) says it holds a secret: a `.env`
/// of any stage, cloud, registry and git credentials, private keys
/// (issue 26 item 12). Examples and public keys do not count.
pub fn is_secret_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let parent = rel.rsplit('/').nth(1).unwrap_or("");
    const EXAMPLES: &[&str] = &[".example", ".sample", ".template", ".dist", ".defaults"];
    if name == ".env" || name.starts_with(".env.") {
        return !EXAMPLES.iter().any(|e| name.ends_with(e));
    }
    const NAMES: &[&str] = &[
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".git-credentials",
        ".pgpass",
        ".htpasswd",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "credentials.json",
        "service-account.json",
        "terraform.tfstate",
    ];
    const EXTENSIONS: &[&str] = &[".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"];
    NAMES.contains(&name)
        || EXTENSIONS.iter().any(|e| name.ends_with(e))
        || (parent == ".aws" && name == "credentials")
        || (parent == ".docker" && name == "config.json")
        || (parent == ".kube" && name == "config")
}

impl Context {
    /// Every file in the context that [`is_secret_file`] and that would be
    /// sent, sorted: the same walk as the tar's (excluded folders are entered
    /// only where an exception may take something back; links not followed;
    /// `.git` is [`Context::unwanted`]'s). The root `.env` is left to
    /// [`Context::unwanted`] too.
    pub fn secret_files(&self) -> Vec<String> {
        let mut found = Vec::new();
        self.find_secrets(&self.root, "", &mut found);
        found.retain(|rel| rel != ".env");
        found.sort();
        found
    }

    fn find_secrets(&self, dir: &Path, rel: &str, found: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let entry_rel = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                if name == ".git" && rel.is_empty() {
                    continue;
                }
                if self.sends(&entry_rel) || self.ignore.can_descend(&entry_rel, &self.always_sent)
                {
                    self.find_secrets(&entry.path(), &entry_rel, found);
                }
            } else if is_secret_file(&entry_rel) && self.sends(&entry_rel) {
                found.push(entry_rel);
            }
        }
    }
}

/// `context` resolved (`..` and symlinks followed) when it lies outside
/// `base`, e.g. `build.context = ".."` reaching a home directory; `None` when
/// it is inside, or when either cannot be resolved.
pub fn outside(context: &Path, base: &Path) -> Option<PathBuf> {
    let context = context.canonicalize().ok()?;
    let base = base.canonicalize().ok()?;
    (!context.starts_with(&base)).then_some(context)
}

/// What [`ensure_dockerignore`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreChange {
    /// There was no `.dockerignore`; one was written with these lines.
    Created(Vec<&'static str>),
    /// These lines were added to the existing `.dockerignore`.
    Appended(Vec<&'static str>),
    /// The existing `.dockerignore` already keeps [`NEVER_SHIP`] out.
    Unchanged,
}

/// Make `dir/.dockerignore` keep [`NEVER_SHIP`] out of the context: write the
/// file, or append what its patterns do not already exclude (a line added at
/// the end wins over an earlier `!` exception, as the last match decides).
pub fn ensure_dockerignore(dir: &Path) -> Result<IgnoreChange> {
    let path = dir.join(DOCKERIGNORE);
    let existing = match fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    let Some(existing) = existing else {
        let mut text =
            String::from("# Kept out of the image: local secrets (.env) and the git history.\n");
        for name in NEVER_SHIP {
            text.push_str(name);
            text.push('\n');
        }
        crate::files::write_no_follow(&path, text.as_bytes(), "mcp init")?;
        return Ok(IgnoreChange::Created(NEVER_SHIP.to_vec()));
    };
    let text = String::from_utf8(existing)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    let ignore = DockerIgnore::parse(&text).with_context(|| format!("in {}", path.display()))?;
    let missing: Vec<&'static str> = NEVER_SHIP
        .iter()
        .copied()
        .filter(|name| !ignore.is_excluded(name))
        .collect();
    if missing.is_empty() {
        return Ok(IgnoreChange::Unchanged);
    }
    let mut addition = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        addition.push('\n');
    }
    addition.push_str(
        "# Added by `mcp init`: keep local secrets and the git history out of the image.\n",
    );
    for name in &missing {
        addition.push_str(name);
        addition.push('\n');
    }
    crate::files::open_no_follow(&path, true, "mcp init")?
        .write_all(addition.as_bytes())
        .with_context(|| format!("cannot append to {}", path.display()))?;
    Ok(IgnoreChange::Appended(missing))
}

/// A file, by device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

/// The regular files this process's stdout and stderr go to, when they are
/// redirected to files (`mcp push --output json > push.json`, `2> deploy.log`).
///
/// Such a file is `mcp`'s output, not source: the shell creates it before
/// `mcp` starts and it grows while `mcp` runs. It is never sent in the context
/// and never makes the tree dirty, so the tag and the image do not depend on
/// where the caller keeps the output.
fn own_output() -> &'static [FileId] {
    static OWN: OnceLock<Vec<FileId>> = OnceLock::new();
    OWN.get_or_init(|| {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd as _;
            let fds = [
                io::stdout().as_fd().try_clone_to_owned(),
                io::stderr().as_fd().try_clone_to_owned(),
            ];
            fds.into_iter()
                .filter_map(|fd| fs::File::from(fd.ok()?).metadata().ok())
                .filter(Metadata::is_file)
                .filter_map(|meta| file_id(&meta))
                .collect()
        }
        #[cfg(not(unix))]
        {
            Vec::new()
        }
    })
}

#[cfg(unix)]
fn file_id(meta: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt as _;
    Some(FileId {
        dev: meta.dev(),
        ino: meta.ino(),
    })
}

#[cfg(not(unix))]
fn file_id(_meta: &Metadata) -> Option<FileId> {
    None
}

/// Whether `meta` is a file this process writes its output to; see [`own_output`].
pub fn is_own_output(meta: &Metadata) -> bool {
    file_id(meta).is_some_and(|id| own_output().contains(&id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::context::walk::tests::write;

    #[test]
    fn sends_answers_as_the_walk_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, ".dockerignore", "docker\n!**/*.pub\nsecrets\n.env\n");
        write(root, "docker/Dockerfile", "FROM scratch\n");
        let context = Context::open(root, Path::new("docker/Dockerfile")).expect("open");
        assert!(context.sends("docker/Dockerfile"));
        assert!(context.sends(DOCKERIGNORE));
        // The walk enters docker/ for the Dockerfile, so the exception applies there...
        assert!(context.sends("docker/id.pub"));
        assert!(!context.sends("docker/other"));
        // ...but not in secrets/, which nothing makes it enter.
        assert!(!context.sends("secrets/id.pub"));
        assert!(!context.sends(".env"));
        assert!(context.sends("src/main.py"));
        for (rel, body) in [
            ("docker/id.pub", "k"),
            ("docker/other", "o"),
            ("secrets/id.pub", "s"),
        ] {
            write(root, rel, body);
        }
        let ignore = DockerIgnore::from_dir(root).expect("parse");
        let mut tar = Vec::new();
        write_tar(root, Path::new("docker/Dockerfile"), &ignore, &mut tar).expect("tar");
        let mut archive = tar::Archive::new(&tar[..]);
        let sent: Vec<String> = archive
            .entries()
            .expect("entries")
            .map(|e| {
                e.expect("entry")
                    .path()
                    .expect("path")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert!(sent.contains(&"docker/id.pub".to_string()), "{sent:?}");
        assert!(!sent.contains(&"secrets/id.pub".to_string()), "{sent:?}");
    }

    #[test]
    fn unwanted_names_what_exists_and_is_sent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "Dockerfile", "FROM scratch\n");
        let context = || Context::open(root, Path::new("Dockerfile")).expect("open");
        assert!(context().unwanted().is_empty());
        write(root, ".env", "API_KEY=x\n");
        fs::create_dir(root.join(".git")).expect("mkdir");
        assert_eq!(context().unwanted(), [".env", ".git"]);
        write(root, ".dockerignore", ".git\n");
        assert_eq!(context().unwanted(), [".env"]);
    }

    /// Guards issue 26 item 12: well-known secret files anywhere in the
    /// context are named (a nested `.env.production`, cloud and registry
    /// credentials, private keys), unless `.dockerignore` keeps them out.
    #[test]
    fn secret_files_anywhere_in_the_context_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "Dockerfile", "FROM scratch\n");
        for rel in [
            "app/config/.env.production",
            "svc/.env",
            ".aws/credentials",
            "deploy/server.pem",
            "keys/id_ed25519",
            ".npmrc",
            "pkg/.pypirc",
            ".netrc",
            ".git-credentials",
            "tls/server.key",
            ".docker/config.json",
        ] {
            write(root, rel, "secret\n");
        }
        // Not secrets: examples, public keys, code.
        for rel in [
            ".env.example",
            "keys/id_ed25519.pub",
            "src/main.rs",
            "app/env.py",
        ] {
            write(root, rel, "x\n");
        }
        let context = || Context::open(root, Path::new("Dockerfile")).expect("open");
        assert_eq!(
            context().secret_files(),
            [
                ".aws/credentials",
                ".docker/config.json",
                ".git-credentials",
                ".netrc",
                ".npmrc",
                "app/config/.env.production",
                "deploy/server.pem",
                "keys/id_ed25519",
                "pkg/.pypirc",
                "svc/.env",
                "tls/server.key",
            ]
        );
        write(
            root,
            ".dockerignore",
            "**/.env*\n.aws\n*.pem\n**/*.pem\nkeys/\n",
        );
        assert_eq!(
            context().secret_files(),
            [
                ".docker/config.json",
                ".git-credentials",
                ".netrc",
                ".npmrc",
                "pkg/.pypirc",
                "tls/server.key",
            ]
        );
    }

    #[test]
    fn ensure_dockerignore_writes_or_appends_only_what_is_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        assert_eq!(
            ensure_dockerignore(root).expect("create"),
            IgnoreChange::Created(vec![".env", ".git"])
        );
        let ignore = DockerIgnore::from_dir(root).expect("parse");
        assert!(ignore.is_excluded(".env") && ignore.is_excluded(".git/config"));
        assert_eq!(
            ensure_dockerignore(root).expect("again"),
            IgnoreChange::Unchanged
        );

        // An existing file: kept, and only the missing line added, even after
        // an exception that took `.env` back in.
        fs::write(root.join(DOCKERIGNORE), "*.log\n.git\n.env*\n!.env").expect("write");
        assert_eq!(
            ensure_dockerignore(root).expect("append"),
            IgnoreChange::Appended(vec![".env"])
        );
        let text = fs::read_to_string(root.join(DOCKERIGNORE)).expect("read");
        assert!(text.starts_with("*.log\n.git\n.env*\n!.env\n#"), "{text}");
        assert!(text.ends_with("\n.env\n"), "{text}");
        let ignore = DockerIgnore::parse(&text).expect("parse");
        assert!(ignore.is_excluded(".env") && ignore.is_excluded("app.log"));
    }
}
