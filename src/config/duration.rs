//! Human durations in mcp.toml and on the command line: `90s`, `15m`, `2h`, `1d`,
//! and sums of them (`1h30m`), as Copilot, ecspresso and flyctl users write them.
//!
//! A bare number is refused: `timeout = 15` could mean seconds or minutes, and a
//! deploy timeout off by a factor of 60 is the kind of mistake that costs an hour.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written with units; keeps the text the user wrote for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanDuration {
    pub duration: Duration,
    pub text: String,
}

/// Parse `90s`, `15m`, `2h`, `1d`, `1h30m`, `500ms`.
pub fn parse(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("invalid duration `{text}`"));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("invalid duration `{text}`"))?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        let seconds = match unit {
            "ms" => {
                total += Duration::from_millis(number);
                continue;
            }
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "" => return Err(format!("duration `{text}` has no unit")),
            other => return Err(format!("duration `{text}` has an unknown unit `{other}`")),
        };
        total += Duration::from_secs(number.saturating_mul(seconds));
    }
    Ok(total)
}

/// The hint every duration error carries.
pub const DURATION_HINT: &str =
    "write a number followed by a unit: `90s`, `15m`, `2h`, `1d` (or `1h30m`)";

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let duration =
            parse(&text).map_err(|e| serde::de::Error::custom(format!("{e}: {DURATION_HINT}")))?;
        Ok(HumanDuration { duration, text })
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_sums() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn bare_numbers_and_unknown_units_are_refused() {
        assert!(parse("15").unwrap_err().contains("no unit"));
        assert!(
            parse("15 minutes")
                .unwrap_err()
                .contains("unknown unit `minutes`")
        );
        assert!(parse("15y").unwrap_err().contains("unknown unit `y`"));
        assert!(parse("").is_err());
        assert!(parse("m").is_err());
    }
}
