//! One image reference type, `[registry/]repository[:tag][@digest]`, parsed
//! once where an image enters `mcp` (a task definition, a container label,
//! `--image`, a push) and carried structured from then on: nothing formats a
//! reference to a string to take it apart again.
//!
//! Two ways in. [`ImageRef::parse`] takes whatever a task definition or a
//! label holds and never fails: it reads the parts the way Docker does (the
//! first path component is a registry when it has a `.` or a `:`, or is
//! `localhost`). [`ImageRef::parse_pinned`] is for `--image`: it wants a
//! registry and a tag or a well-formed `sha256:` digest, and says what to write
//! when it does not get them. Both print back exactly what they read.

use std::fmt;

use anyhow::Result;
use serde::{Serialize, Serializer};

use crate::error::McpError;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `123456789012.dkr.ecr.us-east-1.amazonaws.com`, `localhost:5000`, … (none for `mcp:abc`).
    pub registry: Option<String>,
    /// The path in the registry: `team/mcp`.
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:…`
    pub digest: Option<String>,
}

impl ImageRef {
    /// Read any reference as Docker would; never fails.
    pub fn parse(text: &str) -> Self {
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (text, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_string()), path)
            }
            _ => (None, rest),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repository, tag)) if !tag.contains('/') => {
                (repository.to_string(), Some(tag.to_string()))
            }
            _ => (path.to_string(), None),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// `--image`: a reference in a registry, by tag or by digest.
    pub fn parse_pinned(uri: &str) -> Result<Self> {
        let bad = || {
            McpError::usage(format!("`{uri}` is not an image reference"))
                .hint("expected REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:…, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-mcp:abc123")
        };
        let image = ImageRef::parse(uri);
        let digest_ok = image
            .digest
            .as_deref()
            .is_none_or(|d| d.starts_with("sha256:") && d.len() == 71);
        if !digest_ok
            || image.registry.is_none()
            || image.repository.is_empty()
            || (image.tag.is_none() && image.digest.is_none())
        {
            return Err(bad().into());
        }
        Ok(image)
    }

    /// `name` (`[registry/]repository`, as a repository URI or an
    /// `ecr.repository` setting holds it) with `tag`.
    pub fn tagged(name: &str, tag: &str) -> Self {
        ImageRef {
            tag: Some(tag.to_string()),
            ..ImageRef::parse(name)
        }
    }

    /// The same image, pinned to `digest`.
    pub fn with_digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }

    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        match &self.registry {
            Some(registry) => format!("{registry}/{}", self.repository),
            None => self.repository.clone(),
        }
    }

    /// `(account, region)` when the registry is an ECR registry.
    pub fn ecr(&self) -> Option<(&str, &str)> {
        let mut parts = self.registry.as_deref()?.split('.');
        let account = parts.next()?;
        let (dkr, ecr, region) = (parts.next()?, parts.next()?, parts.next()?);
        (dkr == "dkr"
            && ecr == "ecr"
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit()))
        .then_some((account, region))
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(registry) = &self.registry {
            write!(f, "{registry}/")?;
        }
        f.write_str(&self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// As the string it was read from: the JSON of every report keeps its shape.
impl Serialize for ImageRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_references_in_task_definitions() {
        let digest = format!("sha256:{}", "b".repeat(64));
        let image = ImageRef::parse(&format!("1.dkr.ecr.r.amazonaws.com/team/mcp:abc@{digest}"));
        assert_eq!(image.tag.as_deref(), Some("abc"));
        assert_eq!(image.digest.as_deref(), Some(digest.as_str()));
        assert_eq!(image.repository, "team/mcp");
        let image = ImageRef::parse("localhost:5000/mcp");
        assert_eq!((image.tag, image.digest), (None, None));
        assert_eq!(image.registry.as_deref(), Some("localhost:5000"));
        let image = ImageRef::parse("mcp:latest");
        assert_eq!(image.registry, None);
        assert_eq!(image.tag.as_deref(), Some("latest"));
    }

    #[test]
    fn references_print_back_as_they_were_read() {
        let digest = format!("sha256:{}", "c".repeat(64));
        for text in [
            "mcp:abc".to_string(),
            "localhost:5000/mcp".into(),
            "localhost/team/mcp:1".into(),
            format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/a/b:t@{digest}"),
            format!("r.example.com/mcp@{digest}"),
            "public.ecr.aws/x/y".into(),
        ] {
            assert_eq!(ImageRef::parse(&text).to_string(), text);
            assert_eq!(
                serde_json::to_value(ImageRef::parse(&text)).unwrap(),
                serde_json::Value::String(text.clone())
            );
        }
    }

    #[test]
    fn a_repository_uri_with_a_tag() {
        let uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/mcp";
        let image = ImageRef::tagged(uri, "abc").with_digest("sha256:d");
        assert_eq!(image.to_string(), format!("{uri}:abc@sha256:d"));
        assert_eq!(image.name(), uri);
        assert_eq!(
            ImageRef::tagged("localhost:5000/mcp", "1").to_string(),
            "localhost:5000/mcp:1"
        );
    }

    #[test]
    fn pinned_references_for_image_flag() {
        let r = ImageRef::parse_pinned("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/mcp:abc")
            .unwrap();
        assert_eq!(r.repository, "team/mcp");
        assert_eq!(r.tag.as_deref(), Some("abc"));
        assert_eq!(r.ecr(), Some(("123456789012", "us-east-1")));
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse_pinned(&format!("localhost:5000/mcp@{digest}")).unwrap();
        assert_eq!(r.digest.as_deref(), Some(digest.as_str()));
        assert_eq!(r.ecr(), None);
        assert!(ImageRef::parse_pinned("mcp:latest").is_err(), "no registry");
        assert!(
            ImageRef::parse_pinned("r.example.com/mcp").is_err(),
            "neither tag nor digest"
        );
        assert!(ImageRef::parse_pinned("r.example.com/mcp@sha256:short").is_err());
    }
}
