//! The walk over the build context directory, and the tar it writes.
//!
//! The walk decides each entry with its parent's per-pattern results, as
//! moby's `archive.TarWithOptions` does, so a file is sent exactly when a real
//! `docker build` would send it; see [`super::ignore`] for the rules.

use std::ffi::OsString;
use std::fs::{self, File, FileType, Metadata};
use std::io::{self, Read, Write};
use std::path::{Component, Path};
use std::time::UNIX_EPOCH;

use anyhow::{Context as _, Result, bail};

use super::{DOCKERIGNORE, DockerIgnore};

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
    let path = dockerfile_path(root, dockerfile)?;
    let full = root.join(&path);
    let meta = fs::metadata(&full)
        .with_context(|| format!("cannot find the Dockerfile {}", full.display()))?;
    if !meta.is_file() {
        bail!("the Dockerfile {} is not a file", full.display());
    }
    Ok(path)
}

/// The Dockerfile as a clean `/`-separated path inside the context, whether
/// or not it exists.
pub(super) fn dockerfile_path(root: &Path, dockerfile: &Path) -> Result<String> {
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
        if super::is_own_output(&meta) {
            // Where this process writes its output (`mcp push > push.json`):
            // not source, and changing while it would be read.
            return Ok(());
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

#[cfg(test)]
pub(crate) mod tests {
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

    // --- the tar ------------------------------------------------------------

    pub(crate) fn write(root: &Path, rel: &str, body: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, body).expect("write");
    }

    pub(crate) fn tar_of(root: &Path, dockerfile: &str) -> (Vec<u8>, ContextStats) {
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
}
