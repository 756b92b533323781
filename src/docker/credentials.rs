//! Which registry an image comes from, and what `docker login` stored for it.
//!
//! The Docker engine pulls with the credentials its client sends along: the
//! `docker` CLI reads them from `~/.docker/config.json` for every pull and
//! build, and `mcp`, talking to the engine's API itself, must do the same or
//! a pull from a private registry fails where `docker build` works. This
//! module knows the two things that need no AWS: the registry host of an
//! image reference (as [`ImageRef::parse`] reads it; none is Docker Hub), and the `auths`
//! entries of the Docker configuration (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`): `auth` (base64 `user:password`) or
//! `username` + `password`. Credential helpers (`credsStore`, `credHelpers`)
//! and identity tokens are not read; [`DockerConfigLogin::helper`] says when
//! the file names a helper for the registry, so an error can say so. ECR
//! registries get their login from ECR (`release::registry_login`), which is
//! what `aws ecr get-login-password | docker login` would have stored.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::engine::RegistryAuth;
use crate::release::image::ImageRef;

/// Docker Hub's registry, as references and `docker login` name it.
pub const DOCKER_HUB: &str = "docker.io";
/// The key `docker login` files Docker Hub's login under.
const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// The registry host of an image reference (`docker.io` for `busybox`,
/// `ghcr.io` for `ghcr.io/o/i:1`, `127.0.0.1:443` for `127.0.0.1:443/r:1`).
pub fn registry_host(reference: &str) -> String {
    ImageRef::parse(reference)
        .registry
        .map_or_else(|| DOCKER_HUB.to_string(), |host| canonical_host(&host))
}

/// A registry host as BuildKit names it, as references name it
/// (`registry-1.docker.io`, where Docker Hub's images are, is `docker.io`).
pub fn canonical_host(host: &str) -> String {
    match host {
        "registry-1.docker.io" | "index.docker.io" => DOCKER_HUB.to_string(),
        host => host.to_string(),
    }
}

/// The region of an ECR private registry host
/// (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`, or the dual-stack
/// `<account>.dkr-ecr[-fips].<region>.on.aws`); `None` for any other host.
pub fn ecr_region(host: &str) -> Option<String> {
    let (account, rest) = host.split_once('.')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (service, rest) = rest.split_once('.')?;
    if !matches!(service, "dkr" | "dkr-ecr" | "dkr-ecr-fips") {
        return None;
    }
    let rest = if service == "dkr" {
        let (ecr, rest) = rest.split_once('.')?;
        if !matches!(ecr, "ecr" | "ecr-fips") {
            return None;
        }
        rest
    } else {
        rest
    };
    let (region, domain) = rest.split_once('.')?;
    let known = if service == "dkr" {
        matches!(domain, "amazonaws.com" | "amazonaws.com.cn")
    } else {
        domain == "on.aws"
    };
    let valid = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (known && valid).then(|| region.to_string())
}

/// What the Docker configuration holds for one registry.
#[derive(Debug, Default)]
pub struct DockerConfigLogin {
    /// The file read (or that would have been), for messages.
    pub path: PathBuf,
    /// An `auths` entry with a user and password.
    pub auth: Option<RegistryAuth>,
    /// The credential helper the file names for this registry (`credHelpers`,
    /// else `credsStore`), which `mcp` does not run.
    pub helper: Option<String>,
}

/// The Docker configuration file: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn docker_config_path() -> PathBuf {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("config.json"),
        _ => dirs::home_dir()
            .unwrap_or_default()
            .join(".docker")
            .join("config.json"),
    }
}

/// What `docker login` stored for `host`; a missing file holds nothing.
pub fn docker_config_login(host: &str) -> Result<DockerConfigLogin> {
    let path = docker_config_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(DockerConfigLogin {
                path,
                ..Default::default()
            });
        }
        Err(err) => {
            return Err(err).with_context(|| {
                format!(
                    "reading registry logins from {} (set DOCKER_CONFIG to another folder, or fix its permissions)",
                    path.display()
                )
            });
        }
    };
    let login = login_in(&text, host).with_context(|| {
        format!(
            "reading registry logins from {}: it is not the JSON `docker login` writes",
            path.display()
        )
    })?;
    Ok(DockerConfigLogin { path, ..login })
}

/// The login for `host` in the text of a Docker configuration file.
fn login_in(text: &str, host: &str) -> Result<DockerConfigLogin> {
    let config: serde_json::Value = serde_json::from_str(text)?;
    let helper = config["credHelpers"][host]
        .as_str()
        .or(config["credsStore"].as_str())
        .filter(|h| !h.is_empty())
        .map(str::to_string);
    let entry = config["auths"].as_object().and_then(|auths| {
        auths
            .iter()
            .find(|(key, _)| normalise_key(key) == host)
            .map(|(_, entry)| entry)
    });
    let auth = match entry {
        Some(entry) => credentials_of(entry, host)?,
        None => None,
    };
    Ok(DockerConfigLogin {
        path: PathBuf::new(),
        auth,
        helper,
    })
}

/// An `auths` key as a registry host, as the Docker CLI reads it
/// (`https://ghcr.io/v1/` is `ghcr.io`; Docker Hub's URL is `docker.io`).
fn normalise_key(key: &str) -> String {
    let bare = key
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = bare.split('/').next().unwrap_or(bare);
    if key == DOCKER_HUB_KEY || matches!(host, "index.docker.io" | "registry-1.docker.io") {
        DOCKER_HUB.to_string()
    } else {
        host.to_string()
    }
}

fn credentials_of(entry: &serde_json::Value, host: &str) -> Result<Option<RegistryAuth>> {
    let (username, password) = match entry["auth"].as_str().filter(|a| !a.is_empty()) {
        Some(encoded) => {
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .with_context(|| {
                    format!("the `auth` of `auths.\"{host}\"` is not base64 `user:password`")
                })?;
            let (user, password) = decoded.split_once(':').with_context(|| {
                format!("the `auth` of `auths.\"{host}\"` has no `:` between user and password")
            })?;
            (user.to_string(), password.to_string())
        }
        None => match (entry["username"].as_str(), entry["password"].as_str()) {
            (Some(user), Some(password)) => (user.to_string(), password.to_string()),
            // An identity token alone (or an empty entry a helper fills): not read.
            _ => return Ok(None),
        },
    };
    Ok(Some(RegistryAuth {
        username,
        password,
        serveraddress: if host == DOCKER_HUB {
            DOCKER_HUB_KEY.to_string()
        } else {
            host.to_string()
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_hosts_follow_dockers_rules() {
        assert_eq!(registry_host("busybox"), "docker.io");
        assert_eq!(registry_host("library/busybox:1"), "docker.io");
        assert_eq!(
            registry_host("mcp-testbed/lambda-adapter:latest"),
            "docker.io"
        );
        assert_eq!(registry_host("ghcr.io/o/i:1"), "ghcr.io");
        assert_eq!(registry_host("127.0.0.1:443/r@sha256:ab"), "127.0.0.1:443");
        assert_eq!(registry_host("localhost/r"), "localhost");
        assert_eq!(
            registry_host("index.docker.io/library/busybox"),
            "docker.io"
        );
        assert_eq!(registry_host("registry-1.docker.io/o/i:1"), "docker.io");
        assert_eq!(
            registry_host("public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1"),
            "public.ecr.aws"
        );
    }

    #[test]
    fn ecr_hosts_give_their_region_and_others_none() {
        let region = |h| ecr_region(h);
        assert_eq!(
            region("123456789012.dkr.ecr.us-east-1.amazonaws.com").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            region("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(
            region("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn").as_deref(),
            Some("cn-north-1")
        );
        assert_eq!(
            region("123456789012.dkr-ecr.eu-west-1.on.aws").as_deref(),
            Some("eu-west-1")
        );
        for other in [
            "public.ecr.aws",
            "ghcr.io",
            "12345678901.dkr.ecr.us-east-1.amazonaws.com",
            "123456789012.dkr.ecr.us-east-1.example.com",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io",
            "docker.io",
        ] {
            assert_eq!(region(other), None, "{other}");
        }
    }

    #[test]
    fn logins_are_found_under_any_spelling_of_the_registry() {
        let text = r#"{
            "auths": {
                "https://index.docker.io/v1/": {"auth": "dXNlcjpodWIlcGFzcw=="},
                "https://ghcr.io/v2/": {"username": "me", "password": "pw:with:colons"},
                "registry.example.com": {"auth": "YTpi"},
                "helped.example.com": {}
            },
            "credHelpers": {"helped.example.com": "secretservice"}
        }"#;
        let hub = login_in(text, "docker.io").unwrap().auth.unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("user", "hub%pass")
        );
        assert_eq!(hub.serveraddress, DOCKER_HUB_KEY);
        let ghcr = login_in(text, "ghcr.io").unwrap().auth.unwrap();
        assert_eq!(
            (ghcr.username.as_str(), ghcr.password.as_str()),
            ("me", "pw:with:colons")
        );
        assert_eq!(ghcr.serveraddress, "ghcr.io");
        let plain = login_in(text, "registry.example.com").unwrap();
        assert_eq!(plain.auth.unwrap().password, "b");
        assert_eq!(plain.helper, None);
        let helped = login_in(text, "helped.example.com").unwrap();
        assert!(helped.auth.is_none());
        assert_eq!(helped.helper.as_deref(), Some("secretservice"));
        assert!(login_in(text, "quay.io").unwrap().auth.is_none());
    }

    #[test]
    fn a_global_store_is_named_and_a_broken_entry_is_an_error() {
        let store = login_in(r#"{"credsStore": "desktop"}"#, "ghcr.io").unwrap();
        assert_eq!(store.helper.as_deref(), Some("desktop"));
        let err = login_in(
            r#"{"auths": {"ghcr.io": {"auth": "bm9jb2xvbg=="}}}"#,
            "ghcr.io",
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("no `:`"), "{err:#}");
        // Never the password in the message.
        let err = login_in(r#"{"auths": {"ghcr.io": {"auth": "%%%"}}}"#, "ghcr.io").unwrap_err();
        assert!(format!("{err:#}").contains("auths.\"ghcr.io\""), "{err:#}");
        assert!(login_in("not json", "ghcr.io").is_err());
    }
}
