//! A command's result whatever its type: [`Output`] holds any value that
//! prints as text (`Display`) and as JSON (`Serialize`), so a platform can
//! hand `mcp status` its own status type and the command still prints it with
//! [`super::Printer::data`], unchanged in both formats.

use std::fmt;

use serde::{Serialize, Serializer};

/// What [`Output`] needs of a value. Implemented for every `Serialize + Display`.
pub trait Shown: fmt::Display + fmt::Debug + Send + Sync {
    /// The value as JSON (field order kept: `serde_json` preserves it).
    fn to_json(&self) -> serde_json::Result<serde_json::Value>;
}

impl<T: Serialize + fmt::Display + fmt::Debug + Send + Sync> Shown for T {
    fn to_json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self)
    }
}

/// A result for the printer, its type erased.
#[derive(Debug)]
pub struct Output(Box<dyn Shown>);

impl Output {
    pub fn new(value: impl Shown + 'static) -> Self {
        Output(Box::new(value))
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Output {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0
            .to_json()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize)]
    struct Thing {
        b: f64,
        a: &'static str,
    }

    impl fmt::Display for Thing {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            writeln!(f, "thing {}", self.a)
        }
    }

    #[test]
    fn output_prints_like_the_value_it_holds() {
        let thing = Thing { b: 12.3, a: "x" };
        let direct = serde_json::to_string_pretty(&thing).unwrap();
        let output = Output::new(Thing { b: 12.3, a: "x" });
        assert_eq!(serde_json::to_string_pretty(&output).unwrap(), direct);
        assert_eq!(output.to_string(), "thing x\n");
    }
}
