//! Where the caller's resources go: the region the clients resolved and the
//! account of the credentials (`sts:GetCallerIdentity`).
//!
//! `mcp launch` and `mcp destroy` name ARNs before the resources exist (an
//! Express service, a Lambda function's role and log group), so they need
//! both up front, with the same errors whichever platform asks.

use anyhow::Result;

use super::Clients;
use super::denied::sdk_error;
use crate::error::McpError;

/// The region, else a usage error saying where to set one.
fn region(clients: &Clients) -> Result<String> {
    clients.region().map(str::to_string).ok_or_else(|| {
        McpError::usage("no AWS region configured")
            .hint("set `region = \"us-east-1\"` in mcp.toml (or the stage), pass --region, or set AWS_REGION")
            .into()
    })
}

/// The account of the credentials in use.
async fn account(clients: &Clients) -> Result<String> {
    clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|err| {
            sdk_error(
                err,
                "sts:GetCallerIdentity",
                "*",
                "finding your AWS account (check AWS_PROFILE or your credentials)",
            )
        })?
        .account()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("GetCallerIdentity returned no account"))
}

/// The region (checked first: no call is made without one), then the account.
pub async fn region_and_account(clients: &Clients) -> Result<(String, String)> {
    let region = region(clients)?;
    Ok((region, account(clients).await?))
}
