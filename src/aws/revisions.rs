//! The revisions of a task-definition family: listed newest first, described
//! in parallel (bounded), or searched until the first one that fits.
//!
//! `mcp history` shows the newest N revisions: [`describe_all`] keeps at most
//! [`CONCURRENCY`] DescribeTaskDefinition calls in flight (ECS allows about 20
//! a second with bursts; 8 stays well inside that while a page of 50 takes a
//! few round trips instead of 50). `mcp rollback` wants only the newest earlier
//! release that completed, which is usually the one just before the live one:
//! [`describe_until`] describes in growing batches (1, 2, 4, then 8 at a time)
//! and stops at the first batch that holds a match, so the common case costs
//! one or two calls instead of fifty.

use anyhow::{Context, Result};
use aws_sdk_ecs::types::SortOrder;
use futures_util::{StreamExt, TryStreamExt};

use super::taskdef::{self, Described};

/// DescribeTaskDefinition calls in flight at most.
pub const CONCURRENCY: usize = 8;

/// The ARNs of the newest `limit` revisions of `family`, newest first.
pub async fn list(ecs: &aws_sdk_ecs::Client, family: &str, limit: usize) -> Result<Vec<String>> {
    let mut arns = Vec::new();
    let mut pages = ecs
        .list_task_definitions()
        .family_prefix(family)
        .sort(SortOrder::Desc)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(super::error)
            .with_context(|| format!("listing revisions of `{family}`"))?;
        // familyPrefix matches `family-other` too: keep this family only.
        arns.extend(
            page.task_definition_arns()
                .iter()
                .filter(|a| family_of(a) == Some(family))
                .cloned(),
        );
        if arns.len() >= limit {
            break;
        }
    }
    // Newest first whatever order the pages came in (simulators may ignore `sort`).
    arns.sort_by_key(|a| std::cmp::Reverse(taskdef::revision_of(a).unwrap_or(0)));
    arns.truncate(limit);
    Ok(arns)
}

/// `family` of `arn:…:task-definition/family:7`.
pub fn family_of(arn: &str) -> Option<&str> {
    taskdef::short_name(arn).rsplit_once(':').map(|(f, _)| f)
}

/// Every revision in `arns`, described with at most [`CONCURRENCY`] calls in
/// flight; the result is in the order of `arns`.
pub async fn describe_all(ecs: &aws_sdk_ecs::Client, arns: &[String]) -> Result<Vec<Described>> {
    // The futures are made up front: a closure inside the stream would make the
    // future of every caller fail the `Send` check of the boxed platform futures
    // ("implementation of `FnOnce` is not general enough").
    let calls: Vec<_> = arns.iter().map(|arn| taskdef::describe(ecs, arn)).collect();
    futures_util::stream::iter(calls)
        .buffered(CONCURRENCY)
        .try_collect()
        .await
}

/// Describe `arns` in order until `wanted` holds for one: the revisions
/// described up to and including that one (all of them when none fits). See
/// the module documentation for the batches.
pub async fn describe_until(
    ecs: &aws_sdk_ecs::Client,
    arns: &[String],
    mut wanted: impl FnMut(&str, &Described) -> bool,
) -> Result<Vec<(String, Described)>> {
    let mut found = Vec::new();
    let mut batch = 1;
    let mut rest = arns;
    while !rest.is_empty() {
        let (now, later) = rest.split_at(batch.min(rest.len()));
        let described = describe_all(ecs, now).await?;
        for (arn, described) in now.iter().zip(described) {
            let hit = wanted(arn, &described);
            found.push((arn.clone(), described));
            if hit {
                return Ok(found);
            }
        }
        rest = later;
        batch = (batch * 2).min(CONCURRENCY);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_sdk_ecs::Client;
    use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
    use aws_sdk_ecs::operation::list_task_definitions::ListTaskDefinitionsOutput;
    use aws_sdk_ecs::types::{Tag, TaskDefinition};
    use aws_smithy_mocks::{RuleMode, mock};

    use crate::aws::mock_client;

    fn arn(revision: i32) -> String {
        format!("arn:aws:ecs:us-east-1:1:task-definition/weather:{revision}")
    }

    /// Describes any revision; revisions in `completed` carry the completion tag.
    fn describing(completed: &'static [i32], calls: Arc<AtomicUsize>) -> aws_smithy_mocks::Rule {
        mock!(Client::describe_task_definition).then_compute_output(move |req| {
            calls.fetch_add(1, Ordering::SeqCst);
            let arn = req.task_definition().unwrap().to_string();
            let revision = taskdef::revision_of(&arn).unwrap();
            let mut out = DescribeTaskDefinitionOutput::builder().task_definition(
                TaskDefinition::builder()
                    .task_definition_arn(&arn)
                    .family("weather")
                    .revision(revision)
                    .build(),
            );
            if completed.contains(&revision) {
                out = out.tags(Tag::builder().key("done").value("yes").build());
            }
            out.build()
        })
    }

    /// Guards issue 11 item 8: rollback described 50 revisions one by one to
    /// find the previous completed release.
    #[tokio::test]
    async fn the_search_stops_at_the_first_match() {
        let calls = Arc::new(AtomicUsize::new(0));
        let rule = describing(&[49, 40], calls.clone());
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&rule]);
        let arns: Vec<String> = (1..=50).rev().map(arn).collect();
        let found = describe_until(&ecs, &arns, |_, d| {
            d.definition.revision() < 50 && d.tag("done").is_some()
        })
        .await
        .unwrap();
        let revisions: Vec<i32> = found.iter().map(|(_, d)| d.definition.revision()).collect();
        assert_eq!(revisions, [50, 49]);
        // A batch of 1 (the live one), then a batch of 2 that holds the match.
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        // No match: every revision, once, in order.
        let calls = Arc::new(AtomicUsize::new(0));
        let rule = describing(&[], calls.clone());
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&rule]);
        let found = describe_until(&ecs, &arns, |_, _| false).await.unwrap();
        assert_eq!(found.len(), 50);
        assert!(
            found
                .windows(2)
                .all(|w| w[0].1.definition.revision() > w[1].1.definition.revision())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 50);
    }

    #[tokio::test]
    async fn describe_all_keeps_the_order() {
        let calls = Arc::new(AtomicUsize::new(0));
        let rule = describing(&[], calls.clone());
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&rule]);
        let arns: Vec<String> = (1..=20).rev().map(arn).collect();
        let described = describe_all(&ecs, &arns).await.unwrap();
        let revisions: Vec<i32> = described.iter().map(|d| d.definition.revision()).collect();
        assert_eq!(revisions, (1..=20).rev().collect::<Vec<_>>());
        assert_eq!(calls.load(Ordering::SeqCst), 20);
    }

    #[tokio::test]
    async fn listing_keeps_the_family_and_stops_at_the_limit() {
        let pages = mock!(Client::list_task_definitions)
            .sequence()
            .output(|| {
                ListTaskDefinitionsOutput::builder()
                    .task_definition_arns(arn(9))
                    .task_definition_arns("arn:aws:ecs:us-east-1:1:task-definition/weather-other:3")
                    .task_definition_arns(arn(8))
                    .next_token("p2")
                    .build()
            })
            .output(|| {
                ListTaskDefinitionsOutput::builder()
                    .task_definition_arns(arn(7))
                    .task_definition_arns(arn(6))
                    .next_token("p3")
                    .build()
            })
            .build();
        let ecs = mock_client!(aws_sdk_ecs, RuleMode::Sequential, [&pages]);
        let arns = list(&ecs, "weather", 3).await.unwrap();
        assert_eq!(arns, [arn(9), arn(8), arn(7)]);
    }
}
