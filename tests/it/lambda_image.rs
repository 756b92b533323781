//! The image of a Lambda stage (issue 29, item 2): `mcp build` and `mcp push`
//! add the Lambda Web Adapter to an image that has none, with its settings
//! from mcp.toml, keep an adapter the image brings (with mcp.toml's settings),
//! fail clearly on an adapter image that cannot be had, and leave an ECS
//! stage's image alone. The testbed's stand-in adapter image
//! (`$MCP_TESTBED_LAMBDA_ADAPTER_IMAGE`) plays the public one, which cannot be
//! pulled here.

use std::path::Path;
use std::process::Command;

use crate::image::{commit_all, fixture_project, git};
use crate::testbed::{self, Testbed, run};

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The image's `ENV` as `NAME=value` lines.
fn env_of(image: &str) -> Vec<String> {
    let json = docker(&["image", "inspect", "-f", "{{json .Config.Env}}", image]);
    serde_json::from_str::<Option<Vec<String>>>(&json)
        .unwrap()
        .unwrap_or_default()
}

/// The names in the image's `/opt/extensions`, read without running it (the
/// echo server's image has no shell): a created container's archive.
fn extensions_of(image: &str) -> Vec<String> {
    let id = docker(&["create", image, "/never-started"])
        .trim()
        .to_string();
    let out = Command::new("docker")
        .args(["cp", &format!("{id}:/opt/extensions"), "-"])
        .output()
        .unwrap();
    docker(&["rm", "-f", &id]);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        // Older engines say "Could not find the file", newer "No such container:path".
        assert!(
            err.contains("Could not find the file") || err.contains("No such container:path"),
            "docker cp: {err}"
        );
        return Vec::new();
    }
    let mut names: Vec<String> = tar::Archive::new(&out.stdout[..])
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .filter_map(|p| {
            p.strip_prefix("extensions/")
                .filter(|rest| !rest.is_empty())
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn adapter(tb: &Testbed) -> String {
    tb.var("MCP_TESTBED_LAMBDA_ADAPTER_IMAGE")
}

/// examples/echo-server (a `FROM scratch` image) as a Lambda stage's project.
fn echo_lambda_project(tb: &Testbed, repository: &str, lambda_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/echo-server");
    for file in ["Dockerfile", ".dockerignore"] {
        std::fs::copy(example.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::copy(
        crate::check::echo_server_bin(),
        dir.path().join("dist/echo-server"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!(
            "name = \"{repository}\"\nregion = \"{}\"\ntarget = \"lambda\"\n\n[ecr]\nrepository = \"{repository}\"\ncreate = true\n\n\
             [deploy]\nport = 8000\nhealth_path = \"/healthz\"\n\n[lambda]\nadapter_image = \"{}\"\n{lambda_toml}",
            tb.region(),
            adapter(tb),
        ),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    dir
}

/// The image tests' busybox project (`crate::image::fixture_project`) as a
/// Lambda stage, with `tables` appended to its mcp.toml.
fn lambda_fixture(tb: &Testbed, repository: &str, tables: &str) -> tempfile::TempDir {
    let dir = fixture_project(tb, repository, "");
    let path = dir.path().join("mcp.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("target = \"lambda\"\n{toml}\n{tables}")).unwrap();
    commit_all(dir.path());
    dir
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn lambda_image_push_adds_the_adapter_with_mcp_toml_settings_and_pushes_that_image() {
    let tb = crate::testbed!();
    let repository = testbed::unique("lwa-push");
    let dir = echo_lambda_project(tb, &repository, "invoke_mode = \"BUFFERED\"\n");

    let out = run(tb.mcp(dir.path()).args(["push", "--output", "json"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "Adding the Lambda Web Adapter from {}",
            adapter(tb)
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("Added /opt/extensions/lambda-adapter to "),
        "{}",
        out.stderr
    );
    let report = out.json();
    let tag = report["tag"].as_str().unwrap();
    let local = format!("{}/{repository}:{tag}", tb.var("MCP_TESTBED_REGISTRY"));

    // The image the release names is the one with the adapter.
    assert_eq!(extensions_of(&local), ["lambda-adapter"]);
    let env = env_of(&local);
    for wanted in [
        "AWS_LWA_PORT=8000",
        "AWS_LWA_READINESS_CHECK_PATH=/healthz",
        "AWS_LWA_INVOKE_MODE=buffered",
    ] {
        assert!(env.contains(&wanted.to_string()), "{wanted} not in {env:?}");
    }
    let added = &report["build"]["lambda_adapter"];
    assert_eq!(added["path"], "/opt/extensions/lambda-adapter", "{report}");
    assert_eq!(added["added_from"], adapter(tb).as_str());
    assert_eq!(added["env"]["AWS_LWA_INVOKE_MODE"], "buffered");
    let id = docker(&["image", "inspect", "-f", "{{.Id}}", &local]);
    assert_eq!(report["build"]["image_id"], id.trim());
    let digests = docker(&["image", "inspect", "-f", "{{json .RepoDigests}}", &local]);
    let digest = report["digest"].as_str().unwrap();
    assert!(
        digests.contains(&format!("{repository}@{digest}")),
        "the pushed digest {digest} is not the adapted image's: {digests}"
    );
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
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn lambda_image_with_its_own_adapter_gets_no_second_one_but_mcp_toml_settings() {
    let tb = crate::testbed!();
    let repository = testbed::unique("lwa-own");
    let dir = lambda_fixture(
        tb,
        &repository,
        &format!(
            "[deploy]\nport = 8000\nhealth_path = \"/ready\"\n[lambda]\nadapter_image = \"{}\"\n",
            adapter(tb)
        ),
    );
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {adapter} AS lwa\nFROM {base}\nCOPY --from=lwa /lambda-adapter /opt/extensions/my-adapter\n\
             ENV AWS_LWA_PORT=9999 AWS_LWA_INVOKE_MODE=response_stream\nCMD [\"httpd\", \"-f\", \"-p\", \"8000\"]\n",
            adapter = adapter(tb),
            base = tb.var("MCP_TESTBED_BASE_IMAGE"),
        ),
    )
    .unwrap();
    commit_all(dir.path());

    let out = run(tb.mcp(dir.path()).args(["build", "--output", "json"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let report = out.json();
    assert_eq!(
        report["lambda_adapter"]["path"],
        "/opt/extensions/my-adapter"
    );
    assert!(report["lambda_adapter"]["added_from"].is_null(), "{report}");
    let image = report["image"].as_str().unwrap().to_string();
    assert_eq!(extensions_of(&image), ["my-adapter"], "{}", out.stderr);
    assert!(!out.stderr.contains("Adding"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the image's own Lambda Web Adapter (/opt/extensions/my-adapter) in ")
            && out.stderr.contains("AWS_LWA_PORT=8000 (was 9999)")
            && out.stderr.contains("AWS_LWA_READINESS_CHECK_PATH=/ready"),
        "{}",
        out.stderr
    );
    let env = env_of(&image);
    for wanted in [
        "AWS_LWA_PORT=8000",
        "AWS_LWA_READINESS_CHECK_PATH=/ready",
        "AWS_LWA_INVOKE_MODE=response_stream",
    ] {
        assert!(env.contains(&wanted.to_string()), "{wanted} not in {env:?}");
    }
    assert!(!env.iter().any(|e| e == "AWS_LWA_PORT=9999"), "{env:?}");

    // Settings already equal: the image stays as built.
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM {adapter} AS lwa\nFROM {base}\nCOPY --from=lwa /lambda-adapter /opt/extensions/lambda-adapter\n\
             ENV AWS_LWA_PORT=8000 AWS_LWA_READINESS_CHECK_PROTOCOL=http AWS_LWA_READINESS_CHECK_PATH=/ready AWS_LWA_INVOKE_MODE=response_stream\n",
            adapter = adapter(tb),
            base = tb.var("MCP_TESTBED_BASE_IMAGE"),
        ),
    )
    .unwrap();
    commit_all(dir.path());
    let out = run(tb.mcp(dir.path()).args(["build"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr
            .contains("Kept the image's own Lambda Web Adapter (/opt/extensions/lambda-adapter)"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("Configured"), "{}", out.stderr);
    assert_eq!(extensions_of(out.stdout.trim()), ["lambda-adapter"]);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn lambda_image_adapter_that_cannot_be_pulled_is_an_error_naming_the_key() {
    let tb = crate::testbed!();
    let repository = testbed::unique("lwa-missing");
    let missing = format!("{}/no-such-adapter:0.9.1", tb.var("MCP_TESTBED_REGISTRY"));
    let dir = lambda_fixture(
        tb,
        &repository,
        &format!("[lambda]\nadapter_image = \"{missing}\"\n"),
    );

    let out = run(tb.mcp(dir.path()).args(["build"]));
    assert_ne!(out.code, 0, "stderr:\n{}", out.stderr);
    for wanted in [
        "cannot get the Lambda Web Adapter image",
        &missing,
        "`lambda.adapter_image`",
        "mcp.toml",
        "pulling it failed",
        "mirror the adapter image to a registry",
    ] {
        assert!(
            out.stderr.contains(wanted),
            "`{wanted}` not in:\n{}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains("Added"), "{}", out.stderr);

    // Set for the machine, the variable wins, and the hint points at it.
    let elsewhere = format!("{}/other-missing-adapter:1", tb.var("MCP_TESTBED_REGISTRY"));
    let out = run(tb
        .mcp(dir.path())
        .env("MCP_LAMBDA_ADAPTER_IMAGE", &elsewhere)
        .args(["build"]));
    assert_ne!(out.code, 0, "stderr:\n{}", out.stderr);
    for wanted in [
        elsewhere.as_str(),
        "set in env MCP_LAMBDA_ADAPTER_IMAGE",
        "point MCP_LAMBDA_ADAPTER_IMAGE at your copy",
    ] {
        assert!(
            out.stderr.contains(wanted),
            "`{wanted}` not in:\n{}",
            out.stderr
        );
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn lambda_image_of_an_ecs_stage_is_untouched() {
    let tb = crate::testbed!();
    let repository = testbed::unique("lwa-ecs");
    let dir = fixture_project(
        tb,
        &repository,
        &format!(
            "\n[stages.fn]\ntarget = \"lambda\"\nlambda = {{ adapter_image = \"{}\" }}\n",
            adapter(tb)
        ),
    );

    let ecs = run(tb.mcp(dir.path()).args(["build", "--output", "json"]));
    assert_eq!(ecs.code, 0, "stderr:\n{}", ecs.stderr);
    let report = ecs.json();
    assert!(report.get("lambda_adapter").is_none(), "{report}");
    let image = report["image"].as_str().unwrap().to_string();
    assert!(!ecs.stderr.contains("Adapter"), "{}", ecs.stderr);
    assert!(extensions_of(&image).is_empty());
    assert!(
        !env_of(&image).iter().any(|e| e.starts_with("AWS_LWA_")),
        "{:?}",
        env_of(&image)
    );

    // The same project's Lambda stage gets the adapter.
    let lambda = run(tb.mcp(dir.path()).args(["--stage", "fn", "build"]));
    assert_eq!(lambda.code, 0, "stderr:\n{}", lambda.stderr);
    assert_eq!(extensions_of(lambda.stdout.trim()), ["lambda-adapter"]);
}

/// Guards against a Lambda stage taking an ECS stage's image of the same
/// commit for its own ("Fresh"), or failing to push to the immutable tag.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn lambda_image_has_its_own_tag_beside_an_ecs_stage_in_one_repository() {
    let tb = crate::testbed!();
    let repository = testbed::unique("lwa-shared");
    let dir = fixture_project(
        tb,
        &repository,
        &format!(
            "create = true\n\n[stages.fn]\ntarget = \"lambda\"\nlambda = {{ adapter_image = \"{}\" }}\n",
            adapter(tb)
        ),
    );
    let registry = tb.var("MCP_TESTBED_REGISTRY");

    let ecs = run(tb.mcp(dir.path()).args(["push", "--output", "json"]));
    assert_eq!(ecs.code, 0, "stderr:\n{}", ecs.stderr);
    let ecs = ecs.json();
    let tag = ecs["tag"].as_str().unwrap().to_string();

    let lambda = run(tb
        .mcp(dir.path())
        .args(["--stage", "fn", "push", "--output", "json"]));
    assert_eq!(lambda.code, 0, "stderr:\n{}", lambda.stderr);
    let pushed = lambda.json();
    assert_eq!(pushed["tag"], format!("{tag}-lambda"));
    assert_eq!(pushed["skipped"], false);
    assert_ne!(pushed["digest"], ecs["digest"]);
    assert_eq!(
        extensions_of(&format!("{registry}/{repository}:{tag}-lambda")),
        ["lambda-adapter"]
    );
    assert!(extensions_of(&format!("{registry}/{repository}:{tag}")).is_empty());

    // The same commit again: the Lambda stage's own image is fresh in ECR.
    let again = run(tb
        .mcp(dir.path())
        .args(["--stage", "fn", "push", "--output", "json"]));
    assert_eq!(again.code, 0, "stderr:\n{}", again.stderr);
    let again = again.json();
    assert_eq!(again["skipped"], true, "{again}");
    assert_eq!(again["digest"], pushed["digest"]);
}

/// Both architectures: an arm64 stage's image is built for linux/arm64 and
/// gets the adapter image's arm64 build (a local arm64 stand-in, made with
/// `mcp build` itself: `FROM scratch` needs no emulation).
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn lambda_image_for_arm64_takes_the_arm64_adapter() {
    let tb = crate::testbed!();
    let stand_in = tempfile::tempdir().unwrap();
    let adapter_repo = testbed::unique("lwa-arm64-adapter");
    std::fs::write(
        stand_in.path().join("Dockerfile"),
        "FROM scratch\nCOPY lambda-adapter /lambda-adapter\n",
    )
    .unwrap();
    std::fs::write(stand_in.path().join("lambda-adapter"), "#!/bin/sh\n").unwrap();
    std::fs::write(
        stand_in.path().join("mcp.toml"),
        format!(
            "name = \"{adapter_repo}\"\n[build]\nplatform = \"linux/arm64\"\ntag = \"v1\"\n[ecr]\nrepository = \"{adapter_repo}\"\n"
        ),
    )
    .unwrap();
    let made = run(tb.mcp(stand_in.path()).args(["build"]));
    assert_eq!(made.code, 0, "stderr:\n{}", made.stderr);
    let arm_adapter = made.stdout.trim().to_string();

    let repository = testbed::unique("lwa-arm64");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY server.sh /server.sh\nCMD [\"/server.sh\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("server.sh"), "echo serving\n").unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!(
            "name = \"{repository}\"\ntarget = \"lambda\"\n[ecr]\nrepository = \"{repository}\"\n\
             [lambda]\narchitecture = \"arm64\"\nadapter_image = \"{arm_adapter}\"\n"
        ),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path());
    let out = run(tb.mcp(dir.path()).args(["build"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(out.stderr.contains("for linux/arm64"), "{}", out.stderr);
    let image = out.stdout.trim();
    assert_eq!(
        docker(&["image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", image]).trim(),
        "linux/arm64"
    );
    assert_eq!(extensions_of(image), ["lambda-adapter"], "{}", out.stderr);

    // The amd64-only stand-in cannot serve an arm64 stage: the error says so.
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        toml.replace(&arm_adapter, &adapter(tb)),
    )
    .unwrap();
    let out = run(tb.mcp(dir.path()).args(["build"]));
    assert_ne!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("`lambda.adapter_image`") && out.stderr.contains("for linux/arm64"),
        "{}",
        out.stderr
    );
}

/// Guards the pull of a privately mirrored adapter (a team that cannot reach
/// public.ecr.aws): the testbed registry wants a login, so an image pushed
/// there is a private one. By its ECR name the pull gets ECR's token; by its
/// loopback address (not an ECR host) the `auths` login of the Docker
/// configuration, and without one the error names the key, the registry and
/// `docker login`. Last, a Dockerfile's `FROM` of that private image gets the
/// ECR login, through the BuildKit session and in the classic builder's request. Before mcp sent logins, each build
/// here failed ("no basic auth credentials", "Client sent an HTTP request to
/// an HTTPS server"; the `FROM`: "failed to create LLB definition: no active
/// sessions", and the classic builder's "connection refused" on HTTP).
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn lambda_image_adapter_and_from_images_of_a_private_registry_get_its_login() {
    let tb = crate::testbed!();
    let registry = tb.var("MCP_TESTBED_REGISTRY");
    let address = tb.var("MCP_TESTBED_REGISTRY_ADDR");
    // The mirror: the stand-in adapter pushed under a unique name (its own
    // label makes it another image than the local stand-in).
    let mirror_repo = testbed::unique("lwa-mirror");
    let mirror = tempfile::tempdir().unwrap();
    std::fs::write(
        mirror.path().join("Dockerfile"),
        format!(
            "FROM {}\nLABEL mcp.test.mirror=\"{mirror_repo}\"\n",
            adapter(tb)
        ),
    )
    .unwrap();
    std::fs::write(
        mirror.path().join("mcp.toml"),
        format!(
            "name = \"{mirror_repo}\"\nregion = \"{}\"\n[build]\ntag = \"v1\"\n[ecr]\nrepository = \"{mirror_repo}\"\ncreate = true\n",
            tb.region()
        ),
    )
    .unwrap();
    let pushed = run(tb.mcp(mirror.path()).args(["push"]));
    assert_eq!(pushed.code, 0, "stderr:\n{}", pushed.stderr);
    let by_name = format!("{registry}/{mirror_repo}:v1");
    let by_address = format!("{address}/{mirror_repo}:v1");
    docker(&["rmi", "--no-prune", &by_name, &format!("{mirror_repo}:v1")]);

    // A Docker configuration of our own: the machine's logins play no part.
    let docker_config = tempfile::tempdir().unwrap();
    let repository = testbed::unique("lwa-private");
    let dir = lambda_fixture(
        tb,
        &repository,
        &format!("[lambda]\nadapter_image = \"{by_address}\"\n"),
    );
    let out = run(tb
        .mcp(dir.path())
        .env("DOCKER_CONFIG", docker_config.path())
        .args(["build"]));
    assert_ne!(out.code, 0, "stderr:\n{}", out.stderr);
    // dockerd falls back to HTTP for a loopback registry, and reports that
    // error rather than the refusal: the message still names the registry and the login to give.
    for wanted in [
        format!("`{by_address}`"),
        "`lambda.adapter_image`".to_string(),
        format!("(registry {address}, with no login)"),
        format!("run `docker login {address}`"),
    ] {
        assert!(
            out.stderr.contains(&wanted),
            "`{wanted}` not in:\n{}",
            out.stderr
        );
    }

    use base64::Engine as _;
    let login = base64::engine::general_purpose::STANDARD.encode("AWS:123456789012-auth-token");
    std::fs::write(
        docker_config.path().join("config.json"),
        format!("{{\"auths\": {{\"https://{address}\": {{\"auth\": \"{login}\"}}}}}}"),
    )
    .unwrap();
    let out = run(tb
        .mcp(dir.path())
        .env("DOCKER_CONFIG", docker_config.path())
        .args(["build"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("with the `docker login` in"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("123456789012-auth-token"),
        "{}",
        out.stderr
    );
    assert_eq!(
        extensions_of(out.stdout.trim()),
        ["lambda-adapter"],
        "{}",
        out.stderr
    );
    docker(&["rmi", "--no-prune", out.stdout.trim(), &by_address]);

    // By its ECR name, with no `docker login` at all: ECR's token.
    std::fs::remove_file(docker_config.path().join("config.json")).unwrap();
    let toml = std::fs::read_to_string(dir.path().join("mcp.toml")).unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        toml.replace(&by_address, &by_name),
    )
    .unwrap();
    let out = run(tb
        .mcp(dir.path())
        .env("DOCKER_CONFIG", docker_config.path())
        .args(["build", "-v"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "Pulling {by_name} for linux/amd64 (lambda.adapter_image) with the ECR login of your AWS credentials (us-east-1)"
        )),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("123456789012-auth-token"),
        "{}",
        out.stderr
    );
    let image = out.stdout.trim();
    assert_eq!(extensions_of(image), ["lambda-adapter"], "{}", out.stderr);
    let label = docker(&[
        "image",
        "inspect",
        "-f",
        "{{index .Config.Labels \"dev.mcp.lambda-adapter\"}}",
        image,
    ]);
    assert_eq!(label.trim(), by_name);
    docker(&["rmi", "--no-prune", image, &by_name]);

    // A Dockerfile built on the private image (BuildKit asks for the login).
    let from = tempfile::tempdir().unwrap();
    let from_repo = testbed::unique("from-private");
    std::fs::write(
        from.path().join("Dockerfile"),
        format!("FROM {by_name}\nCOPY mcp.toml /mcp.toml\n"),
    )
    .unwrap();
    std::fs::write(
        from.path().join("mcp.toml"),
        format!(
            "name = \"{from_repo}\"\nregion = \"{}\"\n[build]\ntag = \"v1\"\n[ecr]\nrepository = \"{from_repo}\"\n",
            tb.region()
        ),
    )
    .unwrap();
    let out = run(tb
        .mcp(from.path())
        .env("DOCKER_CONFIG", docker_config.path())
        .args(["build"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let built = out.stdout.trim();
    let labels = docker(&["image", "inspect", "-f", "{{json .Config.Labels}}", built]);
    assert!(
        labels.contains(&mirror_repo),
        "not built on the mirror: {labels}"
    );
    // BuildKit keeps the base's layers but gives it no name of its own.
    docker(&["rmi", "--no-prune", built]);

    // The classic builder takes the login with the build request.
    let out = run(tb
        .mcp(from.path())
        .env("DOCKER_CONFIG", docker_config.path())
        .env("DOCKER_BUILDKIT", "0")
        .args(["build"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("Step 1/"),
        "not the classic builder: {}",
        out.stderr
    );
    docker(&["rmi", "--no-prune", out.stdout.trim(), &by_name]);

    // A Docker configuration `docker` could not read either is no login, not
    // a failed build: an image the engine holds needs none.
    std::fs::write(docker_config.path().join("config.json"), "{ not json").unwrap();
    std::fs::write(
        from.path().join("Dockerfile"),
        format!(
            "FROM {}\nCOPY mcp.toml /mcp.toml\n",
            tb.var("MCP_TESTBED_BASE_IMAGE")
        ),
    )
    .unwrap();
    let out = run(tb
        .mcp(from.path())
        .env("DOCKER_CONFIG", docker_config.path())
        .env("DOCKER_BUILDKIT", "0")
        .args(["build"]));
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    docker(&["rmi", "--no-prune", out.stdout.trim()]);
}
