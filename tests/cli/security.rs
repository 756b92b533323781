//! What `mcp` never prints (issue 16): URL credentials, a pasted token, a
//! secret written where its reference belongs; and text that would drive the
//! terminal, shown escaped there.

use std::process::Command;

use super::{mcp, project, run};

/// Guards issue 16 item 5: credentials in a URL appear in no report, text or JSON.
#[test]
fn url_credentials_are_never_printed() {
    let dir = project(&[(
        "mcp.toml",
        "name = \"x\"\n[deploy]\nurl = \"https://deployer:hunter2@mcp.example.com/mcp\"\n",
    )]);
    for args in [&["config"][..], &["config", "-o", "json"]] {
        let r = run(mcp(dir.path()).args(args), dir.path());
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout.contains("https://***@mcp.example.com/mcp"),
            "{}",
            r.stdout
        );
        assert!(!r.stdout.contains("hunter2") && !r.stderr.contains("hunter2"));
    }
    // In errors too: nothing listens on port 9 of loopback.
    let r = run(
        mcp(dir.path()).args([
            "check",
            "--url",
            "http://deployer:hunter2@127.0.0.1:9/mcp",
            "--timeout",
            "5s",
        ]),
        dir.path(),
    );
    assert_ne!(r.code, 0);
    assert!(
        !r.stdout.contains("hunter2") && !r.stderr.contains("hunter2"),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
}

/// Guards issue 16 item 5: neither a token pasted into `auth_token_env` nor a
/// secret pasted into `[secrets]` as a number is echoed.
#[test]
fn pasted_secrets_are_refused_without_being_echoed() {
    let token = "ghp_R3allyS3cretT0kenValue1234567890ab";
    let dir = project(&[(
        "mcp.toml",
        &format!("name = \"x\"\n[deploy]\nauth_token_env = \"{token}\"\n"),
    )]);
    let r = run(mcp(dir.path()).arg("config"), dir.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`deploy.auth_token_env` ([DIR]/mcp.toml) is not the name"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("R3ally") && !r.stdout.contains("R3ally"));

    let dir = project(&[("mcp.toml", "name = \"x\"\n[secrets]\nPIN = 90210443\n")]);
    let r = run(mcp(dir.path()).arg("config"), dir.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("`secrets.PIN`"), "{}", r.stderr);
    assert!(!r.stderr.contains("90210443"), "{}", r.stderr);
}

/// Run `program args` on a pseudo-terminal (stdout and stderr both), return what it wrote.
fn on_a_terminal(program: &std::path::Path, args: &[&str], dir: &std::path::Path) -> String {
    const PTY: &str = r#"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(PTY)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Guards issue 16 item 5 and issue 26 item 13: text that would set the
/// window title reaches a terminal escaped, and a pipe too (`mcp … | less -R`
/// or `| tee` would hand it to the terminal all the same).
#[test]
fn control_characters_reach_a_terminal_escaped() {
    let dir = project(&[("mcp.toml", "name = \"x\"\n")]);
    let stage = "evil\u{1b}]0;pwned\u{7}";
    let program = assert_cmd::cargo::cargo_bin("mcp");
    let shown = on_a_terminal(&program, &["config", "--stage", stage], dir.path());
    assert!(
        shown.contains("unknown stage `evil\\x1b]0;pwned\\x07`"),
        "{shown:?}"
    );
    assert!(!shown.contains('\u{1b}'), "{shown:?}");

    let piped = run(
        mcp(dir.path()).args(["config", "--stage", stage]),
        dir.path(),
    );
    assert!(
        piped
            .stderr
            .contains("unknown stage `evil\\x1b]0;pwned\\x07`"),
        "{:?}",
        piped.stderr
    );
    assert!(!piped.stderr.contains('\u{1b}'), "{:?}", piped.stderr);
}

/// Guards issue 16 item 5 and issue 26 item 2: an mcp.toml found by walking
/// up that another user owns is refused (exit 2, naming it); one's own (or
/// root's) is read, and so is one `--config` names. Giving a file away takes
/// root: without it only the quiet case is checked (tests/it/security.rs
/// covers links and shared folders, as root).
#[cfg(unix)]
#[test]
fn a_file_another_user_owns_is_refused_unless_named() {
    let dir = project(&[("mcp.toml", "name = \"x\"\n"), ("sub/keep", "")]);
    let sub = dir.path().join("sub");
    let r = run(mcp(&sub).arg("config"), dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("owned by another user"), "{}", r.stderr);
    if std::os::unix::fs::chown(dir.path().join("mcp.toml"), Some(4242), None).is_ok() {
        let r = run(mcp(&sub).arg("config"), dir.path());
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("error: `[DIR]/mcp.toml` was found by walking up")
                && r.stderr.contains("it is owned by another user (uid 4242)"),
            "{}",
            r.stderr
        );
        // Named on purpose: read.
        let r = run(
            mcp(&sub).args(["--config", "../mcp.toml", "config"]),
            dir.path(),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stderr.contains("owned by another user"), "{}", r.stderr);
    }
}

/// Guards issue 26 item 3: a credential of the machine named as the bearer
/// token is refused (nothing is sent); allowed by name by whoever runs mcp
/// (`MCP_ALLOW_CREDENTIAL_ENV`), the host it goes to is named before it is
/// sent; allowed by mcp.toml (which a pull request's author writes), refused.
#[test]
fn machine_credentials_are_not_sent_as_bearer_tokens() {
    let toml = "name = \"x\"\n[deploy]\nurl = \"http://127.0.0.1:9/mcp\"\nauth_token_env = \"AWS_SECRET_ACCESS_KEY\"\n";
    let dir = project(&[("mcp.toml", toml)]);
    let r = run(
        mcp(dir.path())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY",
            )
            .args(["check", "--timeout", "5s"]),
        dir.path(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("names AWS_SECRET_ACCESS_KEY, a credential of this machine: it would be sent to `127.0.0.1`"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Checking"), "{}", r.stderr);
    let r = run(
        mcp(dir.path())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY",
            )
            .env("MCP_ALLOW_CREDENTIAL_ENV", "GH_TOKEN,AWS_SECRET_ACCESS_KEY")
            .args(["check", "--timeout", "5s"]),
        dir.path(),
    );
    assert!(
        r.stderr.contains(
            "sending AWS_SECRET_ACCESS_KEY to `127.0.0.1` (allowed by MCP_ALLOW_CREDENTIAL_ENV)"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("wJalr") && !r.stdout.contains("wJalr"));
    // The checked-out file allowing it itself: refused, naming the variable to use.
    let dir = project(&[(
        "mcp.toml",
        &format!("{toml}allow_credential_env = [\"AWS_SECRET_ACCESS_KEY\"]\n"),
    )]);
    let r = run(
        mcp(dir.path())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY",
            )
            .args(["check", "--timeout", "5s"]),
        dir.path(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "error: `deploy.allow_credential_env` ([DIR]/mcp.toml) is not read from mcp.toml"
        ) && r.stderr.contains("MCP_ALLOW_CREDENTIAL_ENV=NAME[,NAME]"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("Checking"), "{}", r.stderr);
    assert!(!r.stderr.contains("wJalr") && !r.stdout.contains("wJalr"));
}

/// Guards issue 26 item 7: a URL password holding `; , / # ?` is printed
/// nowhere, in text or JSON, whether the URL parses or not.
#[test]
fn url_passwords_with_delimiters_are_never_printed() {
    let dir = project(&[("mcp.toml", "name = \"x\"\n")]);
    for password in ["hunter2;x", "hun,ter2", "hu/nter2", "hu#nter2", "hu?nter2"] {
        let url = format!("http://admin:{password}@127.0.0.1:9/mcp");
        for format in ["text", "json"] {
            let r = run(
                mcp(dir.path()).args(["check", "-o", format, "--timeout", "5s", "--url", &url]),
                dir.path(),
            );
            assert_ne!(r.code, 0);
            assert!(
                !r.stdout.contains("nter") && !r.stderr.contains("nter"),
                "{password} ({format})\nstdout:\n{}\nstderr:\n{}",
                r.stdout,
                r.stderr
            );
            assert!(
                r.stderr.contains("http://***@127.0.0.1:9/mcp"),
                "{password} ({format}): {}",
                r.stderr
            );
        }
    }
}
