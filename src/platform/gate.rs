//! The MCP gate: a new release must speak MCP before production traffic
//! reaches it.
//!
//! Every platform that can hold a release aside asks it here: ECS pauses a
//! blue/green, canary or linear deployment at `POST_TEST_TRAFFIC_SHIFT` (the
//! PAUSE hook `mcp` adds, see `ecs_progressive::preflight`) while the test
//! listener sends its traffic to the new tasks; Lambda publishes the version
//! behind the `candidate` alias's URL before `live` moves. [`run`] checks the
//! release at that URL exactly as `mcp check` does (health path, `initialize`,
//! `tools/list`, the smoke calls and the contract the options carry, with the
//! bearer token of `deploy.auth_token_env`) and, with `deploy.expect_tools`,
//! that no named tool went missing. The caller then lets traffic in or puts
//! the release back.
//!
//! A failure to connect (the health step) is retried for [`PATIENCE`]: a load
//! balancer can take a moment to route the test listener to new targets. A
//! server that answers but fails the handshake is asked once more, after
//! [`RETRY_AFTER`], and then judged: the hook's timeout is minutes, and a
//! release that fails `initialize` twice will not pass on the tenth try.

use std::time::Duration;

use tokio::time::Instant;

use crate::probe::{CheckReport, Options as CheckOptions};
pub use crate::release::gate::GateReport;

/// How long a release that cannot be reached at all is retried.
pub const PATIENCE: Duration = Duration::from_secs(30);
/// The pause between two attempts.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Judge one check: the check's own verdict, then the expected tools.
pub fn judge(check: CheckReport, expect_tools: &[String], attempts: u32) -> GateReport {
    let missing: Vec<String> = if check.healthy {
        expect_tools
            .iter()
            .filter(|t| !check.tools.contains(t))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let (failed_step, reason) = if !check.healthy {
        (
            check.failed_step.map(|s| s.name().to_string()),
            check.error.clone(),
        )
    } else if !missing.is_empty() {
        (
            Some("expect_tools".to_string()),
            Some(format!(
                "tools/list lacks {} named in `deploy.expect_tools` (it lists: {})",
                missing
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if check.tools.is_empty() {
                    "no tools".to_string()
                } else {
                    check.tools.join(", ")
                }
            )),
        )
    } else {
        (None, None)
    };
    GateReport {
        passed: failed_step.is_none(),
        url: check.url.clone(),
        failed_step,
        reason,
        missing_tools: missing,
        action: None,
        attempts,
        check,
    }
}

/// Check the release behind `url`, retrying as the module comment says.
/// `Err` only when the check cannot run at all (a malformed URL).
pub async fn run(
    url: &str,
    options: &CheckOptions,
    expect_tools: &[String],
) -> anyhow::Result<GateReport> {
    let deadline = Instant::now() + PATIENCE;
    let mut attempts = 0;
    let mut handshake_failures = 0;
    loop {
        attempts += 1;
        let check = crate::probe::run_check(url, options).await?;
        let report = judge(check, expect_tools, attempts);
        if report.passed {
            return Ok(report);
        }
        let unreachable = report.failed_step.as_deref() == Some("health");
        if !unreachable {
            handshake_failures += 1;
        }
        let again = if unreachable {
            Instant::now() + RETRY_AFTER < deadline
        } else {
            handshake_failures < 2
        };
        if !again {
            return Ok(report);
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy(tools: &[&str]) -> CheckReport {
        let mut check = CheckReport::new("http://lb:8080/mcp", "", false);
        check.healthy = true;
        check.tools = tools.iter().map(|t| t.to_string()).collect();
        check
    }

    // Guards the "release that silently lost a tool" case of `deploy.expect_tools`.
    #[test]
    fn a_missing_expected_tool_fails_the_gate() {
        let report = judge(healthy(&["add"]), &["echo".into(), "add".into()], 1);
        assert!(!report.passed);
        assert_eq!(report.failed_step.as_deref(), Some("expect_tools"));
        assert_eq!(report.missing_tools, ["echo"]);
        assert_eq!(
            report.reason.as_deref(),
            Some("tools/list lacks `echo` named in `deploy.expect_tools` (it lists: add)")
        );
        let report = judge(healthy(&["add", "echo"]), &["echo".into()], 1);
        assert!(report.passed, "{report}");
        assert!(
            report
                .summary()
                .starts_with("passed: the new release answers MCP")
        );
    }

    #[test]
    fn an_unhealthy_check_fails_at_its_step() {
        let mut check = CheckReport::new("http://lb:8080/mcp", "", false);
        check.healthy = false;
        check.failed_step = Some(crate::probe::Step::Initialize);
        check.error = Some("the server answered HTTP 404".into());
        let report = judge(check, &["echo".into()], 2);
        assert!(!report.passed);
        assert_eq!(report.failed_step.as_deref(), Some("initialize"));
        assert!(
            report.missing_tools.is_empty(),
            "not judged without tools/list"
        );
        assert_eq!(
            report.summary(),
            "failed at initialize: the server answered HTTP 404"
        );
    }

    #[tokio::test]
    async fn a_server_that_is_not_mcp_is_judged_after_one_retry() {
        // A plain HTTP server on loopback: GET /healthz 200, everything else 404.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]);
                    let response = if head.starts_with("GET /healthz") {
                        "HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n"
                    } else {
                        "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    };
                    let _ = socket.write_all(response.as_bytes()).await;
                });
            }
        });
        let started = std::time::Instant::now();
        let report = run(
            &format!("http://127.0.0.1:{port}/mcp"),
            &CheckOptions::plain("/healthz"),
            &[],
        )
        .await
        .unwrap();
        assert!(!report.passed);
        assert_eq!(
            report.failed_step.as_deref(),
            Some("initialize"),
            "{report}"
        );
        assert_eq!(report.attempts, 2);
        assert!(
            started.elapsed() < PATIENCE,
            "judged without waiting out the patience"
        );
    }
}
