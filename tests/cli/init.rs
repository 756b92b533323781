//! `mcp init` outside a terminal: flags and defaults, never a prompt.

use super::{mcp, project, run};

#[test]
fn writes_a_valid_commented_file_and_refuses_to_overwrite() {
    let dir = project(&[("Dockerfile", "FROM scratch\n")]);
    let r = run(
        mcp(dir.path()).args([
            "init",
            "--name",
            "echo",
            "--cluster",
            "dev",
            "--region",
            "us-east-1",
        ]),
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "[DIR]/mcp.toml\n");
    let text = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    assert!(
        text.contains("name = \"echo\"") && text.contains("cluster = \"dev\""),
        "{text}"
    );
    assert!(
        text.contains("# mcp.toml: how `mcp` builds"),
        "the file is commented"
    );

    // What init wrote resolves cleanly.
    let r = run(mcp(dir.path()).args(["config", "-o", "json"]), dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let service = json["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "ecs.service")
        .unwrap()
        .clone();
    assert_eq!(service["value"], "echo");

    let r = run(
        mcp(dir.path()).args(["init", "--name", "other"]),
        dir.path(),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("already exists") && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    let r = run(
        mcp(dir.path()).args(["init", "--name", "other", "--force"]),
        dir.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::read_to_string(dir.path().join("mcp.toml"))
            .unwrap()
            .contains("name = \"other\"")
    );
}

#[test]
fn name_defaults_to_the_git_remote() {
    let dir = project(&[]);
    let git = |args: &[&str]| {
        assert!(
            std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap()
                .status
                .success()
        );
    };
    git(&["init", "-q"]);
    git(&[
        "remote",
        "add",
        "origin",
        "git@github.com:quiltdata/quilt-mcp-server.git",
    ]);
    let r = run(mcp(dir.path()).args(["init", "-o", "json"]), dir.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["name"], "quilt-mcp-server");
    assert_eq!(json["repository"], "quilt-mcp-server");
    assert!(r.stderr.contains("warning: no Dockerfile"), "{}", r.stderr);
}

/// Guards issue 26 item 11: `mcp init` does not write through a symbolic
/// link, for mcp.toml (`--force`, or a dangling link) nor for .dockerignore:
/// it refuses, naming the link, and the file it points to is left as it was.
#[cfg(unix)]
#[test]
fn does_not_write_through_symbolic_links() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "keep me\n").unwrap();
    let args = [
        "init",
        "--name",
        "echo",
        "--cluster",
        "dev",
        "--region",
        "us-east-1",
    ];

    // mcp.toml a link to a file elsewhere, with --force.
    let dir = project(&[("Dockerfile", "FROM scratch\n")]);
    std::os::unix::fs::symlink(&victim, dir.path().join("mcp.toml")).unwrap();
    let r = run(mcp(dir.path()).args(args).arg("--force"), dir.path());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("`[DIR]/mcp.toml` is a symbolic link"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");

    // A dangling link: the file it names is not created.
    let dir = project(&[("Dockerfile", "FROM scratch\n")]);
    let planted = outside.path().join("planted");
    std::os::unix::fs::symlink(&planted, dir.path().join("mcp.toml")).unwrap();
    let r = run(mcp(dir.path()).args(args), dir.path());
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(!planted.exists(), "written through a dangling link");

    // .dockerignore a link: mcp.toml is written, the link's file is not touched.
    let dir = project(&[("Dockerfile", "FROM scratch\n")]);
    std::os::unix::fs::symlink(&victim, dir.path().join(".dockerignore")).unwrap();
    let r = run(mcp(dir.path()).args(args), dir.path());
    assert!(
        r.stderr.contains("[DIR]/.dockerignore` is a symbolic link"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
}
