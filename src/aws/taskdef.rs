//! A new task-definition revision made from the live one.
//!
//! Every field is copied except the read-only ones ECS fills in itself (ARN,
//! revision, status, requiresAttributes, compatibilities, registeredAt/By,
//! deregisteredAt); only the deployed container's image changes, and `[env]`
//! and `[secrets]` are merged into it (declared keys win). Two things are
//! dropped: a plain `environment` entry named like a declared secret (a value
//! moved to `[secrets]` must not live on in plain text in every new revision),
//! and a reference `mcp secrets rm` removed. The SDK's types are `#[non_exhaustive]`, so a field added by a
//! newer SDK cannot be caught at compile time: [`register_request`] names every
//! field known today, and an SDK upgrade must review it.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{Context, Result};
use aws_sdk_ecs::operation::register_task_definition::builders::RegisterTaskDefinitionFluentBuilder;
use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair, Secret, Tag, TaskDefinition};
use serde::Serialize;

/// One change a new revision makes, for `--dry-run` and the deploy summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Change {
    Image {
        from: String,
        to: String,
    },
    Env {
        name: String,
        from: Option<String>,
        to: String,
    },
    /// Secrets are references (ARNs); values never pass through `mcp`.
    Secret {
        name: String,
        from: Option<String>,
        to: String,
    },
    /// A plain `environment` entry dropped because `[secrets]` declares the
    /// same name. Its value is never shown: it is the secret, in plain text.
    EnvRemoved {
        name: String,
    },
    /// A secret `mcp secrets` stored (under `secrets_prefix`) that mcp.toml no longer declares.
    SecretRemoved {
        name: String,
        from: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Image { from, to } => write!(f, "image: {from}\n     → {to}"),
            Change::Env {
                name,
                from: None,
                to,
            } => write!(f, "env {name}: (new) {to:?}"),
            Change::Env {
                name,
                from: Some(from),
                to,
            } => write!(f, "env {name}: {from:?} → {to:?}"),
            Change::EnvRemoved { name } => write!(
                f,
                "env {name}: removed (declared in [secrets]; the plain-text value leaves the task definition)"
            ),
            Change::Secret {
                name,
                from: None,
                to,
            } => write!(f, "secret {name}: (new) valueFrom {to}"),
            Change::Secret {
                name,
                from: Some(from),
                to,
            } => write!(f, "secret {name}: valueFrom {from} → {to}"),
            Change::SecretRemoved { name, from } => {
                write!(f, "secret {name}: removed (was valueFrom {from})")
            }
        }
    }
}

/// The deployed container with the new image, env and secrets; and what changed.
pub fn updated_container(
    container: &ContainerDefinition,
    image: &str,
    env: &BTreeMap<String, String>,
    secrets: &BTreeMap<String, String>,
    managed_prefix: Option<&str>,
) -> (ContainerDefinition, Vec<Change>) {
    let mut changes = Vec::new();
    let old_image = container.image().unwrap_or_default().to_string();
    if old_image != image {
        changes.push(Change::Image {
            from: old_image,
            to: image.to_string(),
        });
    }

    let mut environment: Vec<KeyValuePair> = container.environment().to_vec();
    // A name now declared in `[secrets]`: ECS would inject the secret, but the
    // old plain-text copy would stay readable in this and every later revision.
    environment.retain(|kv| {
        let name = kv.name().unwrap_or_default();
        let moved = secrets.contains_key(name);
        if moved {
            changes.push(Change::EnvRemoved {
                name: name.to_string(),
            });
        }
        !moved
    });
    for (name, value) in env {
        match environment
            .iter_mut()
            .find(|kv| kv.name() == Some(name.as_str()))
        {
            Some(existing) if existing.value() == Some(value.as_str()) => {}
            Some(existing) => {
                changes.push(Change::Env {
                    name: name.clone(),
                    from: existing.value().map(str::to_string),
                    to: value.clone(),
                });
                *existing = KeyValuePair::builder().name(name).value(value).build();
            }
            None => {
                changes.push(Change::Env {
                    name: name.clone(),
                    from: None,
                    to: value.clone(),
                });
                environment.push(KeyValuePair::builder().name(name).value(value).build());
            }
        }
    }

    let mut all_secrets: Vec<Secret> = container.secrets().to_vec();
    // Secrets `mcp secrets set` stored for this service and that mcp.toml no
    // longer declares (`mcp secrets rm`) go; anyone else's stay.
    if let Some(prefix) = managed_prefix {
        let marker = format!(":secret:{prefix}");
        all_secrets.retain(|s| {
            let managed = s.value_from().contains(&marker) && !secrets.contains_key(s.name());
            if managed {
                changes.push(Change::SecretRemoved {
                    name: s.name().to_string(),
                    from: s.value_from().to_string(),
                });
            }
            !managed
        });
    }
    for (name, arn) in secrets {
        match all_secrets.iter_mut().find(|s| s.name() == name) {
            Some(existing) if existing.value_from() == arn => {}
            Some(existing) => {
                changes.push(Change::Secret {
                    name: name.clone(),
                    from: Some(existing.value_from().to_string()),
                    to: arn.clone(),
                });
                *existing = secret(name, arn);
            }
            None => {
                changes.push(Change::Secret {
                    name: name.clone(),
                    from: None,
                    to: arn.clone(),
                });
                all_secrets.push(secret(name, arn));
            }
        }
    }

    let mut updated = container.clone();
    updated.image = Some(image.to_string());
    updated.environment = (!environment.is_empty()).then_some(environment);
    updated.secrets = (!all_secrets.is_empty()).then_some(all_secrets);
    (updated, changes)
}

fn secret(name: &str, arn: &str) -> Secret {
    Secret::builder()
        .name(name)
        .value_from(arn)
        .build()
        .expect("name and valueFrom are set")
}

/// Copy every writable field of `current` into a RegisterTaskDefinition call,
/// with `containers` replacing its container definitions and `tags` as its tags.
pub fn register_request(
    mut request: RegisterTaskDefinitionFluentBuilder,
    current: &TaskDefinition,
    containers: Vec<ContainerDefinition>,
    tags: Vec<Tag>,
) -> Result<RegisterTaskDefinitionFluentBuilder> {
    // Every field known today, read-only ones ignored by name.
    let TaskDefinition {
        task_definition_arn: _,
        container_definitions: _,
        family,
        task_role_arn,
        execution_role_arn,
        network_mode,
        revision: _,
        volumes,
        status: _,
        requires_attributes: _,
        placement_constraints,
        compatibilities: _,
        runtime_platform,
        requires_compatibilities,
        cpu,
        memory,
        // Elastic Inference is retired; ECS rejects it on new revisions.
        inference_accelerators: _,
        pid_mode,
        ipc_mode,
        proxy_configuration,
        registered_at: _,
        deregistered_at: _,
        registered_by: _,
        ephemeral_storage,
        enable_fault_injection,
        ..
    } = current.clone();
    let family = family.context("the live task definition has no family")?;
    request = request
        .family(family)
        .set_container_definitions(Some(containers))
        .set_task_role_arn(task_role_arn)
        .set_execution_role_arn(execution_role_arn)
        .set_network_mode(network_mode)
        .set_volumes(volumes)
        .set_placement_constraints(placement_constraints)
        .set_runtime_platform(runtime_platform)
        .set_requires_compatibilities(requires_compatibilities)
        .set_cpu(cpu)
        .set_memory(memory)
        .set_pid_mode(pid_mode)
        .set_ipc_mode(ipc_mode)
        .set_proxy_configuration(proxy_configuration)
        .set_ephemeral_storage(ephemeral_storage)
        .set_enable_fault_injection(enable_fault_injection);
    if !tags.is_empty() {
        request = request.set_tags(Some(tags));
    }
    Ok(request)
}

/// A task definition with its tags, as DescribeTaskDefinition returns them.
pub struct Described {
    pub definition: TaskDefinition,
    pub tags: Vec<Tag>,
}

impl Described {
    /// The value of tag `key`.
    pub fn tag(&self, key: &str) -> Option<String> {
        self.tags
            .iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value())
            .map(str::to_string)
    }
}

/// DescribeTaskDefinition with tags, with the error naming the revision.
pub async fn describe(ecs: &aws_sdk_ecs::Client, arn: &str) -> Result<Described> {
    let out = ecs
        .describe_task_definition()
        .task_definition(arn)
        .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
        .send()
        .await
        .map_err(super::error)
        .with_context(|| format!("reading task definition `{}`", short_name(arn)))?;
    let definition = out
        .task_definition()
        .cloned()
        .context("DescribeTaskDefinition returned no task definition")?;
    Ok(Described {
        definition,
        tags: out.tags().to_vec(),
    })
}

/// The live revision's tags with ours on top.
pub fn merged_tags(existing: &[Tag], ours: &[(&str, String)]) -> Vec<Tag> {
    let mut tags: BTreeMap<String, String> = existing
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    for (key, value) in ours {
        // ECS tag values allow up to 256 characters.
        tags.insert((*key).to_string(), value.chars().take(256).collect());
    }
    tags.into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// `family:revision` from an ARN or a `family:revision` string.
pub fn short_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The revision number from a task-definition ARN.
pub fn revision_of(arn: &str) -> Option<i32> {
    short_name(arn).rsplit(':').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::tags::GIT_SHA as TAG_GIT_SHA;

    fn live() -> ContainerDefinition {
        ContainerDefinition::builder()
            .name("mcp")
            .image("old:1")
            .environment(
                KeyValuePair::builder()
                    .name("LOG_LEVEL")
                    .value("INFO")
                    .build(),
            )
            .environment(KeyValuePair::builder().name("KEEP").value("me").build())
            .secrets(secret("JWT_SECRET", "arn:old"))
            .cpu(128)
            .build()
    }

    #[test]
    fn declared_keys_win_and_nothing_else_is_dropped() {
        let env = BTreeMap::from([
            ("LOG_LEVEL".to_string(), "DEBUG".to_string()),
            ("NEW".to_string(), "1".to_string()),
        ]);
        let secrets = BTreeMap::from([("API_KEY".to_string(), "arn:api".to_string())]);
        let (updated, changes) = updated_container(&live(), "new@sha256:1", &env, &secrets, None);
        assert_eq!(updated.image(), Some("new@sha256:1"));
        assert_eq!(updated.cpu(), 128, "other fields are kept");
        let env: Vec<(&str, &str)> = updated
            .environment()
            .iter()
            .map(|kv| (kv.name().unwrap(), kv.value().unwrap()))
            .collect();
        assert_eq!(env, [("LOG_LEVEL", "DEBUG"), ("KEEP", "me"), ("NEW", "1")]);
        let secrets: Vec<(&str, &str)> = updated
            .secrets()
            .iter()
            .map(|s| (s.name(), s.value_from()))
            .collect();
        assert_eq!(secrets, [("JWT_SECRET", "arn:old"), ("API_KEY", "arn:api")]);
        assert_eq!(changes.len(), 4);
        assert!(matches!(&changes[0], Change::Image { .. }));
    }

    /// Guards `mcp secrets rm`: its reference must leave the next revision too,
    /// or new tasks would fail on a deleted secret.
    #[test]
    fn undeclared_secrets_under_the_managed_prefix_are_removed() {
        let arn = "arn:aws:secretsmanager:us-east-1:1:secret:/default/mcp/svc/OLD-AbCd";
        let container = ContainerDefinition::builder()
            .name("mcp")
            .image("x")
            .secrets(secret("OLD", arn))
            .secrets(secret(
                "OTHERS",
                "arn:aws:secretsmanager:us-east-1:1:secret:/team/db-XyZ",
            ))
            .build();
        let (updated, changes) = updated_container(
            &container,
            "x",
            &BTreeMap::new(),
            &BTreeMap::new(),
            Some("/default/mcp/svc/"),
        );
        let names: Vec<&str> = updated.secrets().iter().map(|s| s.name()).collect();
        assert_eq!(names, ["OTHERS"]);
        assert_eq!(
            changes,
            [Change::SecretRemoved {
                name: "OLD".into(),
                from: arn.into()
            }]
        );
    }

    /// Guards issue 16 item 3: a value moved from `environment` to `[secrets]`
    /// must leave the plain-text list of the new revision, and the plan must
    /// say so without showing the value.
    #[test]
    fn a_plain_entry_named_like_a_declared_secret_is_dropped() {
        let container = ContainerDefinition::builder()
            .name("mcp")
            .image("x")
            .environment(
                KeyValuePair::builder()
                    .name("API_KEY")
                    .value("sk-plain-text")
                    .build(),
            )
            .environment(KeyValuePair::builder().name("KEEP").value("me").build())
            .build();
        let secrets = BTreeMap::from([("API_KEY".to_string(), "arn:api".to_string())]);
        let (updated, changes) =
            updated_container(&container, "x", &BTreeMap::new(), &secrets, None);
        let env: Vec<&str> = updated
            .environment()
            .iter()
            .filter_map(|kv| kv.name())
            .collect();
        assert_eq!(env, ["KEEP"]);
        let names: Vec<&str> = updated.secrets().iter().map(|s| s.name()).collect();
        assert_eq!(names, ["API_KEY"]);
        assert_eq!(
            changes[0],
            Change::EnvRemoved {
                name: "API_KEY".into()
            }
        );
        let shown = format!(
            "{} {}",
            changes[0],
            serde_json::to_string(&changes).unwrap()
        );
        assert!(shown.contains("env API_KEY: removed"), "{shown}");
        assert!(!shown.contains("sk-plain-text"), "{shown}");
    }

    #[test]
    fn unchanged_values_are_not_changes() {
        let env = BTreeMap::from([("LOG_LEVEL".to_string(), "INFO".to_string())]);
        let (_, changes) = updated_container(&live(), "old:1", &env, &BTreeMap::new(), None);
        assert!(changes.is_empty());
    }

    #[test]
    fn names_and_revisions() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/quilt-mcp:42";
        assert_eq!(short_name(arn), "quilt-mcp:42");
        assert_eq!(revision_of(arn), Some(42));
    }

    #[test]
    fn our_tags_override_and_others_stay() {
        let existing = [
            Tag::builder().key("team").value("sales").build(),
            Tag::builder().key(TAG_GIT_SHA).value("old").build(),
        ];
        let tags = merged_tags(&existing, &[(TAG_GIT_SHA, "abc".into())]);
        let pairs: Vec<(&str, &str)> = tags
            .iter()
            .map(|t| (t.key().unwrap(), t.value().unwrap()))
            .collect();
        assert_eq!(pairs, [(TAG_GIT_SHA, "abc"), ("team", "sales")]);
    }
}
