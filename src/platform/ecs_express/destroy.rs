//! Taking a launched service away: the Express service, and on request what
//! `mcp launch` made for it alone (its log group and ECR repository).
//!
//! The IAM roles stay: they carry no per-service state, and every other
//! Express service in the account may run with them.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::Location;
use crate::aws::denied::sdk_error;
use crate::aws::{Clients, express};
use crate::error::McpError;
use crate::platform::all_resources::AllResources;
use crate::ui::Printer;

/// What a destroy would remove.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    /// The Express service's ARN, when there is one to delete.
    pub service: Option<String>,
    pub url: Option<String>,
    /// With `--all-resources`: its log group and ECR repository.
    #[serde(flatten)]
    pub all: AllResources,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.service.is_none() && self.all.is_empty()
    }

    /// One line per thing that will go.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(service) = &self.service {
            lines.push(format!(
                "Express service {service}{}",
                self.url
                    .as_ref()
                    .map(|u| format!(" (answering at {u})"))
                    .unwrap_or_default()
            ));
        }
        lines.extend(self.all.lines());
        lines
    }
}

/// Look at what there is to remove; changes nothing.
pub async fn plan(
    clients: &Clients,
    location: &Location,
    repository: &str,
    all_resources: bool,
) -> Result<Plan> {
    let service = express::describe(&clients.ecs, &location.region, &location.arn)
        .await?
        .filter(|s| express::status(s) == "ACTIVE");
    let url = service
        .as_ref()
        .and_then(express::endpoint)
        .map(|e| express::mcp_url(&e));
    let log_group = service
        .as_ref()
        .and_then(super::deploy::current_logs)
        .map(|l| l.log_group().to_string())
        .unwrap_or_else(|| location.log_group());
    let all = if all_resources {
        AllResources::find(clients, log_group, repository).await?
    } else {
        AllResources::default()
    };
    Ok(Plan {
        service: service.map(|_| location.arn.clone()),
        url,
        all,
    })
}

/// Remove what the plan names; waits (bounded) until the service is INACTIVE.
pub async fn execute(
    clients: &Clients,
    printer: &Printer,
    location: &Location,
    plan: &Plan,
    timeout: Duration,
) -> Result<()> {
    if let Some(arn) = &plan.service {
        match clients
            .ecs
            .delete_express_gateway_service()
            .service_arn(arn)
            .send()
            .await
        {
            Ok(_) => {}
            // Someone else deleted it meanwhile: what we wanted.
            Err(err)
                if err.as_service_error().is_some_and(|e| {
                    e.is_service_not_found_exception() || e.is_service_not_active_exception()
                }) => {}
            Err(err) => {
                return Err(sdk_error(
                    err,
                    "ecs:DeleteExpressGatewayService",
                    arn,
                    format!("deleting Express service `{}`", location.service),
                ));
            }
        }
        printer.status(
            "Deleting",
            format!("{} (its tasks drain)", location.service),
        );
        let deadline = Instant::now() + timeout;
        loop {
            let status = express::describe(&clients.ecs, &location.region, arn)
                .await?
                .map(|s| express::status(&s).to_string());
            if matches!(status.as_deref(), None | Some("INACTIVE")) {
                break;
            }
            if Instant::now() >= deadline {
                return Err(McpError::new(format!(
                    "Express service `{}` is still {} after {}s",
                    location.service,
                    status.as_deref().unwrap_or("?"),
                    timeout.as_secs()
                ))
                .hint("ECS carries on deleting it; `mcp destroy` again waits for it")
                .into());
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        printer.status("Deleted", format!("Express service {}", location.service));
    }
    plan.all
        .remove(clients, printer, &location.region, &location.account)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards `mcp destroy -o json`: the log group and repository, shared
    /// with Lambda in `AllResources`, keep their keys beside the service's.
    #[test]
    fn the_plan_keeps_its_json_keys() {
        let plan = Plan {
            service: None,
            url: None,
            all: AllResources {
                log_group: None,
                repository: Some("echo".into()),
            },
        };
        let json = serde_json::to_value(&plan).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["service", "url", "log_group", "repository"]);
        assert_eq!(json["repository"], "echo");
    }
}
