//! The Lambda target (`target = "lambda"`, [`Lambda`]): an AWS Lambda
//! function runs the server's image with the Lambda Web Adapter, and clients
//! call the function URL of its `live` alias.
//!
//! A release is a published version. A deploy points `$LATEST` at the new
//! image (digest pinned), waits for Lambda to accept it, publishes a version,
//! moves the `candidate` alias onto it and runs the MCP gate on the
//! candidate's own function URL ([`release`]); only a version that passes
//! gets `live`, at once or after a canary bake with routing weights. A
//! rollback moves `live` back: no code of a published version is ever
//! touched, so it takes seconds. The aliases and their URLs are created when
//! missing (and said so); the function itself is `mcp launch`'s to make.
//!
//! - [`deploy`]: prepare (image, configuration) and roll out;
//! - [`release`]: the gate, the canary, moving `live`;
//! - [`rollback`], [`status`] (and history), [`logs`], [`doctor`];
//! - [`launch`] and [`destroy`] (with the execution [`role`]), [`cost`].

pub mod cost;
pub mod deploy;
pub mod destroy;
pub mod doctor;
pub mod launch;
pub mod logs;
pub mod release;
pub mod role;
pub mod rollback;
pub mod status;

use anyhow::Result;
use futures_util::future::BoxFuture;

use super::{DeployRequest, LogsRequest, Platform, Prepared, RollbackRequest, Status};
use crate::aws::Clients;
use crate::config::{FILE_NAME, Settings};
use crate::error::{ExitStatus, McpError};
use crate::release::Report;
use crate::release::build::BuildMemo;
use crate::ui::{Output, Printer};

pub use crate::config::{LAMBDA_CANDIDATE_ALIAS as CANDIDATE, LAMBDA_LIVE_ALIAS as LIVE};

/// A function behind the function URLs of its `live` and `candidate` aliases.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lambda;

impl Platform for Lambda {
    fn name(&self) -> &'static str {
        "Lambda"
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
        Box::pin(rollback::rollback(settings, printer, request))
    }

    fn status<'a>(
        &'a self,
        settings: &'a Settings,
        printer: &'a Printer,
        _wait: bool,
    ) -> BoxFuture<'a, Result<Status>> {
        Box::pin(status::status(settings, printer))
    }

    fn history<'a>(
        &'a self,
        settings: &'a Settings,
        _printer: &'a Printer,
        limit: usize,
    ) -> BoxFuture<'a, Result<Output>> {
        Box::pin(status::history(settings, limit))
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
        _printer: &'a Printer,
        _count: i32,
        _wait: bool,
    ) -> BoxFuture<'a, Result<Output>> {
        let function = settings.lambda.function.clone();
        Box::pin(async move {
            Err(McpError::usage(format!(
                "`mcp scale` sets an ECS service's task count; Lambda function `{function}` scales with its requests"
            ))
            .hint(format!(
                "cap it with `[lambda] reserved_concurrency = N` (0 takes it offline) or keep instances warm with `provisioned_concurrency` in {FILE_NAME}, then `mcp deploy`"
            ))
            .into())
        })
    }

    fn down<'a>(
        &'a self,
        settings: &'a Settings,
        _printer: &'a Printer,
    ) -> BoxFuture<'a, Result<Output>> {
        let function = settings.lambda.function.clone();
        Box::pin(async move {
            Err(McpError::usage(format!(
                "`mcp down` removes local releases; Lambda function `{function}` costs nothing while it is not called"
            ))
            .hint("`mcp destroy` removes a function `mcp launch` made; `[lambda] reserved_concurrency = 0` and `mcp deploy` stop it answering")
            .into())
        })
    }
}

/// The function, or an error that says how to make it.
pub async fn function(
    clients: &Clients,
    settings: &Settings,
) -> Result<crate::aws::lambda::Function> {
    let name = &settings.lambda.function;
    crate::aws::lambda::get_function(&clients.lambda, name, None)
        .await?
        .ok_or_else(|| {
            McpError::usage(format!(
                "no Lambda function `{name}` in {}",
                clients.region().unwrap_or("this region")
            ))
            .hint(format!(
                "`mcp launch{}` creates it (and its role and aliases); or set `[lambda] function` in {FILE_NAME} to the function to deploy to",
                settings
                    .stage
                    .as_deref()
                    .map(|s| format!(" --stage {s}"))
                    .unwrap_or_default()
            ))
            .into()
        })
}

/// The MCP endpoint on an alias's function URL: `deploy.url`'s path (`/mcp` by default).
pub fn endpoint(settings: &Settings, function_url: &str) -> String {
    let path = settings
        .deploy
        .url
        .as_deref()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .map(|u| u.path().to_string())
        .filter(|p| p != "/")
        .unwrap_or_else(|| "/mcp".to_string());
    format!("{}{path}", function_url.trim_end_matches('/'))
}

/// `deploy.url`, else the `live` alias's function URL with `/mcp`: where
/// clients (and `mcp check`) reach the stage. `None` before the first deploy.
pub async fn live_url(clients: &Clients, settings: &Settings) -> Result<Option<String>> {
    if let Some(url) = &settings.deploy.url {
        return Ok(Some(url.clone()));
    }
    let url = crate::aws::lambda::get_url(&clients.lambda, &settings.lambda.function, LIVE).await?;
    Ok(url.map(|u| endpoint(settings, &u.url)))
}

/// `NAME:VERSION`, how reports name a release.
pub fn revision(settings: &Settings, version: &str) -> String {
    format!("{}:{version}", settings.lambda.function)
}
