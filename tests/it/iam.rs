//! IAM roles `mcp launch` finds by name, against the testbed's IAM (moto):
//! a role someone else made is read before it is used (issue 26 item 14).
//!
//! A role of the expected name that trusts another account is refused before
//! anything is attached; so is one that appears between the look and the
//! create (the race, driven through `mcp::aws::iam::create` itself, since no
//! command can be paused between its two calls); an execution role given by
//! an ARN of another account is refused, not replaced by the same name in
//! ours; and the roles mcp makes trust ECS for this account only, the
//! execution role reading the service's secrets and nothing more.
//!
//! Every test names its roles uniquely (`testbed::unique`): the simulator is
//! shared, and a role left behind belongs to no one else's test.

use std::path::Path;

use serde_json::{Value, json};

use crate::express::Deny;
use crate::testbed::{self, Output, Testbed, run};

/// A project whose launch uses the roles `<name>-exec` / `<name>-infra`
/// (or `execution_role` as given), with `extra` appended to its mcp.toml.
fn project(name: &str, execution_role: Option<&str>, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let execution = execution_role.map_or_else(|| format!("{name}-exec"), str::to_string);
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!(
            "name = \"{name}\"\n\n[ecs]\nexecution_role = \"{execution}\"\ninfrastructure_role = \"{name}-infra\"\n{extra}"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    dir
}

fn launch(tb: &Testbed, dir: &Path, name: &str, key: Option<&str>) -> Output {
    let mut cmd = tb.mcp(dir);
    if let Some(key) = key {
        cmd.env("AWS_ACCESS_KEY_ID", key);
    }
    run(cmd.args(["launch", "--name", name, "--yes"]))
}

fn iam(tb: &Testbed) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&tb.sdk())
}

fn account(tb: &Testbed) -> String {
    tb.var("MCP_TESTBED_ACCOUNT")
}

/// A role made by "someone else": trusting ECS and account 999999999999.
fn planted_role(tb: &Testbed, name: &str, service: &str) {
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": service, "AWS": "arn:aws:iam::999999999999:root" },
            "Action": "sts:AssumeRole",
        }],
    });
    let client = iam(tb);
    tb.block_on(
        client
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust.to_string())
            .send(),
    )
    .unwrap();
}

fn role(tb: &Testbed, name: &str) -> Option<aws_sdk_iam::types::Role> {
    let client = iam(tb);
    tb.block_on(client.get_role().role_name(name).send())
        .ok()
        .and_then(|out| out.role().cloned())
}

fn trust_of(tb: &Testbed, name: &str) -> Value {
    let role = role(tb, name).unwrap_or_else(|| panic!("no role {name}"));
    let doc = role.assume_role_policy_document().unwrap();
    serde_json::from_str(&mcp::aws::iam::decode_policy(doc)).unwrap()
}

fn attached(tb: &Testbed, name: &str) -> Vec<String> {
    let client = iam(tb);
    let out = tb
        .block_on(client.list_attached_role_policies().role_name(name).send())
        .unwrap();
    out.attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect()
}

/// Guards issue 26 item 14: the default infrastructure role's name held by a
/// role that also trusts account 999999999999 got the Express managed policy
/// attached and was handed to ECS. Now the launch is refused before anything
/// is made, naming the role, the account it trusts and what to do.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_role_of_that_name_trusting_another_account_is_refused_and_left_as_it_was() {
    let tb = crate::testbed!();
    let name = testbed::unique("xtrust");
    let infra = format!("{name}-infra");
    planted_role(tb, &infra, "ecs.amazonaws.com");
    let dir = project(&name, None, "");
    let out = launch(tb, dir.path(), &name, None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!("role/{infra} trusts AWS arn:aws:iam::999999999999:root (account 999999999999) besides ecs.amazonaws.com")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("`ecs.infrastructure_role = \"NAME\"`")
            && out.stderr.contains("update-assume-role-policy"),
        "says what to do: {}",
        out.stderr
    );
    assert!(attached(tb, &infra).is_empty(), "no policy attached");
    assert!(role(tb, &format!("{name}-exec")).is_none(), "nothing made");
}

/// Guards issue 26 item 14: when CreateRole answers `EntityAlreadyExists`
/// (another party made the role after our look), whatever holds the name
/// was taken as ours. Now it is read and checked like a role found.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_role_made_by_someone_else_between_the_look_and_the_create_is_read_and_refused() {
    let tb = crate::testbed!();
    let name = testbed::unique("xrace-exec");
    let spec = mcp::aws::iam::RoleSpec {
        name: name.clone(),
        given_arn: None,
        key: "ecs.execution_role",
        principal: mcp::aws::iam::TASKS_PRINCIPAL,
        policy_arn: mcp::aws::iam::EXECUTION_POLICY,
        purpose: "test",
        secrets: None,
    };
    let client = iam(tb);
    let account = account(tb);
    // The look: no such role.
    let look = tb.block_on(mcp::aws::iam::inspect(&client, &spec, &account));
    assert_eq!(look.unwrap(), mcp::aws::iam::RoleState::Missing);
    // Someone else makes it, then our create runs.
    planted_role(tb, &name, mcp::aws::iam::TASKS_PRINCIPAL);
    let made = tb.block_on(mcp::aws::iam::create(&client, &spec, &account));
    let err = format!(
        "{:#}",
        made.expect_err("a planted role is not taken as ours")
    );
    assert!(
        err.contains("account 999999999999") && err.contains(&format!("role/{name}")),
        "{err}"
    );
    assert!(attached(tb, &name).is_empty());
    // A role that is fine (trusting ECS only) is taken after the race.
    let fine = format!("{name}-ok");
    let spec = mcp::aws::iam::RoleSpec {
        name: fine.clone(),
        ..spec
    };
    let trust = spec.trust_policy(&account);
    tb.block_on(
        client
            .create_role()
            .role_name(&fine)
            .assume_role_policy_document(trust)
            .send(),
    )
    .unwrap();
    let arn = tb
        .block_on(mcp::aws::iam::create(&client, &spec, &account))
        .unwrap();
    assert!(arn.ends_with(&format!(":role/{fine}")), "{arn}");
}

/// Guards issue 26 item 14: `ecs.execution_role` given as an ARN of account
/// 111111111111 lost its account: the role of the same name in the caller's
/// account was created and used. Now it is refused, naming both accounts.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn an_execution_role_arn_of_another_account_is_refused_not_replaced_by_ours() {
    let tb = crate::testbed!();
    let name = testbed::unique("xacct");
    let exec = format!("{name}-exec");
    let arn = format!("arn:aws:iam::111111111111:role/{exec}");
    let dir = project(&name, Some(&arn), "");
    let out = launch(tb, dir.path(), &name, None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "`ecs.execution_role` is {arn}, a role of account 111111111111, but mcp launches into account {}",
            account(tb)
        )),
        "{}",
        out.stderr
    );
    assert!(
        role(tb, &exec).is_none(),
        "no role of that name made in our account"
    );
    assert!(role(tb, &format!("{name}-infra")).is_none(), "nothing made");
}

/// Guards issue 26 item 14: the roles mcp made trusted the ECS principal from
/// any account (no `aws:SourceAccount` / `aws:SourceArn`), and the execution
/// role said it "reads secrets" with no policy granting it. Now the trust
/// policies name this account, and the execution role gets an inline policy
/// for `secretsmanager:GetSecretValue` on the service's prefix only. The
/// launch is stopped right after the roles (CreateLogGroup denied).
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn roles_mcp_makes_trust_ecs_for_this_account_only_and_the_execution_role_reads_only_its_secrets() {
    let tb = crate::testbed!();
    let name = testbed::unique("xgrant");
    let account = account(tb);
    let secret = format!(
        "arn:aws:secretsmanager:{}:{account}:secret:/default/mcp/{name}/API_KEY-AbCdEf",
        tb.region()
    );
    let dir = project(
        &name,
        None,
        &format!("\n[secrets]\nAPI_KEY = \"{secret}\"\n"),
    );
    let deny = Deny::new(tb, &["logs:CreateLogGroup"]);
    let out = launch(tb, dir.path(), &name, Some(&deny.key));
    assert_eq!(out.code, 1, "stopped at the log group: {}", out.stderr);
    assert!(
        out.stderr.contains("`logs:CreateLogGroup`"),
        "{}",
        out.stderr
    );

    let exec = format!("{name}-exec");
    let statement = &trust_of(tb, &exec)["Statement"][0];
    assert_eq!(statement["Principal"]["Service"], "ecs-tasks.amazonaws.com");
    assert_eq!(
        statement["Condition"]["StringEquals"]["aws:SourceAccount"],
        account.as_str()
    );
    assert_eq!(
        statement["Condition"]["ArnLike"]["aws:SourceArn"],
        format!("arn:*:ecs:*:{account}:*")
    );
    let infra = &trust_of(tb, &format!("{name}-infra"))["Statement"][0];
    assert_eq!(infra["Principal"]["Service"], "ecs.amazonaws.com");
    assert_eq!(
        infra["Condition"]["StringEquals"]["aws:SourceAccount"],
        account.as_str()
    );

    let client = iam(tb);
    let policies = tb
        .block_on(client.list_role_policies().role_name(&exec).send())
        .unwrap();
    let names = policies.policy_names();
    assert_eq!(names.len(), 1, "one inline policy: {names:?}");
    assert!(
        names[0].starts_with("mcp-secrets-default-mcp-"),
        "{names:?}"
    );
    let policy = tb
        .block_on(
            client
                .get_role_policy()
                .role_name(&exec)
                .policy_name(&names[0])
                .send(),
        )
        .unwrap();
    let doc: Value =
        serde_json::from_str(&mcp::aws::iam::decode_policy(policy.policy_document())).unwrap();
    assert_eq!(
        doc["Statement"],
        json!([{
            "Sid": "ReadTheSecretsOfOneMcpService",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": format!("arn:aws:secretsmanager:*:{account}:secret:/default/mcp/{name}/*"),
        }])
    );
    assert!(out.stderr.contains("Allowed"), "{}", out.stderr);
    assert_eq!(attached(tb, &exec), [mcp::aws::iam::EXECUTION_POLICY]);
}
