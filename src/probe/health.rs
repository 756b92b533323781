//! The first step: GET `deploy.health_path` on the endpoint's origin answers 2xx.
//! It runs without the bearer token: a health check needs none, and sending
//! it to another origin (`health_path` may be a full URL) would leak it.

use std::time::{Duration, Instant};

use reqwest::Url;

use super::{CheckReport, Step, chain, scrub};

pub(super) async fn check(report: &mut CheckReport, health: &Url, timeout: Duration) -> bool {
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
    let hint_path = format!(
        "check that the server answers GET {} with a 2xx; set `deploy.health_path` in mcp.toml if it checks health elsewhere",
        health.path()
    );
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
            let hint = if e.is_timeout() {
                format!(
                    "no answer within {}s; is the server up and reachable from here?",
                    timeout.as_secs()
                )
            } else {
                "is the server running, and is the URL's host and port right? (`deploy.url` or --url)".to_string()
            };
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
