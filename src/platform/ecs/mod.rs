//! ECS services updated by a rolling deployment ([`EcsRolling`]).
//!
//! A deploy registers a new task-definition revision and calls
//! `UpdateService`; that only starts a deployment, and ECS may take minutes to
//! replace the tasks, or give up and roll back on its own. [`follow`] watches
//! one deployment, by id, to its end and reports what happened as events;
//! [`rollout`] sees a started deployment through and applies the rollback
//! policy; [`tail`] shows the new tasks' logs meanwhile. The other modules are
//! one per operation of the [`Platform`] seam.

pub mod alb;
pub mod batch;
pub mod cost;
pub mod deploy;
pub mod follow;
pub mod history;
pub mod logs;
pub mod restart;
pub mod rollback;
pub mod rollout;
pub mod scale;
pub mod status;
pub mod tail;

use anyhow::Result;
use futures_util::future::BoxFuture;

use super::{
    DeployRequest, LogsRequest, Platform, Prepared, RestartRequest, RollbackRequest, Status,
};
use crate::aws::Clients;
use crate::config::Settings;
use crate::error::{ExitStatus, McpError};
use crate::release::Report;
use crate::release::build::BuildMemo;
use crate::ui::{Output, Printer};

/// An ECS service, deployed by rolling update.
#[derive(Debug, Clone, Copy, Default)]
pub struct EcsRolling;

impl Platform for EcsRolling {
    fn name(&self) -> &'static str {
        "ECS"
    }

    fn prepare<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a DeployRequest,
        builds: &'a BuildMemo,
    ) -> BoxFuture<'a, Result<Prepared>> {
        Box::pin(deploy::prepare(settings, printer, request, builds))
    }

    fn rollback<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a RollbackRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        Box::pin(rollback::rollback(
            settings,
            printer,
            request,
            &rollout::UpdateService,
        ))
    }

    fn restart<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a RestartRequest,
    ) -> BoxFuture<'a, Result<Report>> {
        Box::pin(restart::restart(settings, printer, request))
    }

    fn status<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        wait: bool,
    ) -> BoxFuture<'a, Result<Status>> {
        Box::pin(async move {
            let (status, exit) = status::status(settings, printer, wait).await?;
            Ok(Status {
                summary: status.summary(),
                output: Output::new(status),
                exit,
            })
        })
    }

    fn history<'a>(
        &'a self,
        settings: &'a Settings,
        _printer: &'a Printer,
        limit: usize,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(async move {
            let clients = Clients::new(settings).await;
            Ok(Output::new(
                history::releases(settings, &clients, limit).await?,
            ))
        })
    }

    fn logs<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        request: &'a LogsRequest,
    ) -> BoxFuture<'a, Result<ExitStatus>> {
        Box::pin(logs::logs(settings, printer, request))
    }

    fn scale<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        count: i32,
        wait: bool,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(async move {
            Ok(Output::new(
                scale::scale(settings, printer, count, wait).await?,
            ))
        })
    }

    fn down<'a>(
        &'a self,
        _settings: &'a Settings,
        _printer: &'a Printer,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(async {
            Err(McpError::usage(
                "`mcp down` removes local containers; this stage deploys to ECS",
            )
            .hint("select the local stage (`--stage local`), or scale an ECS service to 0 with `mcp scale`")
            .into())
        })
    }
}
