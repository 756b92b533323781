//! `build.before`: the project's commands run before the image is built, on
//! every platform; the first that fails stops the run with its exit code.

use std::process::Command;

use crate::image::{commit_all, git};
use crate::local::free_port;
use crate::testbed::{self, Testbed, run};

/// The image is made from what the hook writes (www/ is ignored by git: an artefact).
fn write_project(tb: &Testbed, dir: &std::path::Path, head: &str, before: &str) {
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM {}\nCOPY www /www\nCMD [\"sh\", \"-c\", \"httpd -f -p $PORT -h /www\"]\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("mcp.toml"),
        format!("{head}\n[build]\nbefore = {before}\n"),
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "www/\n").unwrap();
    git(dir, &["init", "-q"]);
    commit_all(dir);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn build_before_runs_in_the_config_folder_and_its_output_is_in_the_image() {
    let tb = crate::testbed!();
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let name = testbed::unique("hook");
    write_project(
        tb,
        dir.path(),
        &format!(
            "name = \"{name}\"\n\n[deploy]\ntimeout = \"30s\"\nport = {port}\n\n[stages.local]\ntarget = \"local\"\n"
        ),
        r#"["mkdir -p www", "echo made by the hook > www/healthz && echo generating assets"]"#,
    );
    // Run from a subfolder: the commands still run next to mcp.toml.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let out = run(tb.mcp(&dir.path().join("sub")).args([
        "--stage",
        "local",
        "deploy",
        "--no-check",
        "-o",
        "json",
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        out.json()["status"],
        "succeeded",
        "hook output stays off stdout"
    );
    assert!(
        out.stderr.contains("Running build.before: mkdir -p www\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("\n             generating assets\n"),
        "the command's output, indented on stderr: {}",
        out.stderr
    );
    let running = out.stderr.find("build.before: echo made").unwrap();
    let building = out.stderr.find("Building").unwrap();
    assert!(running < building, "{}", out.stderr);
    let page = Command::new("curl")
        .args(["-fsS", "--max-time", "5"])
        .arg(format!("http://127.0.0.1:{port}/healthz"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&page.stdout), "made by the hook\n");
    let down = run(tb.mcp(dir.path()).args(["--stage", "local", "down"]));
    assert_eq!(down.code, 0, "{}", down.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_failing_build_before_stops_the_deploy_with_its_exit_code_before_a_build() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("hookfail", &[]);
    let dir = seeded.project(tb);
    let head = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    write_project(
        tb,
        dir.path(),
        &head,
        r#"["mkdir -p www && echo broken generator >&2 && exit 5", "touch second-ran"]"#,
    );
    for args in [&["deploy"][..], &["build"], &["push"]] {
        let out = run(tb.mcp(dir.path()).args(args));
        assert_eq!(out.code, 5, "mcp {args:?}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, "", "mcp {args:?}");
        assert!(
            out.stderr.contains("             broken generator\n"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(
                "error: `build.before` command `mkdir -p www && echo broken generator >&2 && exit 5` exited with code 5; nothing was built"
            ),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("Building"), "{}", out.stderr);
    }
    assert!(
        !dir.path().join("second-ran").exists(),
        "the first failure stops the list"
    );
    let images = Command::new("docker")
        .envs(&tb.env)
        .args(["image", "ls", "-q", &seeded.get("repository")])
        .output()
        .unwrap();
    assert!(images.status.success());
    assert_eq!(
        String::from_utf8_lossy(&images.stdout),
        "",
        "nothing was built"
    );
}
