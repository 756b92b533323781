//! The testbed's Lambda simulator (tests/testbed/lambda_sim.py), proven the way
//! a Lambda platform will use it: image functions from the testbed registry,
//! versions that keep their own code, an alias URL that answers MCP over HTTP
//! from the version it points at, routing weights, `LastUpdateStatus` going
//! `InProgress` then `Failed` with a reason for an image that cannot start, a
//! server keeping sessions in memory failing across the two instances of a
//! version, `DeleteFunction` leaving no container behind, and provisioned
//! concurrency going `READY` with the version's instances started at once.
//!
//! The checks are the simulator's own (tests/testbed/selftest.py, boto3 and
//! plain HTTP); each test runs one of them against the testbed in use
//! (`MCP_TESTBED_ENV_FILE` names a private instance), so CI runs them too.

use std::path::Path;
use std::process::Command;

/// `selftest.py -k CHECK` against the testbed; fails with its output unless exactly that check passed.
fn selftest(check: &str) {
    let tb = crate::testbed!();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testbed/selftest.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(["-k", check])
        .envs(&tb.env)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success()
            && stdout.contains(&format!("PASS {check} "))
            && stdout.contains("testbed selftest: 1 passed, 0 failed"),
        "selftest {check} did not pass:\n{stdout}\n{stderr}"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn versions_alias_url_answers_mcp_from_its_version_and_weights_split() {
    selftest("check_lambda_versions_alias_url_and_weights");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn update_in_progress_then_failed_with_reason_keeps_previous_code() {
    selftest("check_lambda_update_status_failed_and_in_progress");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn stateful_server_fails_across_instances_and_delete_leaves_no_container() {
    selftest("check_lambda_stateful_server_fails_and_deletion_leaves_nothing");
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn provisioned_concurrency_goes_ready_with_the_version_warm_and_refuses_as_lambda() {
    selftest("check_lambda_provisioned_concurrency");
}
