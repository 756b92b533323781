//! The monthly estimate (`mcp status`, `deploy --dry-run`, `[cost] monthly_limit`,
//! `mcp scale`) and the real spend (`mcp cost`) against the testbed, whose Price
//! List serves published Fargate and Lambda prices (tests/testbed/cost.py). Every
//! figure is compared with a hand calculation from those prices, written out here.

use std::path::Path;
use std::process::Command;

use crate::express::Deny;
use crate::testbed::{self, Output, Seeded, Testbed, run};

// tests/testbed/cost.py: us-east-1 (no Fargate Spot price listed there).
const USE1_VCPU: f64 = 0.04048;
const USE1_GB: f64 = 0.004445;
const USE1_ARM_VCPU: f64 = 0.03238;
const USE1_ARM_GB: f64 = 0.00356;
const USE1_STORAGE: f64 = 0.000111;
// us-east-1 Lambda, per request and per GB-second (x86_64, first tier).
const USE1_LAMBDA_REQUEST: f64 = 0.0000002;
const USE1_LAMBDA_GB_SECOND: f64 = 0.0000166667;
const USE1_LAMBDA_PROVISIONED: f64 = 0.0000041667;
const USE1_LAMBDA_PROVISIONED_GB_SECOND: f64 = 0.0000097222;
// sa-east-1 (no ephemeral storage price listed there).
const SAE1_VCPU: f64 = 0.0696;
const SAE1_GB: f64 = 0.0076;
const SAE1_SPOT_VCPU: f64 = 0.02337032;
const SAE1_SPOT_GB: f64 = 0.00255193;

/// Cents of `hourly` × 730 hours, as a bill (and `mcp`) rounds them.
fn month(hourly: f64) -> f64 {
    (hourly * 730.0 * 100.0).round() / 100.0
}

fn dollars(x: f64) -> String {
    format!("${x:.2}")
}

/// `mcp` with its own cache directory (and optionally its own access key).
fn mcp(tb: &Testbed, dir: &Path, cache: &Path, key: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = tb.mcp(dir);
    cmd.env("XDG_CACHE_HOME", cache).args(args);
    if let Some(key) = key {
        cmd.env("AWS_ACCESS_KEY_ID", key);
    }
    run(&mut cmd)
}

/// The seeded service (2 tasks of 0.25 vCPU, 0.5 GB, x86_64) and its project.
fn seeded(tb: &Testbed, prefix: &str, extra_toml: &str) -> (Seeded, tempfile::TempDir) {
    let seeded = tb.seed_service(prefix, &["--desired", "2"]);
    let dir = seeded.project(tb);
    let path = dir.path().join("mcp.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}{extra_toml}")).unwrap();
    (seeded, dir)
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn status_shows_the_monthly_estimate_of_the_hand_calculation() {
    let tb = crate::testbed!();
    let (_seeded, dir) = seeded(tb, "cost-status", "");
    let cache = tempfile::tempdir().unwrap();
    let out = mcp(tb, dir.path(), cache.path(), None, &["status"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let hand = month(2.0 * (0.25 * USE1_VCPU + 0.5 * USE1_GB));
    let line = format!(
        "cost       ≈ {} / month: 2 tasks × 0.25 vCPU, 0.5 GB, x86_64, us-east-1, on demand",
        dollars(hand)
    );
    assert!(out.stdout.contains(&line), "{line}\n{}", out.stdout);

    let json = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["status", "-o", "json"],
    )
    .json();
    let cost = &json["cost"];
    assert_eq!(cost["monthly"].as_f64(), Some(hand), "{cost}");
    assert_eq!(cost["currency"], "USD");
    assert_eq!(cost["inputs"]["tasks"], 2);
    assert_eq!(
        cost["prices"]["Fargate-vCPU-Hours:perCPU"].as_f64(),
        Some(USE1_VCPU)
    );
    assert!(cost["price_date"].as_str().is_some(), "{cost}");
    // The prices are cached per region, with the time they were read.
    let cached = cache.path().join("mcp/prices/AmazonECS-us-east-1.json");
    let sheet: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cached).unwrap()).unwrap();
    assert_eq!(sheet["usd"]["Fargate-GB-Hours"].as_f64(), Some(USE1_GB));

    // `status --stages`: the row's figure (whole dollars from $10) and the total under the table.
    let board = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["status", "--stages", "-o", "json"],
    );
    let rows = board.json();
    assert_eq!(rows[0]["cost"]["monthly"].as_f64(), Some(hand), "{rows}");
    let table = mcp(tb, dir.path(), cache.path(), None, &["status", "--stages"]);
    assert!(
        table
            .stdout
            .contains(&format!("total ≈ {} / month", dollars(hand))),
        "{}\n{}",
        table.stdout,
        table.stderr
    );
    assert!(
        table
            .stdout
            .lines()
            .nth(1)
            .is_some_and(|row| row.trim_end().ends_with(&format!("${hand:.0}"))),
        "{}",
        table.stdout
    );
}

/// A new revision of the service's task definition with this platform and storage, made live.
fn revise(
    tb: &Testbed,
    seeded: &Seeded,
    platform: aws_sdk_ecs::types::RuntimePlatform,
    storage: aws_sdk_ecs::types::EphemeralStorage,
) {
    let cluster = seeded.get("cluster");
    let service = seeded.get("service");
    let arn = tb.live_task_definition(&cluster, &service);
    let td = tb.task_definition(&arn);
    let ecs = tb.ecs();
    tb.block_on(async {
        let registered = ecs
            .register_task_definition()
            .family(td.family().unwrap())
            .set_container_definitions(Some(td.container_definitions().to_vec()))
            .set_cpu(td.cpu().map(str::to_string))
            .set_memory(td.memory().map(str::to_string))
            .set_network_mode(td.network_mode().cloned())
            .set_requires_compatibilities(Some(td.requires_compatibilities().to_vec()))
            .set_execution_role_arn(td.execution_role_arn().map(str::to_string))
            .runtime_platform(platform)
            .ephemeral_storage(storage)
            .send()
            .await
            .unwrap();
        let new = registered
            .task_definition()
            .unwrap()
            .task_definition_arn()
            .unwrap();
        ecs.update_service()
            .cluster(&cluster)
            .service(&service)
            .task_definition(new)
            .send()
            .await
            .unwrap();
    });
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn arm64_and_ephemeral_storage_above_20_gib_are_priced_by_their_usage_types() {
    let tb = crate::testbed!();
    let (seeded, dir) = seeded(tb, "cost-arm", "");
    revise(
        tb,
        &seeded,
        aws_sdk_ecs::types::RuntimePlatform::builder()
            .cpu_architecture(aws_sdk_ecs::types::CpuArchitecture::Arm64)
            .operating_system_family(aws_sdk_ecs::types::OsFamily::Linux)
            .build(),
        aws_sdk_ecs::types::EphemeralStorage::builder()
            .size_in_gib(50)
            .build(),
    );
    let cache = tempfile::tempdir().unwrap();
    let json = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["status", "-o", "json"],
    )
    .json();
    // Per task: ARM vCPU and memory, and the 30 GiB above the included 20.
    let hand = month(2.0 * (0.25 * USE1_ARM_VCPU + 0.5 * USE1_ARM_GB + 30.0 * USE1_STORAGE));
    assert_eq!(
        json["cost"]["monthly"].as_f64(),
        Some(hand),
        "{}",
        json["cost"]
    );
    assert_eq!(json["cost"]["inputs"]["arch"], "arm64");
    assert_eq!(
        json["cost"]["prices"]["Fargate-EphemeralStorage-GB-Hours"].as_f64(),
        Some(USE1_STORAGE)
    );
    let text = mcp(tb, dir.path(), cache.path(), None, &["status"]);
    assert!(
        text.stdout
            .contains("0.5 GB, 50 GiB storage, ARM64, us-east-1, on demand"),
        "{}",
        text.stdout
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn spot_without_a_listed_price_says_which_usage_type_is_missing() {
    let tb = crate::testbed!();
    let (seeded, dir) = seeded(tb, "cost-nospot", "");
    let ecs = tb.ecs();
    tb.block_on(async {
        ecs.update_service()
            .cluster(seeded.get("cluster"))
            .service(seeded.get("service"))
            .capacity_provider_strategy(
                aws_sdk_ecs::types::CapacityProviderStrategyItem::builder()
                    .capacity_provider("FARGATE_SPOT")
                    .weight(1)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    });
    let cache = tempfile::tempdir().unwrap();
    let out = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["status", "-o", "json"],
    );
    let cost = &out.json()["cost"];
    assert!(cost["monthly"].is_null(), "never a guessed number: {cost}");
    let reason = cost["reason"].as_str().unwrap();
    assert!(
        reason.contains(
            "SpotUsage-Fargate-vCPU-Hours:perCPU, SpotUsage-Fargate-GB-Hours for us-east-1"
        ),
        "{reason}"
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn fargate_spot_and_the_autoscaling_range_in_another_region() {
    let tb = crate::testbed!();
    let name = testbed::unique("cost-sae1");
    let region = "sa-east-1";
    let config = tb.block_on(async {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(tb.var("AWS_ENDPOINT_URL"))
            .region(aws_config::Region::new(region))
            .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                "testing", "testing", None, None, "testbed",
            ))
            .load()
            .await
    });
    let ecs = aws_sdk_ecs::Client::new(&config);
    let scaling = aws_sdk_applicationautoscaling::Client::new(&config);
    tb.block_on(async {
        use aws_sdk_ecs::types::{
            CapacityProviderStrategyItem, Compatibility, ContainerDefinition,
        };
        ecs.create_cluster()
            .cluster_name(&name)
            .send()
            .await
            .unwrap();
        ecs.register_task_definition()
            .family(&name)
            .cpu("512")
            .memory("1024")
            .requires_compatibilities(Compatibility::Fargate)
            .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
            .container_definitions(
                ContainerDefinition::builder()
                    .name("mcp")
                    .image("mcp-testbed/busybox:latest")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        // No task runs (desired 0): the range is what is priced.
        ecs.create_service()
            .cluster(&name)
            .service_name(&name)
            .task_definition(&name)
            .desired_count(0)
            .capacity_provider_strategy(
                CapacityProviderStrategyItem::builder()
                    .capacity_provider("FARGATE")
                    .base(1)
                    .weight(1)
                    .build()
                    .unwrap(),
            )
            .capacity_provider_strategy(
                CapacityProviderStrategyItem::builder()
                    .capacity_provider("FARGATE_SPOT")
                    .weight(3)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        scaling
            .register_scalable_target()
            .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
            .resource_id(format!("service/{name}/{name}"))
            .scalable_dimension(
                aws_sdk_applicationautoscaling::types::ScalableDimension::EcsServiceDesiredCount,
            )
            .min_capacity(2)
            .max_capacity(6)
            .send()
            .await
            .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!("name = \"{name}\"\nregion = \"{region}\"\n\n[ecs]\ncluster = \"{name}\"\nservice = \"{name}\"\n"),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let json = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["status", "-o", "json"],
    )
    .json();
    let cost = &json["cost"];
    let on_demand = 0.5 * SAE1_VCPU + 1.0 * SAE1_GB;
    let spot = 0.5 * SAE1_SPOT_VCPU + 1.0 * SAE1_SPOT_GB;
    // FARGATE base 1, then 1:3 with FARGATE_SPOT: 2 tasks = 1 + ¼ on demand, ¾ Spot;
    // 6 tasks = 1 + 5/4 on demand, 15/4 Spot.
    let min = month(1.25 * on_demand + 0.75 * spot);
    let max = month(2.25 * on_demand + 3.75 * spot);
    assert_eq!(cost["monthly"].as_f64(), Some(0.0), "{cost}");
    assert_eq!(cost["monthly_min"].as_f64(), Some(min), "{cost}");
    assert_eq!(cost["monthly_max"].as_f64(), Some(max), "{cost}");
    assert_eq!(cost["inputs"]["min_tasks"], 2);
    assert_eq!(cost["inputs"]["max_tasks"], 6);
    let text = mcp(tb, dir.path(), cache.path(), None, &["status"]);
    let range = format!("autoscaling 2–6 tasks: {}–{}", dollars(min), dollars(max));
    assert!(text.stdout.contains(&range), "{range}\n{}", text.stdout);
    assert!(
        text.stdout.contains("sa-east-1, on demand + Fargate Spot"),
        "{}",
        text.stdout
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn without_pricing_permission_the_estimate_says_why_and_a_stale_cache_is_used_and_refreshed() {
    let tb = crate::testbed!();
    let (_seeded, dir) = seeded(tb, "cost-deny", "");
    let deny = Deny::new(tb, &["pricing:GetProducts"]);
    let cache = tempfile::tempdir().unwrap();
    // No permission, no cache: no figure, and why.
    let out = mcp(tb, dir.path(), cache.path(), Some(&deny.key), &["status"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "cost       unknown: no price: this identity may not call pricing:GetProducts"
        ),
        "{}",
        out.stdout
    );
    // A cache older than a week, with other prices: used, and said so, while the API refuses.
    let file = cache.path().join("mcp/prices/AmazonECS-us-east-1.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let old = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 40);
    let sheet = serde_json::json!({
        "region": "us-east-1",
        "read_at": old.to_string(),
        "usd": {"Fargate-vCPU-Hours:perCPU": 0.05, "Fargate-GB-Hours": 0.005},
    });
    std::fs::write(&file, sheet.to_string()).unwrap();
    let json = mcp(
        tb,
        dir.path(),
        cache.path(),
        Some(&deny.key),
        &["status", "-o", "json"],
    )
    .json();
    let stale = month(2.0 * (0.25 * 0.05 + 0.5 * 0.005));
    assert_eq!(
        json["cost"]["monthly"].as_f64(),
        Some(stale),
        "{}",
        json["cost"]
    );
    let note = json["cost"]["notes"][0].as_str().unwrap();
    let date = old.to_string()[..10].to_string();
    assert!(
        note.contains(&format!("prices read on {date}")) && note.contains("not refreshed"),
        "{note}"
    );
    // With the permission, the stale sheet is replaced by the Price List's.
    let json = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["status", "-o", "json"],
    )
    .json();
    let hand = month(2.0 * (0.25 * USE1_VCPU + 0.5 * USE1_GB));
    assert_eq!(
        json["cost"]["monthly"].as_f64(),
        Some(hand),
        "{}",
        json["cost"]
    );
    let sheet: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        sheet["usd"]["Fargate-vCPU-Hours:perCPU"].as_f64(),
        Some(USE1_VCPU)
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_deploy_over_the_monthly_limit_stops_before_the_build_unless_allowed_and_so_does_scale() {
    let tb = crate::testbed!();
    let (_seeded, dir) = seeded(tb, "cost-limit", "\n[cost]\nmonthly_limit = 10\n");
    let cache = tempfile::tempdir().unwrap();
    let hand = month(2.0 * (0.25 * USE1_VCPU + 0.5 * USE1_GB));
    let out = mcp(tb, dir.path(), cache.path(), None, &["deploy"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "this deploy would cost ≈ {} a month (2 tasks × 0.25 vCPU, 0.5 GB, x86_64, us-east-1, on demand), over `[cost] monthly_limit` = $10.00",
            dollars(hand)
        )),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("Building"),
        "stopped before the build: {}",
        out.stderr
    );

    // A dry run with a tag of its own: nothing is built.
    let out = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["deploy", "--dry-run", "--tag", "x", "--allow-over-limit"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(&format!("monthly ≈ {}", dollars(hand)))
            && out
                .stdout
                .contains("over the limit: let through by --allow-over-limit"),
        "{}",
        out.stdout
    );
    let json = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &[
            "deploy",
            "--dry-run",
            "--tag",
            "x",
            "--allow-over-limit",
            "-o",
            "json",
        ],
    )
    .json();
    assert_eq!(json["cost"]["after"]["monthly"].as_f64(), Some(hand));
    assert_eq!(json["cost"]["monthly_limit"].as_f64(), Some(10.0));
    assert_eq!(json["cost"]["allowed_over_limit"], true);

    // `mcp scale` holds the same limit: 1 task fits, 3 do not.
    let one = month(0.25 * USE1_VCPU + 0.5 * USE1_GB);
    let three = month(3.0 * (0.25 * USE1_VCPU + 0.5 * USE1_GB));
    assert!(one <= 10.0 && three > 10.0);
    let out = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["scale", "3", "--no-wait"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "scaling to 3 tasks would cost ≈ {} a month",
            dollars(three)
        )) && out.stderr.contains(&format!("up from {}", dollars(hand))),
        "{}",
        out.stderr
    );
}

/// Queue one Cost Explorer answer in moto (its `GetCostAndUsage` takes the next one).
fn queue_spend(tb: &Testbed, result: serde_json::Value) {
    let base = tb.var("MCP_TESTBED_CONTROL").replace("/_testbed", "");
    let body = serde_json::json!({ "results": [result] }).to_string();
    let out = Command::new("curl")
        .args(["-fsS", "--max-time", "5", "-X", "POST", "-d", &body])
        .arg(format!("{base}/moto-api/static/ce/cost-and-usage-results"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Held by each test that calls GetCostAndUsage: moto's answer queue is shared
/// (a call with a body it has not seen takes the next queued answer), so one
/// test's call must not take another's answer.
fn cost_explorer_lock() -> std::fs::File {
    let path = std::env::temp_dir().join("mcp-it-cost-explorer.lock");
    let file = std::fs::File::create(&path).unwrap();
    file.lock().unwrap();
    file
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn cost_stages_shows_each_stage_spend_and_how_to_activate_inactive_tags() {
    let tb = crate::testbed!();
    let _queue = cost_explorer_lock();
    let name = testbed::unique("cost-ce");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mcp.toml"),
        format!(
            "name = \"{name}\"\nregion = \"us-east-1\"\n\n[ecs]\ncluster = \"c\"\n\n[stages.dev]\n[stages.staging]\n[stages.production]\n"
        ),
    )
    .unwrap();
    let group = |stage: &str, amount: &str| serde_json::json!({"Keys": [format!("mcp:stage${stage}")], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}});
    queue_spend(
        tb,
        serde_json::json!({"ResultsByTime": [
            {"TimePeriod": {"Start": "2026-11-07", "End": "2026-12-01"}, "Total": {}, "Estimated": false,
             "Groups": [group("dev", "3.10"), group("production", "20.5")]},
            {"TimePeriod": {"Start": "2026-12-01", "End": "2026-12-07"}, "Total": {}, "Estimated": true,
             "Groups": [group("dev", "0.9"), group("production", "5.25")]},
        ]}),
    );
    // A key of our own: the cost allocation tags' status is kept per access key.
    let key = testbed::unique("testing-cost");
    let cache = tempfile::tempdir().unwrap();
    let out = mcp(
        tb,
        dir.path(),
        cache.path(),
        Some(&key),
        &["cost", "--stages", "-o", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let rows = json["rows"].as_array().unwrap();
    let amount = |stage: &str| {
        rows.iter()
            .find(|r| r["stage"] == stage)
            .and_then(|r| r["amount"].as_f64())
    };
    assert_eq!(amount("dev"), Some(4.0), "{json}");
    assert_eq!(amount("production"), Some(25.75), "{json}");
    assert_eq!(
        amount("staging"),
        Some(0.0),
        "a declared stage without spend: {json}"
    );
    assert_eq!(json["total"].as_f64(), Some(29.75));
    let command = "aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=mcp:project,Status=Active TagKey=mcp:service,Status=Active TagKey=mcp:stage,Status=Active";
    assert_eq!(json["activate"], command);
    assert!(
        out.stderr.contains("cost allocation tags not active")
            && out.stderr.contains(command)
            && out.stderr.contains("only from their activation on"),
        "{}",
        out.stderr
    );

    // Activated (what the command does): no warning, the same spend.
    let ce = aws_sdk_costexplorer::Client::new(&tb.block_on(async {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(tb.var("AWS_ENDPOINT_URL"))
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                key.as_str(),
                "testing",
                None,
                None,
                "testbed",
            ))
            .load()
            .await
    }));
    tb.block_on(async {
        let mut call = ce.update_cost_allocation_tags_status();
        for tag in ["mcp:project", "mcp:service", "mcp:stage"] {
            call = call.cost_allocation_tags_status(
                aws_sdk_costexplorer::types::CostAllocationTagStatusEntry::builder()
                    .tag_key(tag)
                    .status(aws_sdk_costexplorer::types::CostAllocationTagStatus::Active)
                    .build()
                    .unwrap(),
            );
        }
        call.send().await.unwrap();
    });
    let out = mcp(
        tb,
        dir.path(),
        cache.path(),
        Some(&key),
        &["cost", "--stages"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("not active"), "{}", out.stderr);
    assert!(out.stdout.contains("$29.75 USD"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("tags: mcp:project Active, mcp:service Active, mcp:stage Active"),
        "{}",
        out.stdout
    );
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_deploy_tags_the_service_for_cost_allocation_and_doctor_names_it_until_then() {
    let tb = crate::testbed!();
    let (seeded, dir) = seeded(tb, "cost-tags", "\n[deploy]\ntimeout = \"90s\"\n");
    let cache = tempfile::tempdir().unwrap();
    let check = |out: &Output| {
        let report = out.json();
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "cost tags")
            .cloned()
            .unwrap_or_else(|| panic!("no cost tags check: {report}"))
    };
    let before = check(&mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["doctor", "-o", "json"],
    ));
    assert_eq!(before["outcome"], "warning", "{before}");
    assert!(
        before["detail"]
            .as_str()
            .unwrap()
            .ends_with("lacks mcp:project, mcp:service, mcp:stage"),
        "{before}"
    );
    let image = format!("{}:base", seeded.get("repository_uri"));
    let out = mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["deploy", "--image", &image, "--no-check"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ecs = tb.ecs();
    let service = tb.block_on(async {
        ecs.describe_services()
            .cluster(seeded.get("cluster"))
            .services(seeded.get("service"))
            .include(aws_sdk_ecs::types::ServiceField::Tags)
            .send()
            .await
            .unwrap()
            .services()[0]
            .clone()
    });
    assert_eq!(
        service.propagate_tags(),
        Some(&aws_sdk_ecs::types::PropagateTags::Service)
    );
    let tag = |key: &str| {
        service
            .tags()
            .iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value().map(str::to_string))
    };
    assert_eq!(tag("mcp:project").as_deref(), Some(seeded.name.as_str()));
    assert_eq!(tag("mcp:service").as_deref(), Some(seeded.name.as_str()));
    assert_eq!(tag("mcp:stage").as_deref(), Some("default"));
    let after = check(&mcp(
        tb,
        dir.path(),
        cache.path(),
        None,
        &["doctor", "-o", "json"],
    ));
    assert_eq!(after["outcome"], "ok", "{after}");
}

/// Builds a Lambda function in the simulator the way tests/testbed/selftest.py
/// does (its helpers): `create NAME REPO` (an image with the adapter stand-in,
/// 128 MB, version 1, the `live` alias, its public URL) prints `{"url"}`;
/// `call URL N` calls the URL N times; `sums NAME` prints the function's
/// `Invocations` and `Duration` sums over 14 days, as boto3 reads them (the
/// query protocol, not mcp's CBOR); `cleanup NAME REPO`.
const LAMBDA_HELPER: &str = r#"
import datetime, json, os, sys
sys.path.insert(0, os.environ["TESTBED_PY"])
import selftest as st
import seed

what = sys.argv[1]
if what == "create":
    name, repo = sys.argv[2:4]
    seed.ensure_repository(st.ecr, repo)
    uri, _ = st.lambda_image(repo, "v1")
    st.lambda_create(name, uri)
    version = st.lam.publish_version(FunctionName=name)["Version"]
    st.lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    url = st.lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")["FunctionUrl"]
    st.lambda_public(name, "live")
    print(json.dumps({"url": url}))
elif what == "call":
    for _ in range(int(sys.argv[3])):
        status, _, body = st.http_call(sys.argv[2], "version")
        assert status == 200, (status, body)
elif what == "sums":
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
    sums = {}
    for metric in ("Invocations", "Duration"):
        points = st.cw.get_metric_statistics(
            Namespace="AWS/Lambda", MetricName=metric, StartTime=end - datetime.timedelta(days=14), EndTime=end,
            Period=86400, Statistics=["Sum"], Dimensions=[{"Name": "FunctionName", "Value": sys.argv[2]}])["Datapoints"]
        sums[metric] = sum(p["Sum"] for p in points)
    print(json.dumps(sums))
elif what == "cleanup":
    st.lambda_cleanup(*sys.argv[2:4])
"#;

fn lambda_helper(tb: &Testbed, args: &[&str]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(LAMBDA_HELPER)
        .args(args)
        .envs(&tb.env)
        .env(
            "TESTBED_PY",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testbed"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lambda helper {args:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// Deletes the function (and its containers, repository, log group) however the test ends.
struct LambdaFunction<'a> {
    tb: &'a Testbed,
    name: String,
    repo: String,
}

impl Drop for LambdaFunction<'_> {
    fn drop(&mut self) {
        let _ = Command::new("python3")
            .arg("-c")
            .arg(LAMBDA_HELPER)
            .args(["cleanup", &self.name, &self.repo])
            .envs(&self.tb.env)
            .env(
                "TESTBED_PY",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testbed"),
            )
            .output();
    }
}

fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

/// Guards the Lambda estimate (issue 29): requests and GB-seconds from the
/// function's CloudWatch metrics over 14 days scaled to 730 hours, memory as the
/// `live` version runs (128 MB, not mcp.toml's 1024), provisioned concurrency
/// paid all month; $0 and a note before any traffic; read through the SDK's
/// CBOR protocol (tests/testbed/cloudwatch_cbor.py) and the Lambda Price List.
/// Also the testbed's Cost Explorer listing a tag key a function carries
/// (tests/testbed/cost.py), which a Lambda stage's `mcp cost` relies on.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn a_lambda_stage_is_priced_from_its_cloudwatch_traffic_as_the_live_version_runs() {
    let tb = crate::testbed!();
    let function = LambdaFunction {
        tb,
        name: testbed::unique("cost-fn"),
        repo: testbed::unique("cost-fn-repo"),
    };
    let url = lambda_helper(tb, &["create", &function.name, &function.repo])["url"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let toml = |name: &str, provisioned: &str| {
        format!(
            "name = \"{name}\"\nregion = \"us-east-1\"\ntarget = \"lambda\"\n\n[lambda]\nfunction = \"{name}\"\nmemory = 1024\n{provisioned}"
        )
    };
    std::fs::write(dir.path().join("mcp.toml"), toml(&function.name, "")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let _queue = cost_explorer_lock();
    let estimate = |dir: &Path| {
        let out = mcp(tb, dir, cache.path(), None, &["cost", "-o", "json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.json()["estimate"].clone()
    };

    // Deployed, never called: nothing to pay, and why.
    let idle = estimate(dir.path());
    assert_eq!(idle["monthly"].as_f64(), Some(0.0), "{idle}");
    assert!(
        idle["inputs"].is_null(),
        "the Fargate inputs stay null: {idle}"
    );
    assert_eq!(idle["lambda"]["memory_mb"], 128, "{idle}");
    assert_eq!(idle["lambda"]["invocations"].as_f64(), Some(0.0));
    let notes = idle["notes"].to_string();
    assert!(
        notes.contains("no invocations in the last 14 days"),
        "{notes}"
    );
    assert!(notes.contains("free tier not subtracted"), "{notes}");

    // A tag key the function carries is one Cost Explorer lists (Inactive until
    // activated), as a service's: how `mcp cost` sees a Lambda stage's cost tags.
    let key = testbed::unique("it-cost-tag");
    let functions = aws_sdk_lambda::Client::new(&tb.sdk());
    let ce = aws_sdk_costexplorer::Client::new(&tb.sdk());
    let listed = tb.block_on(async {
        let arn = functions
            .get_function()
            .function_name(&function.name)
            .send()
            .await
            .unwrap()
            .configuration()
            .and_then(|c| c.function_arn())
            .unwrap()
            .to_string();
        functions
            .tag_resource()
            .resource(arn)
            .tags(&key, "x")
            .send()
            .await
            .unwrap();
        ce.list_cost_allocation_tags()
            .tag_keys(&key)
            .send()
            .await
            .unwrap()
    });
    let rows = listed.cost_allocation_tags();
    assert_eq!(rows.len(), 1, "{listed:?}");
    assert_eq!(rows[0].tag_key(), key);
    assert_eq!(
        rows[0].status(),
        &aws_sdk_costexplorer::types::CostAllocationTagStatus::Inactive
    );

    // Six calls through the live URL, and one instance kept warm.
    lambda_helper(tb, &["call", &url, "6"]);
    let sums = lambda_helper(tb, &["sums", &function.name]);
    let duration_ms = sums["Duration"].as_f64().unwrap();
    assert_eq!(sums["Invocations"].as_f64(), Some(6.0), "{sums}");
    std::fs::write(
        dir.path().join("mcp.toml"),
        toml(&function.name, "provisioned_concurrency = 1\n"),
    )
    .unwrap();
    let busy = estimate(dir.path());
    let scale = 730.0 / (14.0 * 24.0);
    let requests = 6.0 * scale;
    let gb_seconds = duration_ms / 1000.0 * 0.125 * scale;
    let warm = 0.125 * 730.0 * 3600.0; // all six calls fit in it
    let hand = cents(
        requests * USE1_LAMBDA_REQUEST
            + warm * USE1_LAMBDA_PROVISIONED
            + gb_seconds * USE1_LAMBDA_PROVISIONED_GB_SECOND,
    );
    let lambda = &busy["lambda"];
    assert_eq!(lambda["invocations"].as_f64(), Some(6.0), "{busy}");
    assert!(
        (lambda["duration_ms"].as_f64().unwrap() - duration_ms).abs() < 1e-6,
        "{busy}"
    );
    assert!((lambda["monthly_requests"].as_f64().unwrap() - requests).abs() < 1e-9);
    assert!((lambda["monthly_gb_seconds"].as_f64().unwrap() - gb_seconds).abs() < 1e-9);
    assert_eq!(lambda["provisioned_concurrency"], 1);
    assert_eq!(busy["monthly"].as_f64(), Some(hand), "{busy}");
    assert_eq!(
        busy["prices"]["Lambda-GB-Second"].as_f64(),
        Some(USE1_LAMBDA_GB_SECOND)
    );
    // Without provisioned concurrency the same traffic is requests and on-demand GB-seconds.
    std::fs::write(dir.path().join("mcp.toml"), toml(&function.name, "")).unwrap();
    let on_demand = estimate(dir.path());
    assert_eq!(
        on_demand["monthly"].as_f64(),
        Some(cents(
            requests * USE1_LAMBDA_REQUEST + gb_seconds * USE1_LAMBDA_GB_SECOND
        )),
        "{on_demand}"
    );

    // The line a person reads.
    std::fs::write(
        dir.path().join("mcp.toml"),
        toml(&function.name, "provisioned_concurrency = 1\n"),
    )
    .unwrap();
    let out = mcp(tb, dir.path(), cache.path(), None, &["cost"]);
    let line = format!(
        "estimate: ≈ {} / month: 128 MB, x86_64, us-east-1, {:.0} requests × {:.0} ms a month, 1 provisioned (prices of ",
        dollars(hand),
        requests,
        duration_ms / 6.0
    );
    assert!(out.stdout.contains(&line), "{line}\n{}", out.stdout);

    // Without cloudwatch:GetMetricStatistics there is no traffic, hence no figure, and why.
    let deny = Deny::new(tb, &["cloudwatch:GetMetricStatistics"]);
    let out = mcp(
        tb,
        dir.path(),
        cache.path(),
        Some(&deny.key),
        &["cost", "-o", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let denied = out.json()["estimate"].clone();
    assert!(denied["monthly"].is_null(), "{denied}");
    let reason = denied["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!(
            "the Invocations of `{}` cannot be read (cloudwatch:GetMetricStatistics)",
            function.name
        )) && reason.contains("not authorized"),
        "{reason}"
    );
    drop(deny);

    // A function not deployed yet costs nothing, and says so.
    let other = tempfile::tempdir().unwrap();
    let missing = testbed::unique("cost-fn-none");
    std::fs::write(
        other.path().join("mcp.toml"),
        toml(&missing, "provisioned_concurrency = 1\n"),
    )
    .unwrap();
    let none = estimate(other.path());
    assert_eq!(none["monthly"].as_f64(), Some(0.0), "{none}");
    assert_eq!(
        none["lambda"]["memory_mb"], 1024,
        "mcp.toml's, nothing runs: {none}"
    );
    assert!(
        none["notes"][0]
            .as_str()
            .unwrap()
            .contains("is not deployed yet"),
        "{none}"
    );
}
