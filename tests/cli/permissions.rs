//! docs/permissions.md lists every IAM action `mcp` needs: each AWS SDK
//! operation called in `src/` must appear as `service:Action` in its
//! `## By command` table (the policy after it does not count), so a new call
//! without its line in the doc fails here.
//!
//! A call is `.operation()` (the SDK's fluent builders take no argument) whose
//! name is an operation of one of the SDK crates `mcp` depends on, read from
//! the crate's `src/operation/` modules in the cargo registry; comments,
//! string literals and test modules are left out with the lexer of
//! `architecture.rs`. A name several crates share (`tag_resource`,
//! `describe_services`) is told apart by the receiver, a field of
//! `aws::Clients` (`clients.ecs.tag_resource()`, or a variable of that name),
//! or else by the one candidate crate the file names (`aws_sdk_pricing::…`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::architecture::{blank_comments_and_literals, tokenize, walk, without_test_modules};

/// The SDK crates of Cargo.toml: crate, its field in `aws::Clients` ("" when
/// it has none), the service prefix of its IAM actions.
const SERVICES: &[(&str, &str, &str)] = &[
    (
        "aws-sdk-applicationautoscaling",
        "",
        "application-autoscaling",
    ),
    ("aws-sdk-cloudwatch", "cloudwatch", "cloudwatch"),
    ("aws-sdk-cloudwatchlogs", "logs", "logs"),
    ("aws-sdk-costexplorer", "", "ce"),
    ("aws-sdk-ecr", "ecr", "ecr"),
    ("aws-sdk-ecs", "ecs", "ecs"),
    (
        "aws-sdk-elasticloadbalancingv2",
        "elbv2",
        "elasticloadbalancing",
    ),
    ("aws-sdk-iam", "iam", "iam"),
    ("aws-sdk-lambda", "lambda", "lambda"),
    ("aws-sdk-pricing", "", "pricing"),
    ("aws-sdk-secretsmanager", "secrets", "secretsmanager"),
    ("aws-sdk-sts", "sts", "sts"),
];

/// IAM prefix → the operations (snake_case) of its SDK crate.
type Operations = BTreeMap<&'static str, BTreeSet<String>>;

#[test]
fn every_sdk_call_is_in_docs_permissions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (calls, unresolved) = calls(&root.join("src"), &operations(root));
    assert!(
        unresolved.is_empty(),
        "SDK calls whose service cannot be told (name the receiver after its `aws::Clients` field):\n{}",
        unresolved.join("\n")
    );
    assert!(!calls.is_empty(), "no SDK call found in src/");
    let doc = std::fs::read_to_string(root.join("docs/permissions.md")).unwrap();
    // The table of the commands: the policy and the notes after it do not count.
    let table = doc
        .split_once("\n## By command\n")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(rest))
        .expect("docs/permissions.md has a `## By command` section");
    let listed: BTreeSet<&str> = table
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '-'))
        .filter(|w| w.contains(':'))
        .collect();
    let missing: Vec<String> = calls
        .iter()
        .filter(|(action, _)| !listed.contains(action.as_str()))
        .map(|(action, at)| format!("  {action} (called at {})", at.join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "AWS calls that docs/permissions.md does not list: add each to the commands that make it \
         in `## By command` (and to the policy if the everyday deploy makes it):\n{}",
        missing.join("\n")
    );
}

/// Cargo.toml has no SDK crate this file does not know the IAM prefix of.
#[test]
fn every_sdk_crate_has_its_permissions_prefix() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let unknown: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| name.starts_with("aws-sdk-"))
        .filter(|name| !SERVICES.iter().any(|(k, _, _)| k == name))
        .collect();
    assert!(
        unknown.is_empty(),
        "add to SERVICES in tests/cli/permissions.rs: {unknown:?}"
    );
}

/// The checker tells services apart, and skips comments, literals, tests and
/// methods that are no SDK operation.
#[test]
fn the_checker_finds_the_calls() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(
        src.join("a.rs"),
        "use aws_sdk_pricing::Client;\n\
         fn f(clients: &Clients, client: &Client) {\n\
             clients.ecs.describe_services().send();\n\
             client\n    .describe_services()\n    .send();\n\
             thing.describe();\n\
             // clients.ecs.tag_resource()\n\
             let _ = \"ecs.update_service()\";\n\
         }\n\
         #[cfg(test)]\nmod tests {\n    fn t() { client.get_products(); }\n}\n",
    )
    .unwrap();
    std::fs::write(src.join("b.rs"), "fn g() { x.tag_resource(); }\n").unwrap();
    let ops = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
    let mut operations = Operations::new();
    operations.insert(
        "ecs",
        ops(&["describe_services", "tag_resource", "update_service"]),
    );
    operations.insert("pricing", ops(&["describe_services", "get_products"]));
    operations.insert("ecr", ops(&["tag_resource"]));
    let (found, unresolved) = calls(src, &operations);
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        ["ecs:DescribeServices", "pricing:DescribeServices"]
    );
    assert_eq!(found["pricing:DescribeServices"], ["a.rs:5"]);
    assert_eq!(unresolved, ["  b.rs:1: x.tag_resource() (one of ecr, ecs)"]);
}

/// The operations of each SDK crate, from its sources in the cargo registry
/// (the version Cargo.lock resolves).
fn operations(root: &Path) -> Operations {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registries: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .unwrap_or_else(|e| panic!("{}: {e}", home.join("registry/src").display()))
        .map(|e| e.unwrap().path())
        .collect();
    let mut out = Operations::new();
    for (krate, _, prefix) in SERVICES {
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains(&format!("name = \"{krate}\"\n")))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
            .map(|v| v.trim_end_matches('"'))
            .unwrap_or_else(|| panic!("{krate} is not in Cargo.lock"));
        let dir = registries
            .iter()
            .map(|r| r.join(format!("{krate}-{version}/src/operation")))
            .find(|d| d.is_dir())
            .unwrap_or_else(|| panic!("the sources of {krate} {version} are not under {home:?}"));
        let names = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        out.insert(prefix, names);
    }
    out
}

/// Every SDK call under `src`: `service:Action` → where (`file:line`), and
/// the calls whose service cannot be told.
fn calls(src: &Path, operations: &Operations) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut paths = Vec::new();
    walk(src, &mut paths);
    paths.sort();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unresolved = Vec::new();
    for path in paths {
        let rel = path
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let all = tokenize(&blank_comments_and_literals(&text));
        let (tokens, _) = without_test_modules(&all, text.lines().count());
        let named: BTreeSet<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        for (i, w) in tokens.windows(4).enumerate() {
            if !(w[0].text == "." && w[2].text == "(" && w[3].text == ")") {
                continue;
            }
            let op = w[1].text.as_str();
            let candidates: Vec<&str> = operations
                .iter()
                .filter(|(_, ops)| ops.contains(op))
                .map(|(prefix, _)| *prefix)
                .collect();
            let receiver = i.checked_sub(1).map_or("", |r| tokens[r].text.as_str());
            let by = |pick: &dyn Fn(&(&str, &str, &str)) -> bool| -> Vec<&str> {
                candidates
                    .iter()
                    .copied()
                    .filter(|p| SERVICES.iter().any(|s| s.2 == *p && pick(s)))
                    .collect()
            };
            let service = match candidates.as_slice() {
                [] => continue,
                [one] => Some(*one),
                _ => match by(&|s| !s.1.is_empty() && s.1 == receiver).as_slice() {
                    [one] => Some(*one),
                    _ => match by(&|s| named.contains(s.0.replace('-', "_").as_str())).as_slice() {
                        [one] => Some(*one),
                        _ => None,
                    },
                },
            };
            let at = format!("{rel}:{}", w[1].line);
            match service {
                Some(prefix) => found
                    .entry(format!("{prefix}:{}", pascal(op)))
                    .or_default()
                    .push(at),
                None => unresolved.push(format!(
                    "  {at}: {receiver}.{op}() (one of {})",
                    candidates.join(", ")
                )),
            }
        }
    }
    (found, unresolved)
}

/// `describe_target_health` → `DescribeTargetHealth`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
