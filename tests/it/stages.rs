//! `mcp status --stages` (issue 18): one board across a local stage, two ECS
//! stages in different clusters and a stage that cannot be read.

use aws_sdk_ecs::types::KeyValuePair;

use crate::image::fixture_project;
use crate::testbed::{self, Testbed, run};

/// Register a copy of the live revision with `MODE=value` and put it live, as
/// someone would by hand in the console.
fn set_mode_by_hand(tb: &Testbed, cluster: &str, service: &str, value: &str) {
    let live = tb.task_definition(&tb.live_task_definition(cluster, service));
    let ecs = tb.ecs();
    tb.block_on(async {
        let mut container = live.container_definitions()[0].clone();
        container.environment = Some(vec![
            KeyValuePair::builder().name("MODE").value(value).build(),
        ]);
        let arn = ecs
            .register_task_definition()
            .family(live.family().unwrap())
            .container_definitions(container)
            .set_cpu(live.cpu().map(str::to_string))
            .set_memory(live.memory().map(str::to_string))
            .set_network_mode(live.network_mode().cloned())
            .set_requires_compatibilities(Some(live.requires_compatibilities().to_vec()))
            .send()
            .await
            .unwrap()
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap()
            .to_string();
        ecs.update_service()
            .cluster(cluster)
            .service(service)
            .task_definition(arn)
            .send()
            .await
            .unwrap();
        // Until the simulator has replaced the tasks: one deployment left.
        for _ in 0..120 {
            let out = ecs
                .describe_services()
                .cluster(cluster)
                .services(service)
                .send()
                .await
                .unwrap();
            let s = &out.services()[0];
            if s.deployments().len() == 1 && s.running_count() == s.desired_count() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        panic!("{service} did not settle after the change by hand");
    });
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn stages_board_names_unhealthy_and_unreadable_rows_and_drift() {
    let tb = crate::testbed!();
    let staging = tb.seed_service("stg", &[]);
    let production = tb.seed_service("prd", &[]);
    let missing = testbed::unique("gone");
    let extra = format!(
        "\n[ecs]\ncontainer = \"mcp\"\n\n[env]\nMODE = \"one\"\n\n\
         [stages.local]\ntarget = \"local\"\n\n\
         [stages.staging]\necs = {{ cluster = \"{s}\", service = \"{s}\" }}\n\n\
         [stages.production]\necs = {{ cluster = \"{p}\", service = \"{p}\" }}\n\
         deploy = {{ url = \"http://127.0.0.1:9/mcp\" }}\n\n\
         [stages.broken]\necs = {{ cluster = \"{missing}\", service = \"{missing}\" }}\n",
        s = staging.name,
        p = production.name,
    );
    let dir = fixture_project(tb, &staging.name, &extra);
    // Both ECS stages run what mcp.toml says: MODE=one.
    set_mode_by_hand(tb, &staging.name, &staging.name, "one");
    set_mode_by_hand(tb, &production.name, &production.name, "one");

    let stages = "local,staging,production,broken";
    let out = run(tb
        .mcp(dir.path())
        .args(["status", "--stages", stages, "-o", "json"]));
    assert_eq!(
        out.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let rows = out.json();
    let rows = rows.as_array().unwrap();
    let names: Vec<_> = rows.iter().map(|r| r["stage"].as_str().unwrap()).collect();
    assert_eq!(names, ["local", "staging", "production", "broken"]);
    let row = |stage: &str| rows.iter().find(|r| r["stage"] == stage).unwrap().clone();

    let local = row("local");
    assert_eq!(local["target"], "local", "{local}");
    assert!(local["error"].is_null(), "{local}");

    let stg = row("staging");
    assert_eq!(stg["target"], "ecs");
    assert_eq!(stg["healthy"], true, "{stg}");
    assert_eq!(stg["running"], 1);
    assert!(
        stg["release"].as_str().unwrap().starts_with(&staging.name),
        "{stg}"
    );
    assert_eq!(stg["config_drift"], serde_json::json!([]), "{stg}");

    let prd = row("production");
    assert_eq!(
        prd["healthy"], false,
        "the MCP endpoint does not answer: {prd}"
    );
    assert_eq!(prd["check"]["healthy"], false, "{prd}");
    assert!(prd["error"].is_null(), "{prd}");

    let broken = row("broken");
    assert_eq!(broken["healthy"], false);
    assert!(
        broken["error"].as_str().unwrap().contains(&missing),
        "the reason names the cluster: {broken}"
    );

    // The text table names the same rows and fits 100 columns.
    let text = run(tb.mcp(dir.path()).args(["status", "--stages", stages]));
    assert_eq!(text.code, 1, "{}", text.stderr);
    for line in text.stdout.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    let line = |stage: &str| {
        text.stdout
            .lines()
            .find(|l| l.starts_with(stage))
            .unwrap_or_else(|| panic!("no {stage} row:\n{}", text.stdout))
            .to_string()
    };
    assert!(line("production").contains("FAIL"), "{}", text.stdout);
    assert!(line("broken").contains("error:"), "{}", text.stdout);
    assert!(line("staging").contains("1/1"), "{}", text.stdout);

    // Someone changes staging's env in the console: drift.
    set_mode_by_hand(tb, &staging.name, &staging.name, "two");
    let out =
        run(tb
            .mcp(dir.path())
            .args(["status", "--stages", "staging,production", "-o", "json"]));
    let rows = out.json();
    assert_eq!(
        rows[0]["config_drift"],
        serde_json::json!(["env MODE"]),
        "{}",
        out.stdout
    );
    assert_eq!(
        rows[1]["config_drift"],
        serde_json::json!([]),
        "{}",
        out.stdout
    );
    let text = run(tb.mcp(dir.path()).args(["status", "--stages", "staging"]));
    assert!(text.stdout.contains("env MODE"), "{}", text.stdout);
    assert_eq!(
        text.code, 0,
        "drift is flagged, not ill health: {}",
        text.stderr
    );
}
