//! The monthly estimate of an ECS service on Fargate (Express Mode services
//! included: they are ECS services underneath), read from what ECS says: the
//! task definition's `cpu`, `memory`, `ephemeralStorage` and
//! `runtimePlatform`, the service's capacity provider strategy (or launch
//! type, or the cluster's default strategy), its desired count and the
//! Application Auto Scaling range. The arithmetic is `release::cost`'s.
//!
//! Also the cost allocation tags a deploy puts on the service
//! ([`ensure_tags`]), so that `mcp cost` can find its spend.

use aws_sdk_ecs::types::{LaunchType, PropagateTags, Service, Tag, TaskDefinition};

use crate::aws::{self, Clients, pricing};
use crate::config::Settings;
use crate::release::cost::{Arch, Change, Cost, INCLUDED_STORAGE_GIB, Inputs, Share, tags};
use crate::ui::Printer;

/// The inputs of a service running `definition`, or why it is not a Fargate service.
pub async fn inputs(
    clients: &Clients,
    region: &str,
    cluster: &str,
    service: &Service,
    definition: &TaskDefinition,
) -> Result<(Inputs, Vec<String>), String> {
    // A capacity provider strategy and a launch type exclude each other; the strategy decides.
    if service.capacity_provider_strategy().is_empty()
        && (service.launch_type() == Some(&LaunchType::Ec2)
            || service.launch_type() == Some(&LaunchType::External))
    {
        return Err(
            "the service runs on EC2 capacity, priced by its instances: mcp estimates Fargate only"
                .into(),
        );
    }
    let mut capacity: Vec<Share> = service
        .capacity_provider_strategy()
        .iter()
        .filter_map(share)
        .collect();
    if service.launch_type().is_none() && service.capacity_provider_strategy().is_empty() {
        // Neither set: the cluster's default strategy places the tasks.
        let clusters = clients
            .ecs
            .describe_clusters()
            .clusters(cluster)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "the cluster's capacity providers are unknown: {}",
                    aws::describe(&e)
                )
            })?;
        if let Some(c) = clusters.clusters().first() {
            capacity = c
                .default_capacity_provider_strategy()
                .iter()
                .filter_map(share)
                .collect();
        }
    }
    if service
        .capacity_provider_strategy()
        .iter()
        .any(|s| share(s).is_none())
    {
        return Err("the service places tasks with a capacity provider other than FARGATE and FARGATE_SPOT: mcp estimates Fargate only".into());
    }
    let cpu = definition
        .cpu()
        .and_then(|c| c.parse::<f64>().ok())
        .ok_or("the task definition sets no task-level cpu")?;
    let memory = definition
        .memory()
        .and_then(|m| m.parse::<f64>().ok())
        .ok_or("the task definition sets no task-level memory")?;
    let arch = match definition
        .runtime_platform()
        .and_then(|p| p.cpu_architecture())
        .map(|a| a.as_str())
    {
        Some("ARM64") => Arch::Arm64,
        _ => Arch::X86_64,
    };
    if let Some(family) = definition
        .runtime_platform()
        .and_then(|p| p.operating_system_family())
        && !family.as_str().starts_with("LINUX")
    {
        return Err(format!(
            "the task definition runs {}: mcp estimates Linux tasks only",
            family.as_str()
        ));
    }
    let mut notes = Vec::new();
    let range = match aws::autoscaling::service_range(
        &clients.config,
        cluster,
        service.service_name().unwrap_or_default(),
    )
    .await
    {
        Ok(range) => range,
        Err(why) => {
            notes.push(why);
            None
        }
    };
    Ok((
        Inputs {
            region: region.to_string(),
            vcpu: cpu / 1024.0,
            memory_gb: memory / 1024.0,
            storage_gib: definition
                .ephemeral_storage()
                .map(|e| e.size_in_gib() as f64)
                .unwrap_or(INCLUDED_STORAGE_GIB),
            arch,
            capacity,
            tasks: service.desired_count(),
            min_tasks: range.map(|r| r.0),
            max_tasks: range.map(|r| r.1),
        },
        notes,
    ))
}

fn share(item: &aws_sdk_ecs::types::CapacityProviderStrategyItem) -> Option<Share> {
    let spot = match item.capacity_provider() {
        "FARGATE" => false,
        "FARGATE_SPOT" => true,
        _ => return None,
    };
    Some(Share {
        spot,
        base: item.base(),
        weight: item.weight(),
    })
}

/// The stage's region, as the clients resolved it.
fn region(clients: &Clients) -> Option<String> {
    clients.region().map(str::to_string)
}

/// The estimate of `inputs` (prices read or cached now).
pub async fn price(clients: &Clients, inputs: Result<(Inputs, Vec<String>), String>) -> Cost {
    let (inputs, notes) = match inputs {
        Ok(found) => found,
        Err(why) => return Cost::unknown(None, why),
    };
    let prices = pricing::fargate(&clients.config, &inputs.region).await;
    let mut cost = Cost::estimate(inputs, prices.as_ref().map_err(String::as_str));
    cost.notes.extend(notes);
    cost
}

/// The estimate of what the service runs now.
pub async fn current(
    clients: &Clients,
    cluster: &str,
    service: &Service,
    definition: &TaskDefinition,
) -> Cost {
    let Some(region) = region(clients) else {
        return Cost::unknown(None, "no region");
    };
    price(
        clients,
        inputs(clients, &region, cluster, service, definition).await,
    )
    .await
}

/// What runs: the service and its task definition.
pub struct Live<'a> {
    pub cluster: &'a str,
    pub service: &'a Service,
    pub definition: &'a TaskDefinition,
}

/// Before and after a change of what runs: `after` is `before`'s inputs
/// changed by `change`; the limit is checked (`doing` names the change in the
/// refusal), and the line printed when the estimate moves or a limit is set.
pub async fn guard(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    live: Live<'_>,
    change: impl FnOnce(&mut Inputs),
    allow_over_limit: bool,
    doing: &str,
) -> anyhow::Result<Change> {
    let Live {
        cluster,
        service,
        definition,
    } = live;
    let Some(region) = region(clients) else {
        let none = Cost::unknown(None, "no region");
        return Ok(Change {
            before: none.clone(),
            after: none,
            monthly_limit: settings.cost.monthly_limit,
            allowed_over_limit: false,
        });
    };
    let found = inputs(clients, &region, cluster, service, definition).await;
    let changed = found.clone().map(|(mut inputs, notes)| {
        change(&mut inputs);
        (inputs, notes)
    });
    let before = price(clients, found).await;
    let after = price(clients, changed).await;
    Ok(Change::guard(
        before,
        after,
        settings.cost.monthly_limit,
        printer,
        allow_over_limit,
        doing,
        service.service_name().unwrap_or("the service"),
    )?)
}

/// What a deploy changes of the estimate's inputs: nothing on a rolling
/// deploy (the new revision keeps the live one's cpu, memory and platform);
/// on an Express service, the `[ecs]` cpu, memory, min_tasks and max_tasks.
pub fn revision_change(settings: &Settings) -> impl FnOnce(&mut Inputs) + use<> {
    let express = settings
        .ecs
        .express
        .then(|| settings.ecs.express_settings.clone());
    move |inputs: &mut Inputs| {
        let Some(express) = express else {
            return;
        };
        if let Some(cpu) = express.cpu {
            inputs.vcpu = f64::from(cpu) / 1024.0;
        }
        if let Some(memory) = express.memory {
            inputs.memory_gb = f64::from(memory) / 1024.0;
        }
        let min = express.min_tasks.map(|m| m as i32).or(inputs.min_tasks);
        let max = express.max_tasks.map(|m| m as i32).or(inputs.max_tasks);
        if let Some(min) = min {
            inputs.tasks = inputs.tasks.max(min);
        }
        if let Some(max) = max {
            inputs.tasks = inputs.tasks.min(max);
        }
        inputs.min_tasks = min;
        inputs.max_tasks = max;
    }
}

/// The service's tags: DescribeServices leaves them out unless asked, so ask
/// for them by ARN; `None` when they cannot be read.
async fn service_tags(clients: &Clients, service: &Service) -> Option<Vec<Tag>> {
    let out = clients
        .ecs
        .list_tags_for_resource()
        .resource_arn(service.service_arn()?)
        .send()
        .await
        .ok()?;
    Some(out.tags().to_vec())
}

/// The cost allocation tags missing from `tags` (or there with another value).
pub fn missing_tags(settings: &Settings, tags: &[Tag]) -> Vec<String> {
    tags::missing(settings, |key, value| {
        tags.iter()
            .any(|t| t.key() == Some(key) && t.value() == Some(value))
    })
}

/// What the service lacks for `mcp cost` to find its spend, or `None`.
pub async fn tags_lacking(
    settings: &Settings,
    clients: &Clients,
    service: &Service,
) -> Option<String> {
    let name = service.service_name().unwrap_or_default();
    let Some(tags) = service_tags(clients, service).await else {
        return Some(format!(
            "the tags of `{name}` cannot be read (ecs:ListTagsForResource)"
        ));
    };
    let missing = missing_tags(settings, &tags);
    let propagates = service.propagate_tags() == Some(&PropagateTags::Service);
    match (missing.is_empty(), propagates) {
        (true, true) => None,
        (true, false) => Some(format!(
            "`{name}` does not propagate its tags to its tasks (propagateTags is not SERVICE)"
        )),
        (false, _) => Some(format!("`{name}` lacks {}", missing.join(", "))),
    }
}

/// Tag the service for Cost Explorer and propagate its tags to its tasks, when
/// not yet so. Best effort: a deploy goes on without them, and says so.
pub async fn ensure_tags(
    settings: &Settings,
    clients: &Clients,
    printer: &Printer,
    cluster: &str,
    service: &Service,
) {
    let tags = service_tags(clients, service).await.unwrap_or_default();
    let missing = missing_tags(settings, &tags);
    let propagates = service.propagate_tags() == Some(&PropagateTags::Service);
    if missing.is_empty() && propagates {
        return;
    }
    let arn = service.service_arn().unwrap_or_default();
    if !missing.is_empty() {
        let tags: Vec<Tag> = tags::of(settings)
            .into_iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        if let Err(err) = clients
            .ecs
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags))
            .send()
            .await
        {
            printer.warn(format!(
                "the service is not tagged for cost allocation ({}): `mcp cost` cannot find its spend",
                aws::describe(&err)
            ));
            return;
        }
    }
    if !propagates
        && let Err(err) = clients
            .ecs
            .update_service()
            .cluster(cluster)
            .service(service.service_name().unwrap_or_default())
            .propagate_tags(PropagateTags::Service)
            .send()
            .await
    {
        printer.warn(format!(
            "the service's tags are not propagated to its tasks ({}): Fargate's charges will not carry them",
            aws::describe(&err)
        ));
        return;
    }
    printer.status(
        "Tagged",
        format!(
            "{} for cost allocation ({})",
            service.service_name().unwrap_or_default(),
            tags::ALL.join(", ")
        ),
    );
}
