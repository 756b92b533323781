//! AWS errors as people read them.
//!
//! The SDK's own `Display` of a failed call says "dispatch failure" or
//! "service error", and its `DisplayErrorContext` ends with a multi-line
//! `Debug` dump. [`error`] turns an `SdkError` into an error chain `main`
//! renders as short `caused by:` lines: for a service error `Code: message`;
//! for the faults a person can fix ([`Fault`]: no credentials, an SSO session
//! that expired, no region, access denied, an endpoint that does not answer)
//! a sentence, the SDK's root cause, and a `hint:` (`aws configure`,
//! `AWS_PROFILE`, `aws sso login`, `mcp doctor`). The SDK's full `Debug` is kept
//! in the chain ([`Detail`]) and shown only with `-vv`.
//!
//! Faults are sorted by the error's type ([`CredentialsError`],
//! `ResolveEndpointError`, the SDK error kind) and code, never by message text.
//! Which profile is in use, and whether it signs in through SSO, is known when
//! the configuration is loaded: [`ExplainedCredentials`] wraps the provider
//! chain so that a credentials error carries it ([`CredentialsFault`]).

use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::{Detail, McpError};

/// What went wrong, as far as a person can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No provider in the chain had credentials.
    NoCredentials,
    /// An SSO profile could not give credentials (its session expired, or was never started).
    SsoSession,
    /// A configured provider failed (a profile, `credential_process`, a role to assume).
    CredentialsFailed,
    /// Credentials that AWS does not accept: expired, or not recognised.
    BadCredentials,
    /// No region (or none that names an endpoint).
    NoRegion,
    /// The identity is not allowed to make the call.
    AccessDenied,
    /// The endpoint did not answer: refused, unreachable, or timed out.
    Unreachable,
    /// Anything else: the service said no, or something unexpected.
    Other,
}

/// Codes for an identity IAM does not allow.
const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
];

/// Codes for credentials AWS does not accept.
const BAD_CREDENTIALS: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId",
];

/// Is `code` AWS saying the identity may not do this?
pub fn is_access_denied_code(code: &str) -> bool {
    ACCESS_DENIED.contains(&code)
}

/// Sort an SDK error into a [`Fault`].
pub fn fault<E, R>(err: &SdkError<E, R>) -> Fault
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) if is_access_denied_code(code) => Fault::AccessDenied,
            Some(code) if BAD_CREDENTIALS.contains(&code) => Fault::BadCredentials,
            _ => Fault::Other,
        },
        SdkError::TimeoutError(_) => Fault::Unreachable,
        SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
            Fault::Unreachable
        }
        _ => {
            // Ours first: a `CredentialsFault` sits inside the SDK's `CredentialsError`.
            if let Some(fault) = find::<CredentialsFault>(err) {
                return fault.fault();
            }
            if let Some(credentials) = find::<CredentialsError>(err) {
                return match credentials {
                    CredentialsError::CredentialsNotLoaded(_) => Fault::NoCredentials,
                    _ => Fault::CredentialsFailed,
                };
            }
            if find::<NoRegion>(err).is_some()
                || find::<aws_smithy_http::endpoint::ResolveEndpointError>(err).is_some()
            {
                return Fault::NoRegion;
            }
            Fault::Other
        }
    }
}

/// An SDK error as one readable line: `Code: message` for service errors,
/// the innermost cause otherwise (never the SDK's `Debug` dump).
pub fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug + 'static,
{
    if let Some(service) = err.as_service_error() {
        match (service.code(), service.message()) {
            (Some(code), Some(message)) => return format!("{code}: {message}"),
            (Some(code), None) => return code.to_string(),
            _ => {}
        }
    }
    root_cause(err)
}

/// The innermost message of the error's source chain, which is where the SDK
/// says what actually happened (`Connection refused`, `Missing Region`).
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(current) = cause {
        let t = current.to_string();
        if !t.is_empty() {
            text = t;
        }
        cause = current.source();
    }
    text
}

/// Turn an SDK error into an `anyhow::Error` that reads well: see the module docs.
pub fn error<E, R>(err: SdkError<E, R>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    let fault = fault(&err);
    let profile = credentials_fault(&err).and_then(|f| f.profile.clone());
    let detail = anyhow::Error::new(Detail {
        summary: describe(&err),
        debug: format!("{err:?}"),
    });
    match explain(fault, profile.as_deref()) {
        Some(mcp) => detail.context(mcp),
        None => detail,
    }
}

fn credentials_fault<E, R>(err: &SdkError<E, R>) -> Option<&CredentialsFault>
where
    E: std::error::Error + 'static,
    R: fmt::Debug + 'static,
{
    find::<CredentialsFault>(err)
}

/// The first error of type `T` in the source chain of `err`.
fn find<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cause = err.source();
    while let Some(current) = cause {
        if let Some(found) = current.downcast_ref::<T>() {
            return Some(found);
        }
        cause = current.source();
    }
    None
}

/// No region: said before the SDK gets to it, since what it says then depends
/// on the setup ("missing signing region" with `AWS_ENDPOINT_URL`, an
/// endpoint-resolution error without) and its types for it are private.
#[derive(Debug)]
pub struct NoRegion;

impl fmt::Display for NoRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the AWS configuration names no region")
    }
}

impl std::error::Error for NoRegion {}

/// An interceptor that fails a call with [`NoRegion`] before anything else
/// happens when its configuration has no region.
#[derive(Debug)]
pub struct RegionRequired;

impl Intercept for RegionRequired {
    fn name(&self) -> &'static str {
        "mcp::RegionRequired"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<aws_types::region::Region>() {
            Some(_) => Ok(()),
            None => Err(Box::new(NoRegion)),
        }
    }
}

/// The sentence and hint for a fault a person can fix.
pub fn explain(fault: Fault, profile: Option<&str>) -> Option<McpError> {
    let doctor = "`mcp doctor` checks the whole setup";
    let with_profile = |command: &str| match profile {
        Some(p) => format!("{command} --profile {p}"),
        None => command.to_string(),
    };
    let mcp = match fault {
        Fault::NoCredentials => McpError::new("no AWS credentials found").hint(format!(
            "run `aws configure`, or choose a profile with `AWS_PROFILE` (or `--profile`); {doctor}"
        )),
        Fault::SsoSession => McpError::new(match profile {
            Some(p) => format!("the AWS SSO session of profile `{p}` has expired or was never started"),
            None => "the AWS SSO session has expired or was never started".to_string(),
        })
        .hint(format!("run `{}`, then try again", with_profile("aws sso login"))),
        Fault::CredentialsFailed => McpError::new(match profile {
            Some(p) => format!("the AWS credentials of profile `{p}` could not be loaded"),
            None => "the AWS credentials could not be loaded".to_string(),
        })
        .hint(format!(
            "check the profile in ~/.aws/config (`aws configure list`), or choose another with `AWS_PROFILE`; {doctor}"
        )),
        Fault::BadCredentials => McpError::new("AWS did not accept the credentials (expired or unknown)")
            .hint(format!(
                "refresh them (`aws sso login`, or new keys with `aws configure`), or choose another profile with `AWS_PROFILE`; {doctor}"
            )),
        Fault::NoRegion => McpError::new("no AWS region to send the request to").hint(
            "set `region` in mcp.toml, pass `--region`, set `AWS_REGION`, or run `aws configure`",
        ),
        Fault::AccessDenied => McpError::new("the AWS identity is not allowed to do this")
            .hint(format!(
                "check which identity is used (`aws sts get-caller-identity`, `AWS_PROFILE`) and its IAM permissions; {doctor}"
            )),
        Fault::Unreachable => McpError::new("the AWS endpoint did not answer").hint(format!(
            "check the network, the region, and `AWS_ENDPOINT_URL` if set; {doctor}"
        )),
        Fault::Other => return None,
    };
    Some(mcp)
}

/// A credentials error with what `mcp` knows about where credentials came from.
#[derive(Debug)]
pub struct CredentialsFault {
    /// The profile in use, when one was named (`--profile`, `AWS_PROFILE`) or configured.
    pub profile: Option<String>,
    /// The profile signs in through AWS SSO (IAM Identity Center).
    pub sso: bool,
    source: CredentialsError,
}

impl CredentialsFault {
    fn fault(&self) -> Fault {
        match (&self.source, self.sso) {
            (CredentialsError::CredentialsNotLoaded(_), false) => Fault::NoCredentials,
            (_, true) => Fault::SsoSession,
            _ => Fault::CredentialsFailed,
        }
    }
}

impl fmt::Display for CredentialsFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for CredentialsFault {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.source)
    }
}

/// The credentials provider chain, with its errors explained (see the module docs).
#[derive(Debug)]
pub struct ExplainedCredentials {
    inner: SharedCredentialsProvider,
    profile: Option<String>,
    sso: bool,
}

impl ExplainedCredentials {
    pub fn new(inner: SharedCredentialsProvider, profile: Option<String>, sso: bool) -> Self {
        ExplainedCredentials {
            inner,
            profile,
            sso,
        }
    }
}

impl ProvideCredentials for ExplainedCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            self.inner.provide_credentials().await.map_err(|source| {
                let not_loaded = matches!(source, CredentialsError::CredentialsNotLoaded(_));
                let fault = CredentialsFault {
                    profile: self.profile.clone(),
                    sso: self.sso,
                    source,
                };
                // Keep the kind: the chain tries the next provider only after "not loaded".
                if not_loaded {
                    CredentialsError::not_loaded(fault)
                } else {
                    CredentialsError::provider_error(fault)
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::operation::describe_services::DescribeServicesError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    type Err = SdkError<DescribeServicesError, HttpResponse>;

    fn service(code: &str) -> Err {
        SdkError::service_error(
            DescribeServicesError::generic(
                ErrorMetadata::builder().code(code).message("nope").build(),
            ),
            HttpResponse::new(400.try_into().unwrap(), SdkBody::empty()),
        )
    }

    fn lines(err: anyhow::Error) -> Vec<String> {
        crate::ui::render::render(&err.context("describing ECS service `s`")).lines
    }

    #[test]
    fn service_errors_by_code() {
        assert_eq!(
            fault(&service("AccessDeniedException")),
            Fault::AccessDenied
        );
        assert_eq!(
            fault(&service("ExpiredTokenException")),
            Fault::BadCredentials
        );
        assert_eq!(fault(&service("ClusterNotFoundException")), Fault::Other);
        assert_eq!(
            lines(error(service("ClusterNotFoundException"))),
            [
                "error: describing ECS service `s`",
                "caused by: ClusterNotFoundException: nope"
            ]
        );
        let denied = lines(error(service("AccessDeniedException")));
        assert_eq!(
            denied[1],
            "caused by: the AWS identity is not allowed to do this"
        );
        assert_eq!(denied[2], "caused by: AccessDeniedException: nope");
        assert!(denied[3].starts_with("hint: "), "{denied:?}");
    }

    /// Guards against the SDK's `Debug` dump reaching the error lines (it did).
    #[test]
    fn a_missing_credential_is_one_short_chain_with_a_hint() {
        let not_loaded = CredentialsError::not_loaded("no providers in chain provided credentials");
        let err: Err = SdkError::dispatch_failure(ConnectorError::other(
            Box::new(CredentialsFault {
                profile: None,
                sso: false,
                source: not_loaded,
            }),
            None,
        ));
        assert_eq!(fault(&err), Fault::NoCredentials);
        let lines = lines(error(err));
        assert_eq!(
            lines[..3],
            [
                "error: describing ECS service `s`",
                "caused by: no AWS credentials found",
                "caused by: no providers in chain provided credentials",
            ]
        );
        assert!(lines[3].contains("aws configure") && lines[3].contains("AWS_PROFILE"));
        assert!(
            !lines.iter().any(|l| l.contains("DispatchFailure")),
            "{lines:?}"
        );
    }

    #[test]
    fn an_sso_profile_that_fails_asks_for_aws_sso_login() {
        let err: Err = SdkError::dispatch_failure(ConnectorError::other(
            Box::new(CredentialsFault {
                profile: Some("dev".into()),
                sso: true,
                source: CredentialsError::provider_error("the SSO token has expired"),
            }),
            None,
        ));
        assert_eq!(fault(&err), Fault::SsoSession);
        let lines = lines(error(err));
        assert!(
            lines.contains(&"hint: run `aws sso login --profile dev`, then try again".to_string()),
            "{lines:?}"
        );
    }

    #[test]
    fn a_refused_connection_names_its_root_cause() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let err: Err = SdkError::dispatch_failure(ConnectorError::io(Box::new(refused)));
        assert_eq!(fault(&err), Fault::Unreachable);
        let lines = lines(error(err));
        assert_eq!(lines[1], "caused by: the AWS endpoint did not answer");
        assert_eq!(lines[2], "caused by: connection refused");
    }
}
