//! Fargate and Lambda prices from the AWS Price List Query API
//! (`GetProducts`, service codes `AmazonECS` and `AWSLambda`), cached per
//! service and region in the user's cache directory.
//!
//! The Price List answers from three regions only (us-east-1, eu-central-1,
//! ap-south-1), each for every region's prices: the client asks the nearest of
//! them ([`endpoint_region`]) for the products whose `regionCode` is the stage's
//! region. A product is a JSON string (`product.attributes.usagetype`,
//! `terms.OnDemand.<term>.priceDimensions.<rate>.pricePerUnit.USD`); only the
//! usage types an estimate reads are kept ([`Service::keeps`]), by name without
//! the region prefix (`USE1-Fargate-ARM-GB-Hours` → `Fargate-ARM-GB-Hours`;
//! us-east-1 spells Lambda's with none: `Lambda-GB-Second`), so no table of
//! prefixes has to be kept up to date. Lambda's duration is priced in tiers of
//! an account's monthly GB-seconds per architecture (the first 6 billion x86
//! GB-seconds at one price, …): the first tier's price is kept, the lowest
//! `beginRange`, which a stage's estimate never leaves. The free tier
//! (`Global-Request`, `Global-Lambda-GB-Second`) is not a price and is left out.
//!
//! Prices move rarely, and CI roles often lack `pricing:GetProducts`: a sheet
//! read once is kept in `<cache>/mcp/prices/<service code>-<region>.json` with the
//! time it was read, used as is for [`MAX_AGE_DAYS`], and after that refreshed;
//! when the refresh fails the old sheet is still used, and the note says from
//! when and why it was not refreshed. Without a sheet there is no price, and the
//! reason says why: a number is never guessed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_config::{Region, SdkConfig};
use aws_sdk_pricing::types::{Filter, FilterType};
use serde::{Deserialize, Serialize};

use super::error::{Fault, describe, fault};

/// A cached sheet younger than this is used without asking the Price List.
pub const MAX_AGE_DAYS: i64 = 7;

/// A service whose prices an estimate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Fargate, under ECS's service code.
    Fargate,
    Lambda,
}

impl Service {
    /// The Price List's service code.
    pub fn code(self) -> &'static str {
        match self {
            Service::Fargate => "AmazonECS",
            Service::Lambda => "AWSLambda",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Service::Fargate => "Fargate",
            Service::Lambda => "Lambda",
        }
    }

    /// Is `usage` (without region prefix) one the estimate reads?
    pub fn keeps(self, usage: &str) -> bool {
        match self {
            Service::Fargate => {
                usage.starts_with("Fargate-") || usage.starts_with("SpotUsage-Fargate-")
            }
            // Requests, duration, provisioned concurrency (and its duration),
            // each with its `-ARM` twin; not Lambda@Edge, storage or streaming.
            Service::Lambda => matches!(
                usage.strip_suffix("-ARM").unwrap_or(usage),
                "Request"
                    | "Lambda-GB-Second"
                    | "Lambda-Provisioned-Concurrency"
                    | "Lambda-Provisioned-GB-Second"
            ),
        }
    }
}

/// The prices of one region, as read from the Price List.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sheet {
    pub region: String,
    /// When they were read (RFC 3339).
    pub read_at: String,
    /// USD per unit (hour, GB-hour) by usage type without the region prefix.
    pub usd: BTreeMap<String, f64>,
}

impl Sheet {
    /// The date the prices were read: `2026-12-07`.
    pub fn date(&self) -> String {
        self.read_at.get(..10).unwrap_or(&self.read_at).to_string()
    }

    fn age_days(&self) -> Option<i64> {
        let read: jiff::Timestamp = self.read_at.parse().ok()?;
        Some(jiff::Timestamp::now().duration_since(read).as_secs() / 86_400)
    }
}

/// The prices to estimate with, and what a person should know about them.
#[derive(Debug, Clone)]
pub struct Prices {
    pub sheet: Sheet,
    /// Set when the sheet is older than [`MAX_AGE_DAYS`] and could not be refreshed.
    pub note: Option<String>,
}

/// The Price List endpoint that answers for `region`: the nearest of the three.
pub fn endpoint_region(region: &str) -> &'static str {
    if region.starts_with("eu-") || region.starts_with("me-") || region.starts_with("af-") {
        "eu-central-1"
    } else if region.starts_with("ap-") {
        "ap-south-1"
    } else {
        "us-east-1"
    }
}

/// Where the sheet of `service` in `region` is cached; `None` when the platform has no cache directory.
pub fn cache_path(service: Service, region: &str) -> Option<PathBuf> {
    let file = format!("{}-{region}.json", service.code());
    dirs::cache_dir().map(|dir| dir.join("mcp").join("prices").join(file))
}

fn read_cache(service: Service, region: &str) -> Option<Sheet> {
    let text = std::fs::read_to_string(cache_path(service, region)?).ok()?;
    serde_json::from_str::<Sheet>(&text)
        .ok()
        .filter(|s| s.region == region)
}

/// Best effort: a cache that cannot be written only means asking again next time.
fn write_cache(service: Service, sheet: &Sheet) {
    let Some(path) = cache_path(service, &sheet.region) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_string_pretty(sheet) {
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
}

/// The Fargate prices of `region`: cached, read, or why there are none.
pub async fn fargate(config: &SdkConfig, region: &str) -> Result<Prices, String> {
    prices(config, Service::Fargate, region).await
}

/// The Lambda prices of `region`: cached, read, or why there are none.
pub async fn lambda(config: &SdkConfig, region: &str) -> Result<Prices, String> {
    prices(config, Service::Lambda, region).await
}

/// The prices of `service` in `region`: cached, read, or why there are none.
pub async fn prices(config: &SdkConfig, service: Service, region: &str) -> Result<Prices, String> {
    let cached = read_cache(service, region);
    if let Some(sheet) = &cached
        && sheet.age_days().is_some_and(|d| d < MAX_AGE_DAYS)
    {
        return Ok(Prices {
            sheet: sheet.clone(),
            note: None,
        });
    }
    match read(config, service, region).await {
        Ok(sheet) => {
            write_cache(service, &sheet);
            Ok(Prices { sheet, note: None })
        }
        Err(why) => match cached {
            Some(sheet) => Ok(Prices {
                note: Some(format!(
                    "prices read on {}, more than {MAX_AGE_DAYS} days ago: not refreshed ({why})",
                    sheet.date()
                )),
                sheet,
            }),
            None => Err(match cache_path(service, region) {
                Some(path) => format!("{why}; no prices cached for {region} ({})", path.display()),
                None => why,
            }),
        },
    }
}

/// Ask the Price List for the products of `service` in `region`.
async fn read(config: &SdkConfig, service: Service, region: &str) -> Result<Sheet, String> {
    let client = aws_sdk_pricing::Client::from_conf(
        aws_sdk_pricing::config::Builder::from(config)
            .region(Region::new(endpoint_region(region)))
            .build(),
    );
    let filter = Filter::builder()
        .r#type(FilterType::TermMatch)
        .field("regionCode")
        .value(region)
        .build()
        .map_err(|e| e.to_string())?;
    let mut usd = BTreeMap::new();
    let mut token: Option<String> = None;
    // Bounded: a region has a few dozen ECS products and a few hundred
    // Lambda ones (Lambda@Edge, storage, …), 100 to a page.
    for _ in 0..40 {
        let out = client
            .get_products()
            .service_code(service.code())
            .filters(filter.clone())
            .format_version("aws_v1")
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|err| match fault(&err) {
                Fault::AccessDenied => format!(
                    "this identity may not call pricing:GetProducts ({})",
                    describe(&err)
                ),
                _ => format!("the Price List did not answer: {}", describe(&err)),
            })?;
        for product in out.price_list() {
            if let Some((usage, price)) = product_price(service, product) {
                usd.insert(usage, price);
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    if usd.is_empty() {
        return Err(format!(
            "the Price List has no {} prices for {region}",
            service.label()
        ));
    }
    Ok(Sheet {
        region: region.to_string(),
        read_at: jiff::Timestamp::now().to_string(),
        usd,
    })
}

/// `(usage type without region prefix, USD per unit)` of one Price List product, when Fargate's.
pub fn fargate_price(product: &str) -> Option<(String, f64)> {
    product_price(Service::Fargate, product)
}

/// `(usage type without region prefix, USD per unit)` of one Price List
/// product, when one `service`'s estimate reads; of a tiered price, the
/// first tier's (the lowest `beginRange`).
pub fn product_price(service: Service, product: &str) -> Option<(String, f64)> {
    let value: serde_json::Value = serde_json::from_str(product).ok()?;
    let usage = value.pointer("/product/attributes/usagetype")?.as_str()?;
    let usage = strip_region(usage);
    if !service.keeps(usage) {
        return None;
    }
    let terms = value.pointer("/terms/OnDemand")?.as_object()?;
    let price = terms
        .values()
        .filter_map(|term| term.get("priceDimensions")?.as_object())
        .flat_map(|dimensions| dimensions.values())
        .filter_map(|d| {
            let usd = d
                .pointer("/pricePerUnit/USD")?
                .as_str()?
                .parse::<f64>()
                .ok()?;
            let begin = d
                .get("beginRange")
                .and_then(|b| b.as_str())
                .and_then(|b| b.parse::<f64>().ok())
                .unwrap_or(0.0);
            Some((begin, usd))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))?
        .1;
    Some((usage.to_string(), price))
}

/// `USE1-Fargate-GB-Hours` → `Fargate-GB-Hours`; a name without a prefix
/// (`Request-ARM`, `Lambda-GB-Second`) stays.
fn strip_region(usage: &str) -> &str {
    if usage.starts_with("Fargate-") || usage.starts_with("SpotUsage-") {
        return usage;
    }
    match usage.split_once('-') {
        Some((prefix, rest))
            if prefix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            rest
        }
        _ => usage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(usage: &str, usd: &str) -> String {
        serde_json::json!({
            "product": {"productFamily": "Compute", "attributes": {"usagetype": usage, "regionCode": "eu-west-1"}},
            "terms": {"OnDemand": {"X.Y": {"priceDimensions": {"X.Y.Z": {"unit": "hours", "pricePerUnit": {"USD": usd}}}}}}
        })
        .to_string()
    }

    #[test]
    fn fargate_products_are_read_by_usage_type_without_the_region_prefix() {
        assert_eq!(
            fargate_price(&product(
                "EUW1-Fargate-ARM-vCPU-Hours:perCPU",
                "0.0323800000"
            )),
            Some(("Fargate-ARM-vCPU-Hours:perCPU".into(), 0.03238))
        );
        assert_eq!(
            fargate_price(&product("Fargate-GB-Hours", "0.004445")),
            Some(("Fargate-GB-Hours".into(), 0.004445))
        );
        assert_eq!(
            fargate_price(&product("EUW1-SpotUsage-Fargate-GB-Hours", "0.0014")),
            Some(("SpotUsage-Fargate-GB-Hours".into(), 0.0014))
        );
        // Not Fargate: left out.
        assert_eq!(
            fargate_price(&product("EUW1-ECS-EC2-GB-Hours", "0.1")),
            None
        );
    }

    fn tiered(usage: &str, tiers: &[(&str, &str)]) -> String {
        // Out of order on purpose: the first tier is found by its beginRange.
        let dimensions: serde_json::Map<String, serde_json::Value> = tiers
            .iter()
            .rev()
            .enumerate()
            .map(|(i, (begin, usd))| {
                (
                    format!("X.Y.{i}"),
                    serde_json::json!({"unit": "Lambda-GB-Second", "beginRange": begin, "pricePerUnit": {"USD": usd}}),
                )
            })
            .collect();
        serde_json::json!({
            "product": {"productFamily": "Serverless", "attributes": {"usagetype": usage, "regionCode": "us-east-1"}},
            "terms": {"OnDemand": {"X.Y": {"priceDimensions": dimensions}}}
        })
        .to_string()
    }

    #[test]
    fn lambda_products_are_read_at_their_first_tier_and_the_rest_left_out() {
        let gb_second = tiered(
            "Lambda-GB-Second",
            &[
                ("0", "0.0000166667"),
                ("6000000000", "0.0000150000"),
                ("15000000000", "0.0000133334"),
            ],
        );
        assert_eq!(
            product_price(Service::Lambda, &gb_second),
            Some(("Lambda-GB-Second".into(), 0.0000166667))
        );
        assert_eq!(
            product_price(Service::Lambda, &product("EUW1-Request-ARM", "0.0000002")),
            Some(("Request-ARM".into(), 0.0000002))
        );
        assert_eq!(
            product_price(
                Service::Lambda,
                &product("Lambda-Provisioned-Concurrency-ARM", "0.0000033334")
            ),
            Some(("Lambda-Provisioned-Concurrency-ARM".into(), 0.0000033334))
        );
        // The free tier, Lambda@Edge and storage are not what an estimate reads.
        for usage in [
            "Global-Request",
            "Global-Lambda-GB-Second",
            "Lambda-Edge-Request",
            "USE1-Lambda-Storage-GB-Second",
        ] {
            assert_eq!(
                product_price(Service::Lambda, &product(usage, "0")),
                None,
                "{usage}"
            );
        }
        // Nor is a Fargate product Lambda's, or the reverse.
        assert_eq!(
            product_price(
                Service::Lambda,
                &product("USE1-Fargate-GB-Hours", "0.004445")
            ),
            None
        );
        assert_eq!(fargate_price(&product("Request", "0.0000002")), None);
    }

    #[test]
    fn the_nearest_price_list_endpoint_answers() {
        assert_eq!(endpoint_region("eu-west-1"), "eu-central-1");
        assert_eq!(endpoint_region("ap-northeast-1"), "ap-south-1");
        assert_eq!(endpoint_region("sa-east-1"), "us-east-1");
    }
}
