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
