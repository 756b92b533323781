//! The first step: GET `deploy.health_path` on the endpoint's origin answers 2xx.
//! It runs without the bearer token: a health check needs none, and sending
//! it to another origin (`health_path` may be a full URL) would leak it.
//! On the endpoint's origin it is signed when the check signs (a function
//! URL with `AuthType AWS_IAM` refuses an unsigned GET as any other).

use std::time::{Duration, Instant};

use reqwest::Url;

use super::sign::Sign;
use super::wire::{Failure, same_origin, send, signed_client};
use super::{CheckReport, Options, Secret, Step, chain, scrub};

pub(super) async fn check(
    report: &mut CheckReport,
    health: &Url,
    endpoint: &Url,
    options: &Options,
    secret: &Secret,
) -> bool {
    let timeout = options.timeout;
    let signer = options
        .signer
        .as_deref()
        .filter(|_| same_origin(health, endpoint));
    if let Some(signer) = signer {
        return signed(report, health, endpoint, timeout, signer, secret).await;
    }
    let started = Instant::now();
    let client = match reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            report.fail(Step::Health, started, scrub(&chain(&e), None), None);
            return false;
        }
    };
    let hint_path = hint_path(health);
    match client.get(health.clone()).send().await {
        Ok(response) if response.status().is_success() => {
            report.pass(
                Step::Health,
                started,
                format!("GET {health} answered {}", response.status()),
            );
            true
        }
        Ok(response) => {
            report.fail(
                Step::Health,
                started,
                format!("GET {health} answered {}", response.status()),
                Some(hint_path),
            );
            false
        }
        Err(e) => {
            let hint = unreachable_hint(e.is_timeout(), timeout);
            report.fail(
                Step::Health,
                started,
                scrub(&format!("GET {health}: {}", chain(&e)), None),
                Some(hint),
            );
            false
        }
    }
}

/// The health GET signed, on the endpoint's origin; a 403 is the signature
/// refused, and says so.
async fn signed(
    report: &mut CheckReport,
    health: &Url,
    endpoint: &Url,
    timeout: Duration,
    signer: &dyn Sign,
    secret: &Secret,
) -> bool {
    let started = Instant::now();
    let request = signed_client(health, timeout).and_then(|client| {
        Ok((
            client.get(health.clone()).build().map_err(|e| chain(&e))?,
            client,
        ))
    });
    let (request, client) = match request {
        Ok(built) => built,
        Err(e) => {
            report.fail(Step::Health, started, secret.scrub(&e), None);
            return false;
        }
    };
    let sent = tokio::time::timeout(timeout, send(&client, request, Some(signer), endpoint));
    match sent.await {
        Ok(Ok(response)) if response.status().is_success() => {
            report.pass(
                Step::Health,
                started,
                format!("GET {health} (signed) answered {}", response.status()),
            );
            true
        }
        Ok(Ok(response)) => {
            let hint = if response.status() == reqwest::StatusCode::FORBIDDEN {
                signer.refused_hint()
            } else {
                hint_path(health)
            };
            report.fail(
                Step::Health,
                started,
                format!("GET {health} (signed) answered {}", response.status()),
                Some(hint),
            );
            false
        }
        Ok(Err(failure)) => {
            let hint = match failure {
                Failure::Timeout => unreachable_hint(true, timeout),
                Failure::Redirect(_) | Failure::Protocol(_) => hint_path(health),
                Failure::Unreachable(_) => unreachable_hint(false, timeout),
            };
            report.fail(
                Step::Health,
                started,
                secret.scrub(&format!("GET {health}: {failure}")),
                Some(hint),
            );
            false
        }
        Err(_) => {
            report.fail(
                Step::Health,
                started,
                format!("GET {health}: no answer in time"),
                Some(unreachable_hint(true, timeout)),
            );
            false
        }
    }
}

fn hint_path(health: &Url) -> String {
    format!(
        "check that the server answers GET {} with a 2xx; set `deploy.health_path` in mcp.toml if it checks health elsewhere",
        health.path()
    )
}

fn unreachable_hint(timed_out: bool, timeout: Duration) -> String {
    if timed_out {
        format!(
            "no answer within {}s; is the server up and reachable from here?",
            timeout.as_secs()
        )
    } else {
        "is the server running, and is the URL's host and port right? (`deploy.url` or --url)"
            .to_string()
    }
}
