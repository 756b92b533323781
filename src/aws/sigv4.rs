//! AWS Signature Version 4 for Lambda function URLs with `AuthType AWS_IAM`:
//! the [`Sign`] the MCP check uses on such a stage (`lambda.url_auth`).
//!
//! A function URL with IAM auth answers 403 to a request that is not signed
//! for service `lambda` in the function's region by a principal allowed
//! `lambda:InvokeFunctionUrl`. The check signs as the AWS CLI would: the
//! credentials of the SDK configuration `mcp` uses for everything else
//! (`--profile`, `AWS_PROFILE`, SSO, a role), resolved once per check, and
//! the region of that configuration. Temporary credentials add
//! `X-Amz-Security-Token`. The body's SHA-256 is part of the signature
//! (Lambda does not need `x-amz-content-sha256`, and it is not sent).
//!
//! The signing itself is the `aws-sigv4` crate's, the same code the SDK
//! signs its own calls with. Nothing here logs a credential: `Debug` shows
//! the region alone, the headers added are
//! marked sensitive, and the session token is handed to the probe to scrub
//! from anything a server echoes.

use std::fmt;
use std::time::SystemTime;

use anyhow::Result;
use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use reqwest::header::{HeaderName, HeaderValue};

use super::error::{CredentialsFault, Fault, explain};
use crate::error::McpError;
use crate::probe::Sign;

/// The service name function URLs are signed for.
pub const SERVICE: &str = "lambda";

/// Signs the MCP check's requests to a function URL (see the module docs).
pub struct FunctionUrlSigner {
    identity: Identity,
    session_token: Option<String>,
    region: String,
}

impl fmt::Debug for FunctionUrlSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionUrlSigner")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl FunctionUrlSigner {
    /// The caller's credentials and region from `config`, resolved now.
    /// `profile` (`--profile`) names the profile in an error.
    pub async fn resolve(config: &SdkConfig, profile: Option<&str>) -> Result<Self> {
        let context = "signing the MCP check's requests to the function URL (`lambda.url_auth = \"AWS_IAM\"`)";
        let Some(region) = config.region() else {
            return Err(McpError::new(format!(
                "no AWS region to sign for: {context}"
            ))
            .hint("set `region` in mcp.toml, pass `--region`, or set `AWS_REGION`: the signature names the function's region")
            .into());
        };
        let Some(provider) = config.credentials_provider() else {
            return Err(McpError::new(format!("no AWS credentials: {context}"))
                .hint(
                    "run `aws configure`, or choose a profile with `AWS_PROFILE` (or `--profile`)",
                )
                .into());
        };
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| credentials_error(e, profile, context))?;
        Ok(FunctionUrlSigner::new(credentials, region.as_ref()))
    }

    /// A signer with these credentials (tests, and callers that resolved them).
    pub fn new(credentials: aws_credential_types::Credentials, region: &str) -> Self {
        FunctionUrlSigner {
            session_token: credentials.session_token().map(str::to_string),
            identity: credentials.into(),
            region: region.to_string(),
        }
    }

    /// The signature's headers for `request` at `time`.
    fn headers(
        &self,
        request: &reqwest::Request,
        time: SystemTime,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
        let body: &[u8] = match request.body() {
            None => &[],
            Some(body) => body
                .as_bytes()
                .ok_or("a streamed request body cannot be signed")?,
        };
        // Headers that are not text are left out of the signature (they
        // are sent unsigned; the probe sends none).
        let headers = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
        let signable = SignableRequest::new(
            request.method().as_str(),
            request.url().as_str(),
            headers,
            SignableBody::Bytes(body),
        )
        .map_err(|e| format!("the request cannot be signed: {e}"))?;
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(SERVICE)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| format!("the request cannot be signed: {e}"))?
            .into();
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| format!("the request cannot be signed: {e}"))?
            .into_parts();
        let (headers, _params) = instructions.into_parts();
        headers
            .into_iter()
            .map(|header| {
                let name = HeaderName::from_static(header.name());
                let mut value = HeaderValue::from_str(header.value()).map_err(|_| {
                    format!("the signature's `{}` header is not text", header.name())
                })?;
                value.set_sensitive(header.sensitive() || name == reqwest::header::AUTHORIZATION);
                Ok((name, value))
            })
            .collect()
    }
}

impl Sign for FunctionUrlSigner {
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), String> {
        for (name, value) in self.headers(request, SystemTime::now())? {
            request.headers_mut().insert(name, value);
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "signing requests with SigV4 for `{SERVICE}` in {} with the caller's AWS credentials (not shown)",
            self.region
        )
    }

    fn refused_hint(&self) -> String {
        format!(
            "the function URL (`AuthType AWS_IAM`) refused the signed request: the caller needs `lambda:InvokeFunctionUrl` (and, for URLs made since October 2025, `lambda:InvokeFunction`) on the function or its alias, and the function must be in {} (the region signed for); `aws sts get-caller-identity` shows who signs",
            self.region
        )
    }

    fn secrets(&self) -> Vec<String> {
        self.session_token.iter().cloned().collect()
    }
}

/// A credentials error in a person's words, with what to do: the SDK's
/// error stays in the chain below it.
fn credentials_error(err: CredentialsError, profile: Option<&str>, context: &str) -> anyhow::Error {
    let known = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<CredentialsFault>());
    let profile = known.and_then(|k| k.profile.as_deref()).or(profile);
    let fault = match (&err, known.is_some_and(|k| k.sso)) {
        (_, true) => Fault::SsoSession,
        (CredentialsError::CredentialsNotLoaded(_), false) => Fault::NoCredentials,
        _ => Fault::CredentialsFailed,
    };
    let mut explained = explain(fault, profile)
        .unwrap_or_else(|| McpError::new("the AWS credentials could not be loaded"));
    explained.message = format!("{}, for {context}", explained.message);
    anyhow::Error::new(err).context(explained)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE-session-token";

    fn signer(token: Option<&str>) -> FunctionUrlSigner {
        let credentials = aws_credential_types::Credentials::new(
            "AKIDEXAMPLE",
            SECRET,
            token.map(str::to_string),
            None,
            "test",
        );
        FunctionUrlSigner::new(credentials, "eu-west-1")
    }

    fn post() -> reqwest::Request {
        reqwest::Client::new()
            .post("http://127.0.0.1:5123/mcp")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
            .build()
            .unwrap()
    }

    /// 2026-01-01T00:00:00Z.
    fn time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    /// Guards issue 29: the signature is the one botocore's `SigV4Auth`
    /// computes for the same request (service `lambda`, the body hashed, the
    /// session token signed), as the testbed's simulator and AWS verify it.
    #[test]
    fn the_signature_is_the_one_botocore_computes() {
        let headers = signer(Some(TOKEN)).headers(&post(), time()).unwrap();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.to_str().unwrap().to_string())
                .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
        };
        assert_eq!(get("x-amz-date"), "20260101T000000Z");
        assert_eq!(get("x-amz-security-token"), TOKEN);
        let authorization = get("authorization");
        assert!(
            authorization.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/lambda/aws4_request, SignedHeaders="
            ),
            "{authorization}"
        );
        assert!(
            authorization.ends_with(BOTOCORE_SIGNATURE),
            "{authorization}"
        );
        assert!(
            headers
                .iter()
                .all(|(n, v)| n != "authorization" || v.is_sensitive())
        );
    }

    /// What botocore's `SigV4Auth("lambda", "eu-west-1")` gives the request
    /// of [`the_signature_is_the_one_botocore_computes`] at that time, signing
    /// accept, content-type, host, mcp-protocol-version, x-amz-date and
    /// x-amz-security-token (computed once with botocore, as the simulator
    /// verifies: `canonical_request` then `signature`).
    const BOTOCORE_SIGNATURE: &str = "SignedHeaders=accept;content-type;host;mcp-protocol-version;x-amz-date;x-amz-security-token, Signature=e75afd8aa06a9d9a6d36e0bd1057ab9d74b7400e81e8900a5503b7923bee9be7";

    #[test]
    fn another_body_or_no_token_signs_differently() {
        let with_token = signer(Some(TOKEN)).headers(&post(), time()).unwrap();
        let without = signer(None).headers(&post(), time()).unwrap();
        assert!(without.iter().all(|(n, _)| n != "x-amz-security-token"));
        let mut other = post();
        *other.body_mut() = Some(r#"{"jsonrpc":"2.0","id":2}"#.into());
        let changed = signer(None).headers(&other, time()).unwrap();
        let auth = |h: &[(HeaderName, HeaderValue)]| {
            h.iter()
                .find(|(n, _)| n == "authorization")
                .unwrap()
                .1
                .clone()
        };
        assert_ne!(auth(&with_token), auth(&without));
        assert_ne!(auth(&without), auth(&changed));
    }

    #[test]
    fn no_credential_in_debug_or_describe_and_the_token_is_scrubbed() {
        let signer = signer(Some(TOKEN));
        let shown = format!("{signer:?} {} {}", signer.describe(), signer.refused_hint());
        assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("AKIDEXAMPLE"), "{shown}");
        assert_eq!(signer.secrets(), vec![TOKEN.to_string()]);
        let mut request = post();
        signer.sign(&mut request).unwrap();
        assert!(request.headers().contains_key("authorization"));
        assert!(!format!("{request:?}").contains(TOKEN));
    }
}
