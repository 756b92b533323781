//! Cost Explorer: what was spent (`GetCostAndUsage`, filtered by `mcp`'s cost
//! allocation tags) and whether those tags count yet (`ListCostAllocationTags`).
//! Cost Explorer has one endpoint, in us-east-1, whatever the stage's region.

use aws_config::{Region, SdkConfig};
use aws_sdk_costexplorer::types::{
    CostAllocationTagStatus, DateInterval, Dimension, Expression, Granularity, GroupDefinition,
    GroupDefinitionType, TagValues,
};

use super::error::{Fault, describe, fault};

const ENDPOINT_REGION: &str = "us-east-1";

fn client(config: &SdkConfig) -> aws_sdk_costexplorer::Client {
    aws_sdk_costexplorer::Client::from_conf(
        aws_sdk_costexplorer::config::Builder::from(config)
            .region(Region::new(ENDPOINT_REGION))
            .build(),
    )
}

/// A tag key's state for cost allocation: `Active`, `Inactive`, or not listed
/// (`None`: billing has not seen it on any resource yet).
pub async fn tag_status(
    config: &SdkConfig,
    keys: &[&str],
) -> Result<Vec<(String, Option<String>)>, String> {
    let out = client(config)
        .list_cost_allocation_tags()
        .set_tag_keys(Some(keys.iter().map(|k| k.to_string()).collect()))
        .send()
        .await
        .map_err(|err| match fault(&err) {
            Fault::AccessDenied => format!(
                "whether the tags are active is unknown: this identity may not call \
                 ce:ListCostAllocationTags ({})",
                describe(&err)
            ),
            _ => format!("whether the tags are active is unknown: {}", describe(&err)),
        })?;
    Ok(keys
        .iter()
        .map(|key| {
            let status = out
                .cost_allocation_tags()
                .iter()
                .find(|t| t.tag_key() == *key)
                .map(|t| match t.status() {
                    CostAllocationTagStatus::Active => "Active".to_string(),
                    other => other.as_str().to_string(),
                });
            (key.to_string(), status)
        })
        .collect())
}

/// One amount of a query's answer: the period's start, the group's values.
#[derive(Debug, Clone)]
pub struct Amount {
    pub start: String,
    /// The values of the query's groups, in their order (a tag's value, a service's name).
    pub keys: Vec<String>,
    pub usd: f64,
    pub unit: String,
    pub estimated: bool,
}

/// What to ask Cost Explorer.
pub struct Query<'a> {
    pub start: String,
    pub end: String,
    pub daily: bool,
    /// Tag key = value conditions, all of which must hold.
    pub tags: Vec<(&'a str, String)>,
    /// Group by these tag keys.
    pub group_tags: Vec<&'a str>,
    /// Also group by AWS service.
    pub by_service: bool,
}

/// `GetCostAndUsage` (UnblendedCost), every page.
pub async fn spend(config: &SdkConfig, query: &Query<'_>) -> anyhow::Result<Vec<Amount>> {
    let conditions: Vec<Expression> = query
        .tags
        .iter()
        .map(|(key, value)| {
            Expression::builder()
                .tags(TagValues::builder().key(*key).values(value.clone()).build())
                .build()
        })
        .collect();
    let filter = match conditions.len() {
        0 => None,
        1 => conditions.into_iter().next(),
        _ => Some(Expression::builder().set_and(Some(conditions)).build()),
    };
    let mut groups: Vec<GroupDefinition> = query
        .group_tags
        .iter()
        .map(|key| {
            GroupDefinition::builder()
                .r#type(GroupDefinitionType::Tag)
                .key(*key)
                .build()
        })
        .collect();
    if query.by_service {
        groups.push(
            GroupDefinition::builder()
                .r#type(GroupDefinitionType::Dimension)
                .key(Dimension::Service.as_str())
                .build(),
        );
    }
    let period = DateInterval::builder()
        .start(&query.start)
        .end(&query.end)
        .build()?;
    let client = client(config);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    // Bounded: a page holds many periods; a year of days is a few pages.
    for _ in 0..50 {
        let page = client
            .get_cost_and_usage()
            .time_period(period.clone())
            .granularity(if query.daily {
                Granularity::Daily
            } else {
                Granularity::Monthly
            })
            .metrics("UnblendedCost")
            .set_filter(filter.clone())
            .set_group_by((!groups.is_empty()).then(|| groups.clone()))
            .set_next_page_token(token.take())
            .send()
            .await
            .map_err(|err| {
                let hint = match fault(&err) {
                    Fault::AccessDenied => {
                        "grant ce:GetCostAndUsage to this identity (docs/cost.md lists the permissions)"
                    }
                    _ => "check the credentials and the network",
                };
                anyhow::anyhow!(describe(&err)).context(
                    crate::error::McpError::new("Cost Explorer did not answer GetCostAndUsage")
                        .hint(hint),
                )
            })?;
        for result in page.results_by_time() {
            let start = result
                .time_period()
                .map(|p| p.start().to_string())
                .unwrap_or_default();
            let metric = |m: &std::collections::HashMap<String, _>| {
                m.get("UnblendedCost")
                    .map(|v: &aws_sdk_costexplorer::types::MetricValue| {
                        (
                            v.amount()
                                .and_then(|a| a.parse::<f64>().ok())
                                .unwrap_or(0.0),
                            v.unit().unwrap_or("USD").to_string(),
                        )
                    })
            };
            if result.groups().is_empty() {
                if let Some((usd, unit)) = result.total().and_then(metric) {
                    out.push(Amount {
                        start: start.clone(),
                        keys: Vec::new(),
                        usd,
                        unit,
                        estimated: result.estimated(),
                    });
                }
                continue;
            }
            for group in result.groups() {
                if let Some((usd, unit)) = group.metrics().and_then(metric) {
                    out.push(Amount {
                        start: start.clone(),
                        // A tag group's key is `key$value` (`$` alone: untagged).
                        keys: group
                            .keys()
                            .iter()
                            .map(|k| match k.split_once('$') {
                                Some((_, value)) => value.to_string(),
                                None => k.clone(),
                            })
                            .collect(),
                        usd,
                        unit,
                        estimated: result.estimated(),
                    });
                }
            }
        }
        token = page.next_page_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}
