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
use crate::ui::Printer;

/// What a destroy would remove.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    /// The Express service's ARN, when there is one to delete.
    pub service: Option<String>,
    pub url: Option<String>,
    pub log_group: Option<String>,
    pub repository: Option<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.service.is_none() && self.log_group.is_none() && self.repository.is_none()
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
        if let Some(group) = &self.log_group {
            lines.push(format!("CloudWatch log group {group} and all its logs"));
        }
        if let Some(repository) = &self.repository {
            lines.push(format!("ECR repository {repository} and all its images"));
        }
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
    let (log_group, repository) = if all_resources {
        let group_exists = clients
            .logs
            .describe_log_groups()
            .log_group_name_prefix(&log_group)
            .send()
            .await
            .map_err(|err| {
                sdk_error(
                    err,
                    "logs:DescribeLogGroups",
                    "*",
                    format!("looking up log group `{log_group}`"),
                )
            })?
            .log_groups()
            .iter()
            .any(|g| g.log_group_name() == Some(log_group.as_str()));
        let repo_exists = crate::aws::ecr::repository(&clients.ecr, repository, false)
            .await
            .is_ok();
        (
            group_exists.then_some(log_group),
            repo_exists.then(|| repository.to_string()),
        )
    } else {
        (None, None)
    };
    Ok(Plan {
        service: service.map(|_| location.arn.clone()),
        url,
        log_group,
        repository,
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
    if let Some(group) = &plan.log_group {
        match clients
            .logs
            .delete_log_group()
            .log_group_name(group)
            .send()
            .await
        {
            Ok(_) => printer.status("Deleted", format!("log group {group}")),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) => {}
            Err(err) => {
                return Err(sdk_error(
                    err,
                    "logs:DeleteLogGroup",
                    &format!(
                        "arn:aws:logs:{}:{}:log-group:{group}",
                        location.region, location.account
                    ),
                    format!("deleting log group `{group}`"),
                ));
            }
        }
    }
    if let Some(repository) = &plan.repository {
        match clients
            .ecr
            .delete_repository()
            .repository_name(repository)
            .force(true)
            .send()
            .await
        {
            Ok(_) => printer.status("Deleted", format!("ECR repository {repository}")),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_repository_not_found_exception()) => {}
            Err(err) => {
                return Err(sdk_error(
                    err,
                    "ecr:DeleteRepository",
                    &format!(
                        "arn:aws:ecr:{}:{}:repository/{repository}",
                        location.region, location.account
                    ),
                    format!("deleting ECR repository `{repository}`"),
                ));
            }
        }
    }
    Ok(())
}
