//! A closed stderr (`mcp … 2>&1 | head -2`) loses lines, never the work.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

/// A pipe whose reading end is already closed: every write to it fails (EPIPE).
fn closed_pipe() -> OwnedFd {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills both descriptors; we own them from here.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    unsafe {
        libc::close(fds[0]);
        OwnedFd::from_raw_fd(fds[1])
    }
}

#[test]
fn a_closed_stderr_does_not_abort_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("mcp"))
        .current_dir(dir.path())
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env_remove("MCP_CONFIG")
        .args(["init", "--name", "demo"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(closed_pipe()))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "init prints status lines on stderr");
    assert!(dir.path().join("mcp.toml").exists());
}
