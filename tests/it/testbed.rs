//! Access to the testbed that `tests/testbed/up.sh` starts: a Docker engine, a
//! TLS registry standing in for ECR, and an extended moto serving ECR, ECS,
//! CloudWatch Logs, STS and Secrets Manager.
//!
//! The script writes its endpoints to `$MCP_TESTBED_DIR/env` (default
//! `/tmp/mcp-testbed/env`). Every test that needs it is marked
//! `#[ignore = "needs the testbed: tests/testbed/up.sh"]`, as cargo's container
//! tests are: a plain `cargo nextest run` reports them as skipped, never as
//! passed, and the README's test command (`--run-ignored all`) runs them. A test
//! that runs without a testbed fails with the reason and what to do: a green run
//! always means the integration tests ran.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use assert_cmd::cargo::CommandCargoExt;

#[derive(Debug, Clone)]
pub struct Testbed {
    pub env: BTreeMap<String, String>,
}

/// `MCP_TESTBED_ENV_FILE` names another env file: a simulator instance of one's
/// own (another port and state dir) while the shared one runs older code.
fn env_file() -> PathBuf {
    if let Some(file) = std::env::var_os("MCP_TESTBED_ENV_FILE").filter(|f| !f.is_empty()) {
        return PathBuf::from(file);
    }
    let dir = std::env::var("MCP_TESTBED_DIR").unwrap_or_else(|_| "/tmp/mcp-testbed".into());
    Path::new(&dir).join("env")
}

fn load() -> Result<Testbed, String> {
    let path = env_file();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "testbed not found ({}: {e}); start it with `bash tests/testbed/up.sh`",
            path.display()
        )
    })?;
    let mut env = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(assignment) = line.strip_prefix("export ") else {
            continue;
        };
        if let Some((key, value)) = assignment.split_once('=') {
            env.insert(
                key.to_string(),
                value.trim_matches(|c| c == '"' || c == '\'').to_string(),
            );
        }
    }
    let testbed = Testbed { env };
    // Is the simulator actually answering?
    let control = testbed.var("MCP_TESTBED_CONTROL");
    let health = format!("{control}/health");
    let ok = Command::new("curl")
        .args(["-fsS", "--max-time", "5", &health])
        .output()
        .map(|o| o.status.success());
    if !matches!(ok, Ok(true)) {
        return Err(format!(
            "testbed env found but {health} does not answer; run `bash tests/testbed/up.sh`"
        ));
    }
    Ok(testbed)
}

/// The testbed; a test that needs it and runs without it fails with the reason.
pub fn get() -> &'static Testbed {
    static TESTBED: OnceLock<Result<Testbed, String>> = OnceLock::new();
    match TESTBED.get_or_init(load) {
        Ok(testbed) => testbed,
        Err(why) => panic!("this test needs the testbed: {why}"),
    }
}

/// `let tb = testbed!();` — the testbed, or a failing test that says how to start it.
/// Tests that use it carry `#[ignore = "needs the testbed: tests/testbed/up.sh"]`.
#[macro_export]
macro_rules! testbed {
    () => {
        $crate::testbed::get()
    };
}

impl Testbed {
    pub fn var(&self, key: &str) -> String {
        self.env
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("testbed env has no {key}"))
    }

    pub fn region(&self) -> String {
        self.var("AWS_REGION")
    }

    /// `mcp` run in `dir` with the testbed's environment and nothing else of ours.
    pub fn mcp(&self, dir: &Path) -> Command {
        let mut cmd = Command::cargo_bin("mcp").unwrap();
        cmd.current_dir(dir);
        for (key, _) in std::env::vars() {
            if key.starts_with("MCP_")
                || key.starts_with("AWS_")
                || key.starts_with("GITHUB_")
                || key == "DOCKER_HOST"
            {
                cmd.env_remove(key);
            }
        }
        cmd.envs(&self.env);
        cmd.env("NO_COLOR", "1")
            .env("CI", "true")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        cmd
    }

    /// A Python helper of the testbed (seed.py) with the testbed's environment.
    pub fn python(&self, script: &str, args: &[&str]) -> serde_json::Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/testbed")
            .join(script);
        let output = Command::new("python3")
            .arg(&path)
            .args(args)
            .envs(&self.env)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{script} {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null)
    }

    /// A seeded ECS service (cluster, service, repository, log group) with a unique name.
    pub fn seed_service(&self, prefix: &str, extra: &[&str]) -> Seeded {
        let name = unique(prefix);
        let mut args = vec![
            "service",
            "--cluster",
            &name,
            "--service",
            &name,
            "--repository",
            &name,
            "--wait",
        ];
        args.extend_from_slice(extra);
        let json = self.python("seed.py", &args);
        Seeded {
            name: name.clone(),
            json,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Seeded {
    pub name: String,
    pub json: serde_json::Value,
}

impl Seeded {
    /// A project directory whose mcp.toml points at this service.
    pub fn project(&self, tb: &Testbed) -> tempfile::TempDir {
        let seeded = self;
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "name = \"{name}\"\nregion = \"{region}\"\n\n[ecr]\nrepository = \"{repo}\"\n\n[ecs]\ncluster = \"{cluster}\"\nservice = \"{service}\"\ncontainer = \"{container}\"\n",
            name = seeded.name,
            region = tb.region(),
            repo = seeded.get("repository"),
            cluster = seeded.get("cluster"),
            service = seeded.get("service"),
            container = seeded.get("container"),
        );
        std::fs::write(dir.path().join("mcp.toml"), text).unwrap();
        dir
    }

    pub fn get(&self, key: &str) -> String {
        self.json[key]
            .as_str()
            .unwrap_or_else(|| panic!("seed output has no {key}: {}", self.json))
            .to_string()
    }
}

/// A name no other test (or earlier run) uses: ECS and ECR names allow `[a-z0-9-]`.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos:x}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn run(cmd: &mut Command) -> Output {
    let output = cmd.output().unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Testbed {
    /// An AWS SDK configuration pointed at the testbed, for checks the tests make themselves.
    pub fn sdk(&self) -> aws_config::SdkConfig {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let endpoint = self.var("AWS_ENDPOINT_URL");
        let region = self.region();
        runtime.block_on(async move {
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(endpoint)
                .region(aws_config::Region::new(region))
                .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                    "testing", "testing", None, None, "testbed",
                ))
                .load()
                .await
        })
    }

    /// Run an SDK call (or several) to completion from a synchronous test.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    pub fn ecs(&self) -> aws_sdk_ecs::Client {
        aws_sdk_ecs::Client::new(&self.sdk())
    }

    /// The service's live task-definition ARN.
    pub fn live_task_definition(&self, cluster: &str, service: &str) -> String {
        let ecs = self.ecs();
        self.block_on(async {
            let out = ecs
                .describe_services()
                .cluster(cluster)
                .services(service)
                .send()
                .await
                .unwrap();
            out.services()[0].task_definition().unwrap().to_string()
        })
    }

    pub fn task_definition(&self, arn: &str) -> aws_sdk_ecs::types::TaskDefinition {
        let ecs = self.ecs();
        self.block_on(async {
            ecs.describe_task_definition()
                .task_definition(arn)
                .send()
                .await
                .unwrap()
                .task_definition()
                .unwrap()
                .clone()
        })
    }
}
