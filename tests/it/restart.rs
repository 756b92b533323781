//! `mcp restart`: a new deployment of the live revision, followed like a deploy.

use crate::testbed::run;

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn restart_starts_new_tasks_of_the_live_revision() {
    let tb = crate::testbed!();
    let seeded = tb.seed_service("restart", &[]);
    let live = tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service"));
    let dir = seeded.project(tb);

    let out = run(tb.mcp(dir.path()).args(["restart", "-o", "json"]));
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "succeeded", "{report}");
    let revision = live.rsplit('/').next().unwrap();
    assert_eq!(report["revision"], revision, "{report}");
    assert!(out.stderr.contains("Restarting"), "{}", out.stderr);
    // A new deployment ran, and no new revision was registered.
    let deployment = report["deployment_id"].as_str().unwrap().to_string();
    let ecs = tb.ecs();
    let primary = tb.block_on(async {
        let out = ecs
            .describe_services()
            .cluster(seeded.get("cluster"))
            .services(seeded.get("service"))
            .send()
            .await
            .unwrap();
        out.services()[0]
            .deployments()
            .iter()
            .find(|d| d.status() == Some("PRIMARY"))
            .and_then(|d| d.id())
            .unwrap()
            .to_string()
    });
    assert_eq!(primary, deployment);
    assert_eq!(
        tb.live_task_definition(&seeded.get("cluster"), &seeded.get("service")),
        live
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn setting_an_existing_secret_says_so_and_offers_restart() {
    use std::io::Write;
    use std::process::Stdio;
    let tb = crate::testbed!();
    let seeded = tb.seed_service("secret-again", &[]);
    let dir = seeded.project(tb);
    let set = |value: &str| {
        let mut child = tb
            .mcp(dir.path())
            .args(["secrets", "set", "API_KEY"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{value}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let first = set("value-one-1234567890");
    assert!(!first.contains("already existed"), "{first}");
    let second = set("value-two-1234567890");
    assert!(second.contains("already existed"), "{second}");
    assert!(second.contains("run `mcp restart`"), "{second}");
}
