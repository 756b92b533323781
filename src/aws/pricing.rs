//! Fargate prices from the AWS Price List Query API (`GetProducts`, service
//! code `AmazonECS`), cached per region in the user's cache directory.
//!
//! The Price List answers from three regions only (us-east-1, eu-central-1,
//! ap-south-1), each for every region's prices: the client asks the nearest of
//! them ([`endpoint_region`]) for the products whose `regionCode` is the stage's
//! region. A product is a JSON string (`product.attributes.usagetype`,
//! `terms.OnDemand.<term>.priceDimensions.<rate>.pricePerUnit.USD`); only the
//! Fargate usage types are kept, by name without the region prefix
//! (`USE1-Fargate-ARM-GB-Hours` → `Fargate-ARM-GB-Hours`), so no table of
//! prefixes has to be kept up to date.
//!
//! Prices move rarely, and CI roles often lack `pricing:GetProducts`: a sheet
//! read once is kept in `<cache>/mcp/prices/AmazonECS-<region>.json` with the
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

/// The Price List's service code for ECS (Fargate's prices are under it).
const SERVICE_CODE: &str = "AmazonECS";

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

/// Where the sheet of `region` is cached; `None` when the platform has no cache directory.
pub fn cache_path(region: &str) -> Option<PathBuf> {
    let file = format!("{SERVICE_CODE}-{region}.json");
    dirs::cache_dir().map(|dir| dir.join("mcp").join("prices").join(file))
}

fn read_cache(region: &str) -> Option<Sheet> {
    let text = std::fs::read_to_string(cache_path(region)?).ok()?;
    serde_json::from_str::<Sheet>(&text)
        .ok()
        .filter(|s| s.region == region)
}

/// Best effort: a cache that cannot be written only means asking again next time.
fn write_cache(sheet: &Sheet) {
    let Some(path) = cache_path(&sheet.region) else {
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
    let cached = read_cache(region);
    if let Some(sheet) = &cached
        && sheet.age_days().is_some_and(|d| d < MAX_AGE_DAYS)
    {
        return Ok(Prices {
            sheet: sheet.clone(),
            note: None,
        });
    }
    match read(config, region).await {
        Ok(sheet) => {
            write_cache(&sheet);
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
            None => Err(match cache_path(region) {
                Some(path) => format!("{why}; no prices cached for {region} ({})", path.display()),
                None => why,
            }),
        },
    }
}

/// Ask the Price List for the Fargate products of `region`.
async fn read(config: &SdkConfig, region: &str) -> Result<Sheet, String> {
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
    // Bounded: a region has a few dozen ECS products, 100 to a page.
    for _ in 0..20 {
        let out = client
            .get_products()
            .service_code(SERVICE_CODE)
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
            if let Some((usage, price)) = fargate_price(product) {
                usd.insert(usage, price);
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    if usd.is_empty() {
        return Err(format!("the Price List has no Fargate prices for {region}"));
    }
    Ok(Sheet {
        region: region.to_string(),
        read_at: jiff::Timestamp::now().to_string(),
        usd,
    })
}

/// `(usage type without region prefix, USD per unit)` of one Price List product, when Fargate's.
pub fn fargate_price(product: &str) -> Option<(String, f64)> {
    let value: serde_json::Value = serde_json::from_str(product).ok()?;
    let usage = value.pointer("/product/attributes/usagetype")?.as_str()?;
    let usage = strip_region(usage);
    if !(usage.starts_with("Fargate-") || usage.starts_with("SpotUsage-Fargate-")) {
        return None;
    }
    let terms = value.pointer("/terms/OnDemand")?.as_object()?;
    let price = terms.values().find_map(|term| {
        term.get("priceDimensions")?
            .as_object()?
            .values()
            .find_map(|d| {
                d.pointer("/pricePerUnit/USD")?
                    .as_str()?
                    .parse::<f64>()
                    .ok()
            })
    })?;
    Some((usage.to_string(), price))
}

/// `USE1-Fargate-GB-Hours` → `Fargate-GB-Hours`; a name without a prefix stays.
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

    #[test]
    fn the_nearest_price_list_endpoint_answers() {
        assert_eq!(endpoint_region("eu-west-1"), "eu-central-1");
        assert_eq!(endpoint_region("ap-northeast-1"), "ap-south-1");
        assert_eq!(endpoint_region("sa-east-1"), "us-east-1");
    }
}
