//! What `mcp deploy` checks before it builds or changes anything: a service
//! whose deployments ECS does not run, a container the task definition does
//! not have, a `deploy.url` that is no http(s) URL. Each ends with exit 2
//! before `Building`, and the service is left as it was.

use crate::image::{commit_all, fixture_project};
use crate::testbed::{Seeded, Testbed, run};

fn project(tb: &Testbed, seeded: &Seeded, service: &str, extra: &str) -> tempfile::TempDir {
    let config = format!(
        "\n[ecs]\ncluster = \"{}\"\nservice = \"{service}\"\n{extra}\n",
        seeded.get("cluster"),
    );
    let dir = fixture_project(tb, &seeded.get("repository"), &config);
    commit_all(dir.path());
    dir
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_code_deploy_service_is_refused_before_the_build() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("pre-codedeploy", &[]);
    let name = format!("{}-cd", seeded.name);
    let ecs = tb.ecs();
    tb.block_on(async {
        ecs.create_service()
            .cluster(seeded.get("cluster"))
            .service_name(&name)
            .task_definition(seeded.get("task_definition_arn"))
            .desired_count(0)
            .deployment_controller(
                aws_sdk_ecs::types::DeploymentController::builder()
                    .r#type(aws_sdk_ecs::types::DeploymentControllerType::CodeDeploy)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    });
    let dir = project(tb, &seeded, &name, "");
    let out = run(tb.mcp(dir.path()).args(["deploy"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("CODE_DEPLOY deployment controller"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    assert!(!out.stderr.contains("Building"), "{}", out.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn an_unknown_container_is_refused_before_the_build() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("pre-container", &[]);
    let dir = project(tb, &seeded, &seeded.get("service"), "container = \"nope\"");
    let out = run(tb.mcp(dir.path()).args(["deploy"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("nope"), "{}", out.stderr);
    assert!(!out.stderr.contains("Building"), "{}", out.stderr);
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_deploy_url_that_is_no_http_url_is_refused_before_the_build() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("pre-url", &[]);
    let extra = format!(
        "container = \"{}\"\n\n[deploy]\nurl = \"ftp://demo.example.com/mcp\"",
        seeded.get("container")
    );
    let dir = project(tb, &seeded, &seeded.get("service"), &extra);
    let out = run(tb.mcp(dir.path()).args(["deploy"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("`deploy.url`"), "{}", out.stderr);
    assert!(!out.stderr.contains("Building"), "{}", out.stderr);
}
