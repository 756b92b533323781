//! One answer to "is this AWS error worth trying again?".
//!
//! The SDK retries on its own (standard mode, see [`super::sdk_config`]), but
//! `mcp` also keeps loops of its own going for minutes: the rollout follower
//! polls ECS, `mcp logs --follow` polls CloudWatch Logs, Live Tail reconnects.
//! Those loops back off and carry on when AWS throttles or fails for a moment,
//! and give up at once on anything else. They all ask [`is_retryable`], so
//! "throttled" means the same thing everywhere.
//!
//! An error is retryable when it is
//! - a timeout, or a connection that failed or broke (I/O);
//! - a response that could not be read;
//! - a service error the model marks retryable (`retryable_error_kind()`), or
//!   whose code is one the SDK's own retry classifier treats as throttling or
//!   transient (`aws_runtime::retries::classifiers`, the same lists, not a copy),
//!   or a modelled server error ([`SERVER_ERRORS`]);
//! - any HTTP 5xx.
//!
//! Errors are sorted by their kind, code and status, never by message text.

use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::event_stream::RawMessage;
use aws_smithy_types::retry::ProvideErrorKind;

/// Modelled "the service failed" errors of the services `mcp` calls, which AWS
/// may send with a status other than 5xx: ECS's `ServerException` (what the
/// generated `is_server_exception()` tests), CloudWatch Logs'
/// `ServiceUnavailableException`, and the generic `InternalFailure`.
pub const SERVER_ERRORS: &[&str] = &[
    "ServerException",
    "ServiceUnavailableException",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalServerError",
];

/// The raw response an [`SdkError`] carries: an HTTP response, or one message
/// of an event stream (which has no status).
pub trait RawResponse {
    /// The HTTP status, when there is one.
    fn http_status(&self) -> Option<u16>;
}

impl RawResponse for HttpResponse {
    fn http_status(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
}

impl RawResponse for RawMessage {
    fn http_status(&self) -> Option<u16> {
        None
    }
}

/// Is `code` an error code that means "slow down" or "try again"?
pub fn is_retryable_code(code: &str) -> bool {
    THROTTLING_ERRORS.contains(&code)
        || TRANSIENT_ERRORS.contains(&code)
        || SERVER_ERRORS.contains(&code)
}

/// Is `code` one of the SDK's throttling codes?
pub fn is_throttling_code(code: &str) -> bool {
    THROTTLING_ERRORS.contains(&code)
}

/// Throttled, timed out, a connection that failed, or a server error: wait and
/// try again. See the module documentation.
pub fn is_retryable<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorKind,
    R: RawResponse,
{
    match err {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(failure) => failure.is_io() || failure.is_timeout(),
        SdkError::ServiceError(service) => {
            let inner = service.err();
            inner.retryable_error_kind().is_some()
                || inner.code().is_some_and(is_retryable_code)
                || service
                    .raw()
                    .http_status()
                    .is_some_and(|status| (500..600).contains(&status))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::operation::describe_services::DescribeServicesError;
    use aws_sdk_ecs::types::error::ServerException;
    use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn response(status: u16) -> HttpResponse {
        HttpResponse::new(status.try_into().unwrap(), SdkBody::empty())
    }

    fn service(code: &str, status: u16) -> SdkError<DescribeServicesError, HttpResponse> {
        SdkError::service_error(
            DescribeServicesError::generic(ErrorMetadata::builder().code(code).build()),
            response(status),
        )
    }

    #[test]
    fn throttling_transient_and_server_errors_are_retried() {
        for code in [
            "ThrottlingException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            "RequestTimeout",
            "ServiceUnavailableException",
        ] {
            assert!(is_retryable(&service(code, 400)), "{code}");
        }
        // ECS's modelled server error, as the SDK deserializes it (the code in its metadata).
        let modelled = SdkError::service_error(
            DescribeServicesError::ServerException(
                ServerException::builder()
                    .meta(ErrorMetadata::builder().code("ServerException").build())
                    .build(),
            ),
            response(400),
        );
        assert!(is_retryable(&modelled));
        // Any 5xx, whatever its code.
        assert!(is_retryable(&service("SomethingNew", 503)));
    }

    #[test]
    fn client_errors_are_not_retried() {
        for code in [
            "AccessDeniedException",
            "ClusterNotFoundException",
            "InvalidParameterException",
            "UnrecognizedClientException",
        ] {
            assert!(!is_retryable(&service(code, 400)), "{code}");
        }
    }

    #[test]
    fn timeouts_and_io_failures_are_retried_other_dispatch_failures_are_not() {
        let io: SdkError<DescribeServicesError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io("refused".into()));
        assert!(is_retryable(&io));
        let timeout: SdkError<DescribeServicesError, HttpResponse> =
            SdkError::timeout_error("slow");
        assert!(is_retryable(&timeout));
        let other: SdkError<DescribeServicesError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other("no credentials".into(), None));
        assert!(!is_retryable(&other));
        let construction: SdkError<DescribeServicesError, HttpResponse> =
            SdkError::construction_failure("missing field");
        assert!(!is_retryable(&construction));
    }
}
