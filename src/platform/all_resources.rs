//! What `mcp destroy --all-resources` removes besides the service or the
//! function, on ECS Express and Lambda alike: the stage's CloudWatch log group
//! and its ECR repository, each only when it is there.
//!
//! Both destroys look the same way (an exact log group name, a repository
//! that can be described), list the two the same way in the plan, and remove
//! them the same way: "already gone" counts as done, so a destroy stopped
//! half-way is finished by running it again.

use anyhow::Result;
use serde::Serialize;

use crate::aws::Clients;
use crate::aws::denied::sdk_error;
use crate::aws::express::partition;
use crate::ui::Printer;

/// The log group and repository a destroy removes (`None`: kept, or not there).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AllResources {
    pub log_group: Option<String>,
    pub repository: Option<String>,
}

impl AllResources {
    /// Which of the two exist; changes nothing.
    pub async fn find(clients: &Clients, log_group: String, repository: &str) -> Result<Self> {
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
        Ok(AllResources {
            log_group: group_exists.then_some(log_group),
            repository: repo_exists.then(|| repository.to_string()),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.log_group.is_none() && self.repository.is_none()
    }

    /// One line per thing that will go, after the plan's own.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let group = self
            .log_group
            .iter()
            .map(|group| format!("CloudWatch log group {group} and all its logs"));
        let repository = self
            .repository
            .iter()
            .map(|repository| format!("ECR repository {repository} and all its images"));
        group.chain(repository)
    }

    /// Delete the log group, then the repository with its images, in
    /// `region` of `account` (which the errors' ARNs name).
    pub async fn remove(
        &self,
        clients: &Clients,
        printer: &Printer,
        region: &str,
        account: &str,
    ) -> Result<()> {
        let partition = partition(region);
        if let Some(group) = &self.log_group {
            crate::cancel::check("before deleting the log group")?;
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
                        &format!("arn:{partition}:logs:{region}:{account}:log-group:{group}"),
                        format!("deleting log group `{group}`"),
                    ));
                }
            }
        }
        if let Some(repository) = &self.repository {
            crate::cancel::check("before deleting the ECR repository")?;
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
                        &format!("arn:{partition}:ecr:{region}:{account}:repository/{repository}"),
                        format!("deleting ECR repository `{repository}`"),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_lists_the_log_group_before_the_repository_and_nothing_it_keeps() {
        let both = AllResources {
            log_group: Some("/aws/lambda/echo".into()),
            repository: Some("echo".into()),
        };
        assert_eq!(
            both.lines().collect::<Vec<_>>(),
            [
                "CloudWatch log group /aws/lambda/echo and all its logs",
                "ECR repository echo and all its images"
            ]
        );
        let kept = AllResources {
            log_group: None,
            repository: Some("echo".into()),
        };
        assert_eq!(kept.lines().count(), 1);
        assert!(!kept.is_empty());
        assert!(AllResources::default().is_empty());
    }
}
