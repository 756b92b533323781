//! Human durations in mcp.toml and on the command line: `90s`, `15m`, `2h`, `1d`,
//! and sums of them (`1h30m`), as Copilot, ecspresso and flyctl users write them.
//!
//! A bare number is refused: `timeout = 15` could mean seconds or minutes, and a
//! deploy timeout off by a factor of 60 is the kind of mistake that costs an hour.
//! So is anything longer than [`MAX`]: every duration ends up added to a clock
//! (a deadline, `--since`), and an absurd one must be an error, not a panic.
//!
//! Written by hand rather than with jiff's `friendly` parser: that one also
//! takes `1 hour`, `PT1H` and fractions, and its errors do not carry the hint
//! below; what is accepted here is the short form mcp.toml documents.
//! Durations become jiff types where they meet timestamps (`mcp logs`).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written with units; keeps the text the user wrote for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanDuration {
    pub duration: Duration,
    pub text: String,
}

/// The longest duration accepted: 100 years (of 365 days).
pub const MAX: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Parse `90s`, `15m`, `2h`, `1d`, `1h30m`, `500ms`; at most [`MAX`].
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
        let too_long = || format!("duration `{text}` is longer than 100 years");
        let part = match unit {
            "ms" => Duration::from_millis(number),
            "s" | "m" | "h" | "d" => {
                let seconds = match unit {
                    "s" => 1,
                    "m" => 60,
                    "h" => 3600,
                    _ => 86_400,
                };
                Duration::from_secs(number.checked_mul(seconds).ok_or_else(too_long)?)
            }
            "" => return Err(format!("duration `{text}` has no unit")),
            other => return Err(format!("duration `{text}` has an unknown unit `{other}`")),
        };
        total = total
            .checked_add(part)
            .filter(|t| *t <= MAX)
            .ok_or_else(too_long)?;
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

    /// Guards against a panic: these used to overflow `Duration` (or, added
    /// to `Instant::now()` as a deadline, the clock).
    #[test]
    fn absurd_durations_are_errors_not_panics() {
        let max = u64::MAX;
        for text in [
            format!("{max}s{max}s"),
            format!("{max}d"),
            format!("{max}ms{max}d"),
            "36501d".to_string(),
            "99999999999999999999s".to_string(),
        ] {
            assert!(parse(&text).is_err(), "{text}");
        }
        assert_eq!(parse("36500d"), Ok(MAX));
        let deadline = std::time::Instant::now().checked_add(MAX);
        assert!(deadline.is_some(), "MAX fits on the clock");
    }
}
