//! The registry login sent with a pull that a build needs (the Lambda Web
//! Adapter image; through the BuildKit session, the images a Dockerfile's
//! `FROM` names), as `docker` would have it after a `docker login`.
//!
//! An ECR private registry (`<account>.dkr.ecr.<region>.amazonaws.com`, which
//! the testbed's registry also is) gets ECR's authorization token for the
//! caller's AWS credentials, from that registry's region: what `aws ecr
//! get-login-password --region <region> | docker login` stores. Any other
//! registry gets its `auths` entry of the Docker configuration
//! ([`crate::docker::credentials`]); with none, the pull goes without a login.
//! The token is asked for only when a pull needs it, so `mcp build` still needs
//! no AWS access when every image is local or public. A login is held in
//! memory for one request and never printed: only where it came from is
//! ([`Login::describe`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use aws_config::Region;

use crate::config::Settings;
use crate::docker::credentials;
use crate::docker::engine::RegistryAuth;
use crate::docker::session::Logins;

/// Where a login came from.
#[derive(Debug)]
pub enum LoginFrom {
    /// ECR's authorization token, for the registry's region.
    Ecr { region: String },
    /// An `auths` entry of the Docker configuration file.
    DockerConfig(PathBuf),
    /// Nothing: the pull goes anonymous. `helper` is a credential helper the
    /// file names for the registry, which `mcp` does not run; `broken` why the
    /// file could not be read (as `docker`, a build goes on without it).
    None {
        path: PathBuf,
        helper: Option<String>,
        broken: Option<String>,
    },
}

/// The login for one registry.
#[derive(Debug)]
pub struct Login {
    pub host: String,
    pub auth: Option<RegistryAuth>,
    pub from: LoginFrom,
}

impl Login {
    /// Where the login came from, for status lines and errors (never the secret).
    pub fn describe(&self) -> String {
        match &self.from {
            LoginFrom::Ecr { region } => {
                format!("the ECR login of your AWS credentials ({region})")
            }
            LoginFrom::DockerConfig(path) => format!("the `docker login` in {}", path.display()),
            LoginFrom::None { .. } => "no login".to_string(),
        }
    }

    /// What to do when the registry refused a pull made with this login.
    pub fn refused_hint(&self) -> String {
        let host = &self.host;
        match &self.from {
            LoginFrom::Ecr { region } => format!(
                "check that your AWS credentials (AWS_PROFILE, `--profile`) allow ecr:GetAuthorizationToken in {region}, and ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository (a repository of another account also needs its repository policy to allow them)"
            ),
            LoginFrom::DockerConfig(path) => format!(
                "the login for {host} in {} was refused: run `docker login {host}` again",
                path.display()
            ),
            LoginFrom::None {
                path,
                helper,
                broken,
            } => {
                let helper = match (helper, broken) {
                    (_, Some(broken)) => format!(" (no login was read: {broken})"),
                    (Some(helper), None) => format!(
                        " ({} names the credential helper `{helper}`, which mcp does not run: it reads only `auths` entries with a user and password)",
                        path.display()
                    ),
                    (None, None) => String::new(),
                };
                format!(
                    "run `docker login {host}` (mcp sends the login it stores under `auths` in {}){helper}, or `docker pull` the image into this engine first",
                    path.display()
                )
            }
        }
    }
}

/// The login for pulls from `host`; `why` says what the pull is for, in the
/// context of an error getting the ECR token.
pub async fn for_host(settings: &Settings, host: &str, why: &str) -> Result<Login> {
    if let Some(region) = credentials::ecr_region(host) {
        let config = crate::aws::sdk_config(settings).await;
        let ecr = aws_sdk_ecr::Client::from_conf(
            aws_sdk_ecr::config::Builder::from(&config)
                .region(Region::new(region.clone()))
                .build(),
        );
        let auth = crate::aws::ecr::registry_auth(&ecr)
            .await
            .with_context(|| format!("getting the ECR login for {host} to pull {why}"))?;
        return Ok(Login {
            host: host.to_string(),
            auth: Some(RegistryAuth {
                serveraddress: host.to_string(),
                ..auth
            }),
            from: LoginFrom::Ecr { region },
        });
    }
    // A file `docker` cannot read either makes no login, not a failed build:
    // an image the engine holds or a public one needs none.
    let stored = match credentials::docker_config_login(host) {
        Ok(stored) => stored,
        Err(err) => {
            return Ok(Login {
                host: host.to_string(),
                auth: None,
                from: LoginFrom::None {
                    path: credentials::docker_config_path(),
                    helper: None,
                    broken: Some(format!("{err:#}")),
                },
            });
        }
    };
    Ok(match stored.auth {
        Some(auth) => Login {
            host: host.to_string(),
            auth: Some(auth),
            from: LoginFrom::DockerConfig(stored.path),
        },
        None => Login {
            host: host.to_string(),
            auth: None,
            from: LoginFrom::None {
                path: stored.path,
                helper: stored.helper,
                broken: None,
            },
        },
    })
}

/// The logins a build's BuildKit session hands out: asked for when BuildKit
/// pulls from a registry, each host's kept for the rest of the build.
pub fn logins(settings: &Settings) -> Logins {
    type Known = BTreeMap<String, Option<RegistryAuth>>;
    let settings = Arc::new(settings.clone());
    let known: Arc<tokio::sync::Mutex<Known>> = Arc::default();
    Arc::new(move |host: String| {
        let (settings, known) = (settings.clone(), known.clone());
        Box::pin(async move {
            let host = credentials::canonical_host(&host);
            let mut known = known.lock().await;
            if let Some(auth) = known.get(&host) {
                return Ok(auth.clone());
            }
            let login = for_host(&settings, &host, "an image of the build")
                .await
                .map_err(|err| format!("mcp: {err:#}"))?;
            known.insert(host, login.auth.clone());
            Ok(login.auth)
        })
    })
}

/// Whether an engine's pull error says the registry wanted (other) credentials.
pub fn is_refused(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "unauthorized",
        "authentication required",
        "no basic auth credentials",
        "denied",
        "forbidden",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_from_other_failures() {
        for refused in [
            "Head \"https://r/v2/a/manifests/1\": no basic auth credentials",
            "unauthorized: authentication required",
            "pull access denied for x, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
        ] {
            assert!(is_refused(refused), "{refused}");
        }
        assert!(!is_refused("manifest unknown: manifest unknown"));
        assert!(!is_refused("dial tcp: lookup r: no such host"));
    }

    #[test]
    fn hints_name_the_registry_and_never_a_secret() {
        let login = Login {
            host: "ghcr.io".into(),
            auth: Some(RegistryAuth {
                username: "me".into(),
                password: "hunter2".into(),
                serveraddress: "ghcr.io".into(),
            }),
            from: LoginFrom::DockerConfig("/h/.docker/config.json".into()),
        };
        let hint = login.refused_hint();
        assert!(hint.contains("docker login ghcr.io"), "{hint}");
        assert!(!hint.contains("hunter2") && !login.describe().contains("hunter2"));
        assert!(!format!("{login:?}").contains("hunter2"));
        let none = Login {
            host: "ghcr.io".into(),
            auth: None,
            from: LoginFrom::None {
                path: "/h/.docker/config.json".into(),
                helper: Some("desktop".into()),
                broken: None,
            },
        };
        assert!(none.refused_hint().contains("credential helper `desktop`"));
        let broken = Login {
            host: "ghcr.io".into(),
            auth: None,
            from: LoginFrom::None {
                path: "/h/.docker/config.json".into(),
                helper: None,
                broken: Some("reading registry logins from /h/.docker/config.json: it is not the JSON `docker login` writes".into()),
            },
        };
        let hint = broken.refused_hint();
        assert!(
            hint.contains("docker login ghcr.io") && hint.contains("not the JSON"),
            "{hint}"
        );
    }
}
