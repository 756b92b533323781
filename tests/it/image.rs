//! `mcp build` and `mcp push` against the testbed's engine, registry and ECR.

use std::path::Path;
use std::process::Command;

use crate::testbed::{self, Testbed, run};

/// A git-committed project whose image lists its own files: `FROM` the
/// testbed's base image, with a `.dockerignore` that drops secrets and logs
/// but re-includes one log inside the ignored folder.
pub fn fixture_project(tb: &Testbed, repository: &str, extra_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files: &[(&str, String)] = &[
        (
            "Dockerfile",
            format!(
                "FROM {}\nCOPY . /app\nCMD [\"sh\", \"-c\", \"mkdir -p /www && echo ok > /www/healthz && httpd -f -p 8000 -h /www\"]\n",
                tb.var("MCP_TESTBED_BASE_IMAGE")
            ),
        ),
        (
            ".dockerignore",
            "*.secret\nlogs/\n!logs/keep.log\n.git\n".into(),
        ),
        ("server.sh", "echo serving\n".into()),
        ("api.secret", "do-not-ship\n".into()),
        ("logs/debug.log", "noise\n".into()),
        ("logs/keep.log", "keep me\n".into()),
        (
            "mcp.toml",
            format!(
                "name = \"{repository}\"\nregion = \"{}\"\n\n[ecr]\nrepository = \"{repository}\"\n{extra_toml}",
                tb.region()
            ),
        ),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    dir
}

pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn commit_all(dir: &Path) {
    git(dir, &["add", "-A"]);
    git(
        dir,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "change",
            "--allow-empty",
        ],
    );
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The digest the registry itself serves for `repository:tag` (not moto's view).
fn registry_digest(tb: &Testbed, repository: &str, tag: &str) -> String {
    let url = format!(
        "https://{}/v2/{repository}/manifests/{tag}",
        tb.var("MCP_TESTBED_REGISTRY")
    );
    let password = format!("{}-auth-token", tb.var("MCP_TESTBED_ACCOUNT"));
    let out = Command::new("curl")
        .args([
            "-fsSI",
            "--cacert",
            &tb.var("MCP_TESTBED_CA"),
            "-u",
            &format!("AWS:{password}"),
        ])
        .args([
            "-H",
            "Accept: application/vnd.docker.distribution.manifest.v2+json",
        ])
        .args(["-H", "Accept: application/vnd.oci.image.manifest.v1+json"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "HEAD {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let headers = String::from_utf8_lossy(&out.stdout).to_string();
    headers
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("docker-content-digest:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no digest header in {headers}"))
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn push_builds_for_amd64_honours_dockerignore_and_skips_when_unchanged() {
    let tb = crate::testbed!();
    let repository = testbed::unique("push");
    let dir = fixture_project(tb, &repository, "create = true\n");

    let first = run(tb.mcp(dir.path()).args(["push", "--output", "json"]));
    assert_eq!(first.code, 0, "stderr:\n{}", first.stderr);
    let report = first.json();
    for key in ["image", "tag", "digest", "pushed_bytes", "skipped"] {
        assert!(report.get(key).is_some(), "`{key}` missing from {report}");
    }
    assert_eq!(report["skipped"], false);
    assert!(report["pushed_bytes"].as_u64().unwrap() > 0);
    let tag = report["tag"].as_str().unwrap().to_string();
    let digest = report["digest"].as_str().unwrap().to_string();
    assert_eq!(tag.len(), 12, "default tag is the short git sha: {tag}");
    assert_eq!(
        registry_digest(tb, &repository, &tag),
        digest,
        "the registry serves the digest mcp reported"
    );
    let image = report["image"].as_str().unwrap();
    assert_eq!(
        image,
        format!(
            "{}/{repository}:{tag}@{digest}",
            tb.var("MCP_TESTBED_REGISTRY")
        )
    );

    // What went into the image: the ignored files are absent, the re-included one present.
    let local = format!("{}/{repository}:{tag}", tb.var("MCP_TESTBED_REGISTRY"));
    assert_eq!(
        docker(&[
            "image",
            "inspect",
            "-f",
            "{{.Os}}/{{.Architecture}}",
            &local
        ])
        .trim(),
        "linux/amd64"
    );
    let labels = docker(&["image", "inspect", "-f", "{{json .Config.Labels}}", &local]);
    assert!(
        labels.contains("org.opencontainers.image.revision"),
        "{labels}"
    );
    let listing = docker(&["run", "--rm", &local, "find", "/app"]);
    assert!(listing.contains("/app/server.sh"), "{listing}");
    assert!(
        listing.contains("/app/logs/keep.log"),
        "re-included file missing:\n{listing}"
    );
    assert!(
        !listing.contains("api.secret"),
        "ignored file shipped:\n{listing}"
    );
    assert!(
        !listing.contains("debug.log"),
        "ignored file shipped:\n{listing}"
    );
    assert!(!listing.contains("/app/.git"), "{listing}");

    // Same tree again: nothing built, nothing uploaded.
    let second = run(tb.mcp(dir.path()).args(["push", "--output", "json"]));
    assert_eq!(second.code, 0, "stderr:\n{}", second.stderr);
    let again = second.json();
    assert_eq!(again["skipped"], true);
    assert_eq!(again["pushed_bytes"], 0);
    assert_eq!(again["digest"], digest.as_str());
    assert!(!second.stderr.contains("Building"), "{}", second.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn dirty_tree_gets_its_own_tag_and_layers_already_pushed_are_not_sent_again() {
    let tb = crate::testbed!();
    let repository = testbed::unique("dirty");
    let dir = fixture_project(tb, &repository, "create = true\n");
    let clean = run(tb.mcp(dir.path()).args(["push", "-o", "json"]));
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    let clean = clean.json();

    std::fs::write(dir.path().join("server.sh"), "echo changed\n").unwrap();
    let dirty = run(tb.mcp(dir.path()).args(["push", "-o", "json"]));
    assert_eq!(dirty.code, 0, "{}", dirty.stderr);
    let dirty = dirty.json();
    let tag = dirty["tag"].as_str().unwrap();
    assert!(
        tag.starts_with(clean["tag"].as_str().unwrap()) && tag.contains("-dirty-"),
        "{tag}"
    );
    assert_ne!(dirty["digest"], clean["digest"]);
    assert_eq!(dirty["skipped"], false);
    // The base image layer (about 2 MB of busybox) is in the registry already:
    // only the changed COPY layer (a few hundred bytes) goes up.
    assert_eq!(dirty["layers_pushed"], 1, "{dirty}");
    assert!(dirty["layers_existing"].as_u64().unwrap() >= 1, "{dirty}");
    assert!(dirty["pushed_bytes"].as_u64().unwrap() < 100_000, "{dirty}");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn build_alone_needs_no_aws_and_tags_locally() {
    let tb = crate::testbed!();
    let repository = testbed::unique("build");
    let dir = fixture_project(tb, &repository, "");
    let out = run(tb
        .mcp(dir.path())
        .args(["build", "--tag", "{name}-{stage}"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.trim(),
        format!("{repository}:{repository}-default")
    );
    assert!(
        out.stderr.contains("Step"),
        "build steps are shown:\n{}",
        out.stderr
    );
    docker(&["image", "inspect", out.stdout.trim()]);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn failing_build_step_shows_the_step_and_its_output() {
    let tb = crate::testbed!();
    let dir = fixture_project(tb, &testbed::unique("fail"), "");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nRUN echo compiling the server && echo boom >&2 && exit 7\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    let out = run(tb.mcp(dir.path()).arg("build"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error: build failed at `[2/2] RUN echo compiling the server"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("exit code: 7"), "{}", out.stderr);
    assert!(
        out.stderr.contains("| compiling the server") && out.stderr.contains("| boom"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint: "), "{}", out.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn missing_dockerfile_is_a_configuration_error() {
    let tb = crate::testbed!();
    let dir = fixture_project(tb, &testbed::unique("nodockerfile"), "");
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    let out = run(tb.mcp(dir.path()).arg("push"));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error: Dockerfile `Dockerfile` not found in build context"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: set `build.dockerfile`"),
        "{}",
        out.stderr
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn unreachable_engine_says_how_to_start_it() {
    let tb = crate::testbed!();
    let dir = fixture_project(tb, &testbed::unique("noengine"), "");
    let out = run(tb
        .mcp(dir.path())
        .arg("build")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error: cannot reach the Docker engine at unix:///nonexistent/docker.sock"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint: start Docker"), "{}", out.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn missing_repository_without_create_is_refused_before_building() {
    let tb = crate::testbed!();
    let dir = fixture_project(tb, &testbed::unique("norepo"), "");
    let out = run(tb.mcp(dir.path()).arg("push"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("does not exist"), "{}", out.stderr);
    assert!(
        out.stderr.contains("hint: set `ecr.create = true`"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("Building"), "{}", out.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn image_flag_verifies_the_image_exists() {
    let tb = crate::testbed!();
    let repository = testbed::unique("byimage");
    let dir = fixture_project(tb, &repository, "create = true\n");
    let pushed = run(tb.mcp(dir.path()).args(["push", "-o", "json"]));
    assert_eq!(pushed.code, 0, "{}", pushed.stderr);
    let pushed = pushed.json();
    let uri = format!(
        "{}/{repository}:{}",
        tb.var("MCP_TESTBED_REGISTRY"),
        pushed["tag"].as_str().unwrap()
    );

    let found = run(tb
        .mcp(dir.path())
        .args(["push", "--image", &uri, "-o", "json"]));
    assert_eq!(found.code, 0, "{}", found.stderr);
    assert_eq!(found.json()["digest"], pushed["digest"]);

    let missing = format!(
        "{}/{repository}:no-such-tag",
        tb.var("MCP_TESTBED_REGISTRY")
    );
    let out = run(tb.mcp(dir.path()).args(["push", "--image", &missing]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is not in ECR"), "{}", out.stderr);
}

/// Guards rule 8 of STYLE.md: the ECR password appears in no output, at any verbosity.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn registry_password_never_appears_in_output() {
    let tb = crate::testbed!();
    let repository = testbed::unique("secret");
    let dir = fixture_project(tb, &repository, "create = true\n");
    let password = format!("{}-auth-token", tb.var("MCP_TESTBED_ACCOUNT"));
    for args in [&["push", "-vv"][..], &["push", "-vv", "-o", "json"][..]] {
        let out = run(tb.mcp(dir.path()).args(args));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            !out.stdout.contains(&password) && !out.stderr.contains(&password),
            "password leaked with {args:?}"
        );
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn refused_registry_login_is_reported_with_a_hint() {
    let tb = crate::testbed!();
    let repository = testbed::unique("refused");
    let dir = fixture_project(tb, &repository, "create = true\n");
    // The testbed hands this access key an ECR login the registry refuses.
    let out = run(tb
        .mcp(dir.path())
        .arg("push")
        .env("AWS_ACCESS_KEY_ID", "testing-refused-login"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("error: the registry refused the push"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: check that your AWS credentials allow ecr:"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("not-the-registry-password"),
        "the password is never shown"
    );
}

/// An interrupted push ends with 130 and says how to resume; the rerun sends
/// only what the registry does not have yet.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn interrupted_push_resumes_without_sending_layers_again() {
    use std::io::{BufRead, BufReader, Write};
    let tb = crate::testbed!();
    let repository = testbed::unique("interrupt");
    let dir = fixture_project(tb, &repository, "create = true\n");
    // A small layer that finishes first, and a large one (incompressible, so the
    // engine takes seconds to compress and upload it) to interrupt.
    let mut big =
        std::io::BufWriter::new(std::fs::File::create(dir.path().join("big.bin")).unwrap());
    // Seeded per run: identical content would already be in the registry from an earlier run.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut x: u64 = nanos ^ 0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id());
    for _ in 0..(150 * 1024 * 1024 / 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        big.write_all(&x.to_le_bytes()).unwrap();
    }
    big.flush().unwrap();
    drop(big);
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {}\nCOPY small.txt /app/\nCOPY big.bin /app/\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("small.txt"),
        format!("{repository} {nanos}\n"),
    )
    .unwrap();
    commit_all(dir.path());

    let mut child = tb
        .mcp(dir.path())
        .arg("push")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        // The small layer is up; the large one is still on its way: interrupt.
        if line.contains("Pushed layer") {
            let status = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
    let status = child.wait().unwrap();
    assert!(
        seen.contains("Pushed layer"),
        "no layer was pushed before the end:\n{seen}"
    );
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(
        seen.contains("error: push of `") && seen.contains("interrupted"),
        "{seen}"
    );
    assert!(
        seen.contains("hint: run the command again to resume"),
        "{seen}"
    );

    let rerun = run(tb.mcp(dir.path()).args(["push", "-o", "json"]));
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    let report = rerun.json();
    assert_eq!(report["skipped"], false);
    assert!(
        report["layers_existing"].as_u64().unwrap() >= 2,
        "the base and the small layer are not sent again: {report}"
    );
    assert_eq!(report["layers_pushed"], 1, "{report}");
}

/// Guards issue 17 item 1: the tag describes what goes into the image.
/// Untracked files the engine never sees (outside the context, dockerignored)
/// and the file `mcp` writes its own output to leave the tag clean, so an
/// unchanged image is not pushed again; a change inside the context is dirty,
/// and `-v` names it.
#[test]
fn tag_describes_what_goes_into_the_image() {
    let tb = crate::testbed!();
    let repository = testbed::unique("context");
    let dir = fixture_project(
        tb,
        &repository,
        "create = true\n\n[build]\ncontext = \"server\"\n",
    );
    let root = dir.path();
    std::fs::create_dir(root.join("server")).unwrap();
    for name in [
        "Dockerfile",
        ".dockerignore",
        "server.sh",
        "api.secret",
        "logs",
    ] {
        std::fs::rename(root.join(name), root.join("server").join(name)).unwrap();
    }
    commit_all(root);
    // Untracked: outside the context, dockerignored, in a dockerignored folder.
    std::fs::write(root.join("notes.txt"), "outside the context\n").unwrap();
    std::fs::write(root.join("server/local.secret"), "dockerignored\n").unwrap();
    std::fs::write(root.join("server/logs/today.log"), "dockerignored\n").unwrap();
    let head = {
        let out = Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(root)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };

    // `mcp push --output json > server/push.json`: the shell creates the file
    // inside the context before mcp starts.
    let push_to_file = || {
        let report = root.join("server/push.json");
        let out = run(tb
            .mcp(root)
            .args(["push", "--output", "json", "-v"])
            .stdout(std::fs::File::create(&report).unwrap()));
        assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
        let text = std::fs::read_to_string(&report).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("push.json ({e}): {text}\nstderr:\n{}", out.stderr));
        (json, out.stderr)
    };
    let (first, stderr) = push_to_file();
    assert_eq!(first["tag"], head.as_str(), "stderr:\n{stderr}");
    assert_eq!(first["skipped"], false);
    let image = format!("{}/{repository}:{head}", tb.var("MCP_TESTBED_REGISTRY"));
    let listing = docker(&["run", "--rm", &image, "find", "/app"]);
    assert!(listing.contains("/app/server.sh"), "{listing}");
    for absent in ["push.json", "secret", "today.log", "notes.txt", "mcp.toml"] {
        assert!(!listing.contains(absent), "{absent} shipped:\n{listing}");
    }

    // ECR has this tag for this commit: nothing is built or pushed.
    let (second, stderr) = push_to_file();
    assert_eq!(second["tag"], head.as_str(), "stderr:\n{stderr}");
    assert_eq!(second["skipped"], true, "stderr:\n{stderr}");
    assert_eq!(second["pushed_bytes"], 0);
    assert_eq!(second["digest"], first["digest"]);
    assert!(stderr.contains("Fresh"), "{stderr}");
    assert!(!stderr.contains("Building"), "{stderr}");

    // A change inside the context makes it dirty, and -v says which file.
    // (Left in the context, push.json would ship and count too: it is only
    // left out while it is where mcp writes.)
    std::fs::remove_file(root.join("server/push.json")).unwrap();
    std::fs::write(root.join("server/server.sh"), "echo changed\n").unwrap();
    let out = run(tb.mcp(root).args(["push", "--output", "json", "-v"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let dirty = out.json();
    let tag = dirty["tag"].as_str().unwrap();
    assert!(tag.starts_with(&format!("{head}-dirty-")), "{tag}");
    assert!(
        out.stderr
            .contains(&format!("the build context differs from {head}: server.sh")),
        "{}",
        out.stderr
    );
}

/// Guards issue 16 item 4: `mcp build` names a `.env` it would send.
#[test]
fn build_warns_when_env_would_be_sent() {
    let tb = crate::testbed!();
    let dir = fixture_project(tb, &testbed::unique("envwarn"), "");
    std::fs::write(dir.path().join(".env"), "API_KEY=do-not-ship\n").unwrap();
    // The warning comes before the engine is needed.
    let out = run(tb
        .mcp(dir.path())
        .arg("build")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock"));
    let env = dir.path().join(".env");
    assert!(
        out.stderr.contains(&format!(
            "warning: {} would be sent to the Docker engine",
            env.display()
        )),
        "{}",
        out.stderr
    );
    // .git is dockerignored in the fixture: no warning for it.
    assert!(
        !out.stderr.contains("/.git would be sent"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("do-not-ship"), "{}", out.stderr);
}

/// Guards issue 16 item 4: after `mcp init`, `.env` and `.git` are not in
/// the image (looked at through the engine).
#[test]
fn init_keeps_env_and_git_out_of_the_image() {
    let tb = crate::testbed!();
    let repository = testbed::unique("init");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("Dockerfile"),
        format!("FROM {}\nCOPY . /app\n", tb.var("MCP_TESTBED_BASE_IMAGE")),
    )
    .unwrap();
    std::fs::write(root.join("server.sh"), "echo serving\n").unwrap();
    std::fs::write(root.join(".env"), "API_KEY=do-not-ship\n").unwrap();
    git(root, &["init", "-q"]);
    commit_all(root);

    let init = run(tb
        .mcp(root)
        .args(["init", "--name", &repository, "--cluster", "dev"]));
    assert_eq!(init.code, 0, "{}", init.stderr);
    let ignore_file = root.join(".dockerignore");
    assert!(
        init.stderr
            .contains(&format!("{} (.env, .git)", ignore_file.display())),
        "init says what it wrote:\n{}",
        init.stderr
    );

    let out = run(tb.mcp(root).arg("build"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("warning:"), "{}", out.stderr);
    let listing = docker(&["run", "--rm", out.stdout.trim(), "find", "/app"]);
    assert!(listing.contains("/app/server.sh"), "{listing}");
    assert!(!listing.contains("/app/.env"), ".env shipped:\n{listing}");
    assert!(!listing.contains("/app/.git"), ".git shipped:\n{listing}");

    // An existing .dockerignore keeps its lines and gets only what it lacks.
    std::fs::write(&ignore_file, "*.log\n.git\n").unwrap();
    let again =
        run(tb
            .mcp(root)
            .args(["init", "--name", &repository, "--cluster", "dev", "--force"]));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains(&format!(".env to {}", ignore_file.display())),
        "{}",
        again.stderr
    );
    let text = std::fs::read_to_string(&ignore_file).unwrap();
    assert!(
        text.starts_with("*.log\n.git\n") && text.ends_with("\n.env\n"),
        "{text}"
    );
}

/// Guards issue 16 item 5: a context outside the folder of mcp.toml is named.
#[test]
fn context_outside_the_project_is_named() {
    let tb = crate::testbed!();
    let dir = fixture_project(
        tb,
        &testbed::unique("outside"),
        "\n[build]\ncontext = \"..\"\ndockerfile = \"project/Dockerfile\"\n",
    );
    let home = tempfile::tempdir().unwrap();
    let project = home.path().join("project");
    std::fs::rename(dir.path(), &project).unwrap();
    // The context holds no git repository: a tag that needs none.
    let out = run(tb
        .mcp(&project)
        .args(["build", "--tag", "outside"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock"));
    let resolved = home.path().canonicalize().unwrap();
    assert!(
        out.stderr.contains(&format!(
            "warning: `build.context` resolves to {}, outside the folder of mcp.toml",
            resolved.display()
        )),
        "{}",
        out.stderr
    );
}
