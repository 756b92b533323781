//! Writing the project's own files (mcp.toml, .dockerignore) without
//! following a symbolic link (issue 26 item 11).
//!
//! A link in a project folder may come with the repository: writing "our"
//! mcp.toml through it would overwrite, or create, a file anywhere the user
//! can write (a shell profile, a key file). `mcp` refuses a link, naming it
//! and where it points, as `mcp secrets set` does; the final open also passes
//! `O_NOFOLLOW`, so a link put there after the check is refused as well.

use std::fs::{File, OpenOptions};
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::error::McpError;

/// An error when `path` is a symbolic link (dangling or not): `command`
/// does not write through links.
pub fn refuse_link(path: &Path, command: &str) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !meta.file_type().is_symlink() {
        return Ok(());
    }
    let target = std::fs::read_link(path)
        .map(|t| format!(" (to `{}`)", t.display()))
        .unwrap_or_default();
    Err(McpError::usage(format!(
        "`{}` is a symbolic link{target}: `{command}` does not write through links",
        path.display()
    ))
    .hint("replace the link with the file itself, or remove it and run the command again")
    .into())
}

/// Open `path` to write (`append`, or truncated), created when missing,
/// never through a symbolic link.
pub fn open_no_follow(path: &Path, append: bool, command: &str) -> Result<File> {
    refuse_link(path, command)?;
    let mut options = OpenOptions::new();
    if append {
        options.append(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    options.open(path).map_err(|err| {
        if err.raw_os_error() == Some(libc::ELOOP) {
            refuse_link(path, command)
                .err()
                .unwrap_or_else(|| anyhow::Error::new(err))
        } else {
            anyhow::Error::new(err).context(format!("writing `{}`", path.display()))
        }
    })
}

/// Write `bytes` to `path` (replacing what is there), never through a link.
pub fn write_no_follow(path: &Path, bytes: &[u8], command: &str) -> Result<()> {
    use std::io::Write as _;
    open_no_follow(path, false, command)?
        .write_all(bytes)
        .with_context(|| format!("writing `{}`", path.display()))
}
