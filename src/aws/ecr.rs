//! ECR: the registry login for a push, the repository, and what it already holds.

use anyhow::{Context, Result};
use aws_sdk_ecr::types::{ImageIdentifier, ImageScanningConfiguration, ImageTagMutability};

use crate::docker::engine::RegistryAuth;
use crate::error::McpError;

/// A repository as `mcp` uses it.
#[derive(Debug, Clone)]
pub struct Repository {
    pub name: String,
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`
    pub uri: String,
}

impl Repository {
    /// The registry host part of the URI.
    pub fn registry(&self) -> &str {
        self.uri.split('/').next().unwrap_or(&self.uri)
    }
}

/// Credentials for one push: `GetAuthorizationToken`, decoded. Held in memory only.
pub async fn registry_auth(ecr: &aws_sdk_ecr::Client) -> Result<RegistryAuth> {
    use base64::Engine as _;
    let out = ecr.get_authorization_token().send().await.map_err(|err| {
        // Only a refusal gets the permission hint; no credentials, no region
        // or no network keep the hint `aws::error` gives them.
        let denied = super::error::fault(&err) == super::error::Fault::AccessDenied;
        let err =
            super::error(err).context("getting a registry login from ECR (GetAuthorizationToken)");
        if denied {
            err.context(
                McpError::new("ECR refused to hand out a registry login (GetAuthorizationToken)")
                    .hint("check that your credentials allow ecr:GetAuthorizationToken"),
            )
        } else {
            err
        }
    })?;
    let data = out
        .authorization_data()
        .first()
        .context("GetAuthorizationToken returned no authorization data")?;
    let token = data
        .authorization_token()
        .context("GetAuthorizationToken returned no token")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .context("ECR's authorization token is not base64 `user:password`")?;
    let (username, password) = decoded
        .split_once(':')
        .context("ECR's authorization token has no `:`")?;
    let endpoint = data.proxy_endpoint().unwrap_or_default();
    Ok(RegistryAuth {
        username: username.to_string(),
        password: password.to_string(),
        serveraddress: endpoint.trim_start_matches("https://").to_string(),
    })
}

/// The repository, created (scan on push, immutable tags) when missing and `create` is set.
pub async fn repository(
    ecr: &aws_sdk_ecr::Client,
    name: &str,
    create: bool,
) -> Result<(Repository, bool)> {
    match ecr
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
    {
        Ok(out) => {
            let repo = out
                .repositories()
                .first()
                .context("DescribeRepositories returned no repository")?;
            let uri = repo.repository_uri().context("the repository has no URI")?;
            Ok((
                Repository {
                    name: name.to_string(),
                    uri: uri.to_string(),
                },
                false,
            ))
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_repository_not_found_exception()) =>
        {
            if !create {
                return Err(McpError::new(format!("ECR repository `{name}` does not exist"))
                    .hint("set `ecr.create = true` in mcp.toml to create it, or point `ecr.repository` at an existing one")
                    .into());
            }
            let out = ecr
                .create_repository()
                .repository_name(name)
                .image_tag_mutability(ImageTagMutability::Immutable)
                .image_scanning_configuration(
                    ImageScanningConfiguration::builder()
                        .scan_on_push(true)
                        .build(),
                )
                .send()
                .await
                .map_err(super::error)
                .with_context(|| format!("creating ECR repository `{name}`"))?;
            let uri = out
                .repository()
                .and_then(|r| r.repository_uri())
                .context("the new repository has no URI")?;
            Ok((
                Repository {
                    name: name.to_string(),
                    uri: uri.to_string(),
                },
                true,
            ))
        }
        Err(err) => {
            Err(super::error(err)).with_context(|| format!("looking up ECR repository `{name}`"))
        }
    }
}

/// The digest of `tag` in the repository, if it holds that tag.
pub async fn tag_digest(
    ecr: &aws_sdk_ecr::Client,
    repository: &str,
    tag: &str,
) -> Result<Option<String>> {
    let out = ecr
        .batch_get_image()
        .repository_name(repository)
        .image_ids(ImageIdentifier::builder().image_tag(tag).build())
        .send()
        .await
        .map_err(super::error)
        .with_context(|| format!("looking up `{repository}:{tag}` in ECR"))?;
    Ok(out
        .images()
        .first()
        .and_then(|i| i.image_id())
        .and_then(|id| id.image_digest())
        .map(str::to_string))
}

/// Whether the repository holds an image with this digest.
pub async fn has_digest(ecr: &aws_sdk_ecr::Client, repository: &str, digest: &str) -> Result<bool> {
    let out = ecr
        .batch_get_image()
        .repository_name(repository)
        .image_ids(ImageIdentifier::builder().image_digest(digest).build())
        .send()
        .await
        .map_err(super::error)
        .with_context(|| format!("looking up `{repository}@{digest}` in ECR"))?;
    Ok(!out.images().is_empty())
}
