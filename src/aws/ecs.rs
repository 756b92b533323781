//! Small ECS helpers shared by doctor, deploy and logs.

use anyhow::Result;
use aws_sdk_ecs::types::ContainerDefinition;

use crate::error::McpError;

/// The container whose image a deploy replaces: the one named in `ecs.container`;
/// otherwise the only container; otherwise the first essential one.
pub fn pick_container<'a>(
    containers: &'a [ContainerDefinition],
    wanted: Option<&str>,
    family: &str,
) -> Result<&'a ContainerDefinition> {
    let names = || {
        containers
            .iter()
            .filter_map(|c| c.name())
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(wanted) = wanted {
        return containers
            .iter()
            .find(|c| c.name() == Some(wanted))
            .ok_or_else(|| {
                McpError::usage(format!(
                    "task definition `{family}` has no container named `{wanted}`"
                ))
                .hint(format!(
                    "set `ecs.container` in mcp.toml to one of: {}",
                    names()
                ))
                .into()
            });
    }
    if let [only] = containers {
        return Ok(only);
    }
    containers
        .iter()
        .find(|c| c.essential().unwrap_or(true))
        .ok_or_else(|| {
            McpError::usage(format!(
                "task definition `{family}` has several containers and none is essential"
            ))
            .hint(format!(
                "set `ecs.container` in mcp.toml to one of: {}",
                names()
            ))
            .into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(name: &str, essential: bool) -> ContainerDefinition {
        ContainerDefinition::builder()
            .name(name)
            .essential(essential)
            .build()
    }

    #[test]
    fn named_only_and_first_essential() {
        let sidecar_first = [
            container("log-router", false),
            container("mcp", true),
            container("proxy", true),
        ];
        assert_eq!(
            pick_container(&sidecar_first, None, "f").unwrap().name(),
            Some("mcp")
        );
        assert_eq!(
            pick_container(&sidecar_first, Some("proxy"), "f")
                .unwrap()
                .name(),
            Some("proxy")
        );
        let only = [container("app", false)];
        assert_eq!(
            pick_container(&only, None, "f").unwrap().name(),
            Some("app")
        );
        let err = pick_container(&sidecar_first, Some("nope"), "f").unwrap_err();
        let mcp = err.downcast_ref::<McpError>().unwrap();
        assert!(
            mcp.hint
                .as_ref()
                .unwrap()
                .contains("`log-router`, `mcp`, `proxy`")
        );
    }
}
