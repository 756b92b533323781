//! One `DescribeServices` call for many followers.
//!
//! `mcp deploy --all` follows every service's deployment at once. Each
//! follower polls its service about once a second; twenty of them, one
//! `DescribeServices` each, are twenty calls a second against an API whose
//! rate limit the whole account shares. `DescribeServices` takes up to ten
//! services of one cluster per call, so the followers ask [`describe`] instead
//! of calling ECS themselves: the first to ask for a cluster becomes the
//! leader, waits [`WINDOW`] for the others' requests, and makes one call per
//! ten services; everyone gets their own service's part of the answer (or the
//! call's error) at the same moment, so followers that polled together keep
//! polling together. A follow of one service costs one call per poll as
//! before, [`WINDOW`] later.
//!
//! A leader whose follow ends while it waits (cancelled, past its deadline)
//! drops the requests it held; their followers notice and ask again, and one
//! of them leads the next batch. Errors are classified once, by the follower's
//! own rules ([`super::follow`]): a throttled batch is a throttled poll for
//! every follower in it, so they all back off together.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use tokio::sync::oneshot;

/// How long a leader collects requests before calling ECS.
pub const WINDOW: Duration = Duration::from_millis(100);
/// `DescribeServices` takes at most this many services per call.
pub const MAX_SERVICES: usize = 10;

/// A failed batch, as every follower in it sees it.
#[derive(Debug, Clone)]
pub enum BatchError {
    /// Throttled or passing: back off and poll again.
    Transient(String),
    /// Waiting will not help (the first follower gets the full error chain).
    Fatal(Arc<anyhow::Error>),
}

type Answer = Result<DescribeServicesOutput, BatchError>;
type Waiter = (String, oneshot::Sender<Answer>);

/// Requests waiting for the next call, by region and cluster.
#[derive(Default)]
pub struct Batcher {
    pending: Mutex<HashMap<(String, String), Vec<Waiter>>>,
    /// `DescribeServices` calls made (for tests and the bench's figures).
    calls: std::sync::atomic::AtomicUsize,
}

/// The batcher every follower of this process shares.
pub fn shared() -> &'static Batcher {
    static SHARED: OnceLock<Batcher> = OnceLock::new();
    SHARED.get_or_init(Batcher::default)
}

impl Batcher {
    /// How many `DescribeServices` calls this batcher has made.
    pub fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `service` in `cluster` as `DescribeServices` describes it (the output
    /// holds only this service, or its failure), batched with every other
    /// request for the same cluster within [`WINDOW`]. `classify` turns an SDK
    /// error into a [`BatchError`].
    pub async fn describe(
        &self,
        ecs: &aws_sdk_ecs::Client,
        cluster: &str,
        service: &str,
        classify: impl Fn(
            aws_sdk_ecs::error::SdkError<
                aws_sdk_ecs::operation::describe_services::DescribeServicesError,
            >,
        ) -> BatchError,
    ) -> Answer {
        let region = ecs
            .config()
            .region()
            .map(|r| r.as_ref().to_string())
            .unwrap_or_default();
        let key = (region, cluster.to_string());
        loop {
            let (tx, rx) = oneshot::channel();
            let lead = {
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                let queue = pending.entry(key.clone()).or_default();
                queue.push((service.to_string(), tx));
                queue.len() == 1
            };
            if lead {
                // A leader dropped in its window (its follow hit the deadline,
                // say) takes the batch with it: the waiters ask again, and no
                // later request joins a batch that nobody leads.
                let guard = Leading {
                    batcher: self,
                    key: Some(key.clone()),
                };
                tokio::time::sleep(WINDOW).await;
                let batch = guard.take();
                self.call(ecs, cluster, batch, &classify).await;
            }
            match rx.await {
                Ok(answer) => return answer,
                // The leader went away before answering: ask again.
                Err(_) => continue,
            }
        }
    }

    /// Describe the services of `batch`, ten per call, and answer each waiter.
    async fn call(
        &self,
        ecs: &aws_sdk_ecs::Client,
        cluster: &str,
        batch: Vec<Waiter>,
        classify: &impl Fn(
            aws_sdk_ecs::error::SdkError<
                aws_sdk_ecs::operation::describe_services::DescribeServicesError,
            >,
        ) -> BatchError,
    ) {
        let mut names: Vec<String> = batch.iter().map(|(s, _)| s.clone()).collect();
        names.sort();
        names.dedup();
        let mut answers: HashMap<String, Answer> = HashMap::new();
        for chunk in names.chunks(MAX_SERVICES) {
            self.calls
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let result = ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(chunk.to_vec()))
                .send()
                .await;
            match result {
                Ok(out) => {
                    for name in chunk {
                        answers.insert(name.clone(), Ok(only(&out, name)));
                    }
                }
                Err(err) => {
                    let err = classify(err);
                    for name in chunk {
                        answers.insert(name.clone(), Err(err.clone()));
                    }
                }
            }
        }
        for (name, tx) in batch {
            if let Some(answer) = answers.get(&name) {
                // A follower that stopped waiting is no longer listening: fine.
                let _ = tx.send(answer.clone());
            }
        }
    }
}

/// The batch a leader holds until it calls ECS; dropping it drops the batch.
struct Leading<'a> {
    batcher: &'a Batcher,
    key: Option<(String, String)>,
}

impl Leading<'_> {
    fn take(mut self) -> Vec<Waiter> {
        let key = self.key.take().expect("taken once");
        self.batcher
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key)
            .unwrap_or_default()
    }
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.batcher
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
        }
    }
}

/// The part of a batched answer that concerns `name` (matched by name or ARN).
fn only(out: &DescribeServicesOutput, name: &str) -> DescribeServicesOutput {
    let matches = |n: Option<&str>, arn: Option<&str>| {
        n == Some(name)
            || arn == Some(name)
            || arn.is_some_and(|a| a.ends_with(&format!("/{name}")))
    };
    DescribeServicesOutput::builder()
        .set_services(Some(
            out.services()
                .iter()
                .filter(|s| matches(s.service_name(), s.service_arn()))
                .cloned()
                .collect(),
        ))
        .set_failures(Some(
            out.failures()
                .iter()
                .filter(|f| matches(None, f.arn()))
                .cloned()
                .collect(),
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::mock_client;
    use aws_sdk_ecs::Client;
    use aws_sdk_ecs::types::Service;
    use aws_smithy_mocks::{RuleMode, mock};

    #[tokio::test]
    async fn a_leader_dropped_in_its_window_leaves_no_batch_behind() {
        let describe = mock!(Client::describe_services).then_output(|| {
            DescribeServicesOutput::builder()
                .services(Service::builder().service_name("weather").build())
                .build()
        });
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &[&describe]);
        let batcher = Batcher::default();
        let classify = |e: aws_sdk_ecs::error::SdkError<_>| BatchError::Transient(e.to_string());
        // The first follow ends (its deadline) while it leads, within the window.
        let cut = tokio::time::timeout(
            WINDOW / 10,
            batcher.describe(&ecs, "prod", "weather", classify),
        )
        .await;
        assert!(cut.is_err(), "dropped inside the window");
        // The next poll is answered (it hung for ever behind the orphaned batch).
        let next = tokio::time::timeout(
            Duration::from_secs(30),
            batcher.describe(&ecs, "prod", "weather", classify),
        )
        .await
        .expect("answered, not stuck behind a batch nobody leads")
        .expect("described");
        assert_eq!(next.services()[0].service_name(), Some("weather"));
        assert_eq!(batcher.calls(), 1);
    }
}
