//! `mcp config`: every resolved setting and where it came from.

use std::fmt;

use anyhow::Result;
use serde::Serialize;

use crate::config::{Entry, Settings};
use crate::error::ExitStatus;
use crate::ui::Printer;

#[derive(Serialize)]
pub struct ConfigReport<'a> {
    pub config_file: Option<String>,
    pub stage: Option<&'a str>,
    pub service: Option<&'a str>,
    pub settings: &'a [Entry],
}

impl fmt::Display for ConfigReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .settings
            .iter()
            .map(|e| e.key.len() + value_text(&e.value).len() + 3)
            .max()
            .unwrap_or(0)
            .min(60);
        for entry in self.settings {
            let assignment = format!("{} = {}", entry.key, value_text(&entry.value));
            writeln!(f, "{assignment:<width$}  # {}", entry.source)?;
        }
        Ok(())
    }
}

/// A value as it would be written in mcp.toml.
fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

impl<'a> ConfigReport<'a> {
    pub fn of(settings: &'a Settings) -> Self {
        ConfigReport {
            config_file: settings
                .config_file
                .as_ref()
                .map(|p| p.display().to_string()),
            stage: settings.stage.as_deref(),
            service: settings.service.as_deref(),
            settings: &settings.entries,
        }
    }
}

pub fn show(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let report = ConfigReport::of(settings);
    if let Some(file) = &report.config_file {
        let mut header = format!("Using {file}");
        if let Some(stage) = report.stage {
            header.push_str(&format!(", stage `{stage}`"));
        }
        if let Some(service) = report.service {
            header.push_str(&format!(", service `{service}`"));
        }
        printer.status("Resolved", header);
    }
    printer.data(&report)?;
    Ok(ExitStatus::Success)
}

/// `mcp config --all`: each service's resolved settings, a section (or an array element) each.
pub struct AllReports<'a>(pub Vec<(&'a str, ConfigReport<'a>)>);

impl Serialize for AllReports<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for (name, report) in &self.0 {
            seq.serialize_element(&serde_json::json!({ "name": name, "config": report }))?;
        }
        seq.end()
    }
}

impl fmt::Display for AllReports<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, report)) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "# [services.{name}]")?;
            write!(f, "{report}")?;
        }
        Ok(())
    }
}

pub fn show_all(services: &[(String, Settings)], printer: &Printer) -> Result<ExitStatus> {
    let reports = services
        .iter()
        .map(|(name, settings)| (name.as_str(), ConfigReport::of(settings)))
        .collect();
    printer.data(&AllReports(reports))?;
    Ok(ExitStatus::Success)
}
