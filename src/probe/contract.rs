//! What an MCP server promises its clients, and what a new release breaks.
//!
//! The contract is what clients keep once they have listed it: tools (name,
//! input and output schema, annotations), prompts (name, arguments),
//! resource templates and resources. [`read`] takes it from a server, every
//! list read to the end (capped); it is saved as stable, sorted JSON
//! (`mcp check --save-contract`), reviewable in git, and compared with
//! another by [`diff`], which sorts each difference into breaking (a client
//! that worked before fails now) or compatible. The rules, one row each in
//! README's table and in the tests below:
//!
//! | change | verdict |
//! |---|---|
//! | tool, prompt or resource template removed | breaking |
//! | required input property added (or an optional one made required) | breaking |
//! | input property removed | breaking |
//! | input property type narrowed or changed | breaking |
//! | enum value removed (input) | breaking |
//! | output property removed | breaking |
//! | read-only tool now destructive | breaking |
//! | prompt argument made required, or a required one added | breaking |
//! | tool, prompt, template or resource added | compatible |
//! | optional input property added, type widened, enum value added | compatible |
//! | description or title changed, other annotations changed, resource removed | compatible |

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Pages one list may take, and entries in all.
const MAX_PAGES: usize = 100;
const MAX_ENTRIES: usize = 10_000;

/// The contract file's format version.
const FORMAT: u32 = 1;

/// A server's contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    #[serde(default)]
    pub format: u32,
    #[serde(default)]
    pub tools: BTreeMap<String, Tool>,
    #[serde(default)]
    pub prompts: BTreeMap<String, Prompt>,
    #[serde(default)]
    pub resource_templates: BTreeSet<String>,
    #[serde(default)]
    pub resources: BTreeSet<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, rename = "inputSchema")]
    pub input_schema: Value,
    #[serde(
        default,
        rename = "outputSchema",
        skip_serializing_if = "Value::is_null"
    )]
    pub output_schema: Value,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub annotations: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    /// Argument name → required.
    #[serde(default)]
    pub arguments: BTreeMap<String, bool>,
}

/// One difference between two contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub breaking: bool,
    /// Where: `tool lookup: input property id`.
    pub path: String,
    /// What: `integer -> string`, `removed`, `added`.
    pub change: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.change)
    }
}

/// Both kinds of differences, for a report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContractReport {
    /// Where the baseline came from (a URL or a file).
    pub baseline: String,
    pub breaking: Vec<String>,
    pub compatible: Vec<String>,
    /// `--allow-breaking` (or `breaking = "warn"`): listed, not failed.
    pub allowed: bool,
}

impl ContractReport {
    pub fn new(baseline: &str, differences: &[Difference], allowed: bool) -> Self {
        let (breaking, compatible): (Vec<_>, Vec<_>) = differences.iter().partition(|d| d.breaking);
        ContractReport {
            baseline: baseline.to_string(),
            breaking: breaking.iter().map(ToString::to_string).collect(),
            compatible: compatible.iter().map(ToString::to_string).collect(),
            allowed,
        }
    }
}

impl Contract {
    /// Stable JSON: sorted keys at every depth, two-space indent, a newline.
    pub fn to_json(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        value["format"] = Value::from(FORMAT);
        let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<Contract, String> {
        let contract: Contract = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if contract.format != FORMAT {
            return Err(format!(
                "format {} is not one this mcp reads (it writes format {FORMAT})",
                contract.format
            ));
        }
        Ok(contract)
    }
}

/// `value` with every object's keys sorted.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A list request the reader makes: the wire does the asking.
pub trait Lister {
    /// One page of `method` from `cursor`: the result object, or why not.
    fn page(
        &mut self,
        method: &'static str,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<Value, String>>;
}

/// Read every page of `method`'s `key` list.
async fn list_all(
    lister: &mut impl Lister,
    method: &'static str,
    key: &str,
) -> Result<Vec<Value>, String> {
    let mut all = Vec::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let result = lister.page(method, cursor.take()).await?;
        all.extend(
            result
                .get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        if all.len() > MAX_ENTRIES {
            return Err(format!(
                "`{method}` listed more than {MAX_ENTRIES} entries; stopped there"
            ));
        }
        match result.get("nextCursor").and_then(Value::as_str) {
            Some(next) => cursor = Some(next.to_string()),
            None => return Ok(all),
        }
    }
    Err(format!(
        "`{method}` still had more after {MAX_PAGES} pages; stopped there"
    ))
}

/// The contract of a server whose tools are listed already (`tools`, the
/// tool objects) and which announced `capabilities`.
pub async fn read(
    lister: &mut impl Lister,
    tools: &[Value],
    capabilities: &[String],
) -> Result<Contract, String> {
    let mut contract = Contract {
        format: FORMAT,
        ..Contract::default()
    };
    for tool in tools {
        let Some(name) = tool.get("name").and_then(Value::as_str) else {
            continue;
        };
        contract.tools.insert(
            name.to_string(),
            Tool {
                description: tool
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                input_schema: tool.get("inputSchema").cloned().unwrap_or(Value::Null),
                output_schema: tool.get("outputSchema").cloned().unwrap_or(Value::Null),
                annotations: tool.get("annotations").cloned().unwrap_or(Value::Null),
            },
        );
    }
    let has = |c: &str| capabilities.iter().any(|k| k == c);
    if has("prompts") {
        for prompt in list_all(lister, "prompts/list", "prompts").await? {
            let Some(name) = prompt.get("name").and_then(Value::as_str) else {
                continue;
            };
            let arguments = prompt
                .get("arguments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    let name = a.get("name")?.as_str()?.to_string();
                    let required = a.get("required").and_then(Value::as_bool).unwrap_or(false);
                    Some((name, required))
                })
                .collect();
            contract
                .prompts
                .insert(name.to_string(), Prompt { arguments });
        }
    }
    if has("resources") {
        for resource in list_all(lister, "resources/list", "resources").await? {
            if let Some(uri) = resource.get("uri").and_then(Value::as_str) {
                contract.resources.insert(uri.to_string());
            }
        }
        for template in list_all(lister, "resources/templates/list", "resourceTemplates").await? {
            if let Some(uri) = template.get("uriTemplate").and_then(Value::as_str) {
                contract.resource_templates.insert(uri.to_string());
            }
        }
    }
    Ok(contract)
}

/// Every difference from `old` (the baseline) to `new`, breaking ones first.
pub fn diff(old: &Contract, new: &Contract) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |breaking: bool, path: String, change: String| {
        out.push(Difference {
            breaking,
            path,
            change,
        })
    };
    for (name, before) in &old.tools {
        let path = format!("tool {name}");
        let Some(after) = new.tools.get(name) else {
            push(true, path, "removed".into());
            continue;
        };
        if before.description != after.description {
            push(false, path.clone(), "description changed".into());
        }
        schema_diff(
            &before.input_schema,
            &after.input_schema,
            &format!("{path}: input"),
            Direction::Input,
            &mut push,
        );
        schema_diff(
            &before.output_schema,
            &after.output_schema,
            &format!("{path}: output"),
            Direction::Output,
            &mut push,
        );
        let hint = |a: &Value, key: &str| a.get(key).and_then(Value::as_bool);
        let was_read_only = hint(&before.annotations, "readOnlyHint") == Some(true);
        let destructive_now = hint(&after.annotations, "readOnlyHint") != Some(true)
            && hint(&after.annotations, "destructiveHint") != Some(false);
        if was_read_only && destructive_now {
            push(
                true,
                path.clone(),
                "was read-only, now may be destructive".into(),
            );
        } else if before.annotations != after.annotations {
            push(false, path.clone(), "annotations changed".into());
        }
    }
    for name in new.tools.keys().filter(|n| !old.tools.contains_key(*n)) {
        push(false, format!("tool {name}"), "added".into());
    }
    for (name, before) in &old.prompts {
        let path = format!("prompt {name}");
        let Some(after) = new.prompts.get(name) else {
            push(true, path, "removed".into());
            continue;
        };
        for (arg, required) in &after.arguments {
            match before.arguments.get(arg) {
                None if *required => push(
                    true,
                    format!("{path}: argument {arg}"),
                    "added, required".into(),
                ),
                None => push(false, format!("{path}: argument {arg}"), "added".into()),
                Some(false) if *required => push(
                    true,
                    format!("{path}: argument {arg}"),
                    "now required".into(),
                ),
                _ => {}
            }
        }
        for arg in before.arguments.keys() {
            if !after.arguments.contains_key(arg) {
                push(
                    false,
                    format!("{path}: argument {arg}"),
                    "removed (clients that send it are ignored)".into(),
                );
            }
        }
    }
    for name in new.prompts.keys().filter(|n| !old.prompts.contains_key(*n)) {
        push(false, format!("prompt {name}"), "added".into());
    }
    for template in old.resource_templates.difference(&new.resource_templates) {
        push(
            true,
            format!("resource template {template}"),
            "removed".into(),
        );
    }
    for template in new.resource_templates.difference(&old.resource_templates) {
        push(
            false,
            format!("resource template {template}"),
            "added".into(),
        );
    }
    for uri in old.resources.difference(&new.resources) {
        push(false, format!("resource {uri}"), "removed".into());
    }
    for uri in new.resources.difference(&old.resources) {
        push(false, format!("resource {uri}"), "added".into());
    }
    out.sort_by_key(|d| !d.breaking);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// What clients send: adding requirements or narrowing breaks them.
    Input,
    /// What clients read: taking away breaks them.
    Output,
}

/// The differences of two object schemas, property by property (nested
/// objects included).
fn schema_diff(
    before: &Value,
    after: &Value,
    path: &str,
    direction: Direction,
    push: &mut impl FnMut(bool, String, String),
) {
    let empty = Map::new();
    let props = |s: &Value| s.get("properties").and_then(Value::as_object).cloned();
    let old_props = props(before).unwrap_or_else(|| empty.clone());
    let new_props = props(after).unwrap_or_else(|| empty.clone());
    let required = |s: &Value| -> BTreeSet<String> {
        super::oauth::strings(s, "required").into_iter().collect()
    };
    let (old_required, new_required) = (required(before), required(after));
    for (name, old_schema) in &old_props {
        let at = format!("{path} property {name}");
        let Some(new_schema) = new_props.get(name) else {
            push(true, at, "removed".into());
            continue;
        };
        if direction == Direction::Input
            && new_required.contains(name)
            && !old_required.contains(name)
        {
            push(true, at.clone(), "now required".into());
        }
        let (old_types, new_types) = (types(old_schema), types(new_schema));
        if old_types != new_types && !old_types.is_empty() {
            let narrowed = match direction {
                // A client sends one of the old types: each must still be accepted.
                Direction::Input => !old_types.is_subset(&new_types) && !new_types.is_empty(),
                // A client reads one of the old types: a new one it does not know breaks it.
                Direction::Output => !new_types.is_subset(&old_types),
            };
            push(
                narrowed,
                at.clone(),
                format!("{} -> {}", join(&old_types), join(&new_types)),
            );
        }
        if let (Some(old_enum), Some(new_enum)) = (enum_of(old_schema), enum_of(new_schema)) {
            for value in old_enum.iter().filter(|v| !new_enum.contains(v)) {
                push(
                    direction == Direction::Input,
                    at.clone(),
                    format!("enum value {value} removed"),
                );
            }
            for value in new_enum.iter().filter(|v| !old_enum.contains(v)) {
                push(
                    direction == Direction::Output,
                    at.clone(),
                    format!("enum value {value} added"),
                );
            }
        }
        if old_schema.get("properties").is_some() || new_schema.get("properties").is_some() {
            schema_diff(old_schema, new_schema, &at, direction, push);
        }
    }
    for (name, _) in new_props
        .iter()
        .filter(|(n, _)| !old_props.contains_key(*n))
    {
        let at = format!("{path} property {name}");
        if direction == Direction::Input && new_required.contains(name) {
            push(true, at, "added, required".into());
        } else {
            push(false, at, "added".into());
        }
    }
}

/// The JSON Schema `type`s of a property (none when it does not say).
fn types(schema: &Value) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = match schema.get("type") {
        Some(Value::String(t)) => [t.clone()].into(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => BTreeSet::new(),
    };
    // An integer is a number: `integer -> number` widens.
    if out.contains("number") {
        out.insert("integer".into());
    }
    out
}

fn join(types: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = types
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "integer" || !types.contains("number"))
        .collect();
    if shown.is_empty() {
        "any".to_string()
    } else {
        shown.join(" | ")
    }
}

fn enum_of(schema: &Value) -> Option<Vec<String>> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(Value::to_string).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tool(input: Value) -> Tool {
        Tool {
            description: Some("looks up".into()),
            input_schema: input,
            output_schema: Value::Null,
            annotations: Value::Null,
        }
    }

    fn contract(tools: &[(&str, Tool)]) -> Contract {
        Contract {
            format: FORMAT,
            tools: tools
                .iter()
                .map(|(n, t)| (n.to_string(), t.clone()))
                .collect(),
            ..Contract::default()
        }
    }

    fn lookup(properties: Value, required: &[&str]) -> Contract {
        contract(&[(
            "lookup",
            tool(json!({"type":"object","properties":properties,"required":required})),
        )])
    }

    fn shown(differences: &[Difference]) -> Vec<(bool, String)> {
        differences
            .iter()
            .map(|d| (d.breaking, d.to_string()))
            .collect()
    }

    #[test]
    fn a_removed_tool_breaks_and_an_added_one_does_not() {
        let old = lookup(json!({}), &[]);
        let new = contract(&[("search", tool(json!({})))]);
        assert_eq!(
            shown(&diff(&old, &new)),
            [
                (true, "tool lookup: removed".to_string()),
                (false, "tool search: added".to_string())
            ]
        );
    }

    #[test]
    fn a_required_input_added_breaks_an_optional_one_does_not() {
        let old = lookup(json!({"id":{"type":"integer"}}), &["id"]);
        let new = lookup(
            json!({"id":{"type":"integer"},"region":{"type":"string"},"limit":{"type":"integer"}}),
            &["id", "region"],
        );
        assert_eq!(
            shown(&diff(&old, &new)),
            [
                (
                    true,
                    "tool lookup: input property region: added, required".to_string()
                ),
                (
                    false,
                    "tool lookup: input property limit: added".to_string()
                ),
            ]
        );
    }

    #[test]
    fn an_optional_input_made_required_breaks() {
        let old = lookup(json!({"id":{"type":"integer"}}), &[]);
        let new = lookup(json!({"id":{"type":"integer"}}), &["id"]);
        assert_eq!(
            shown(&diff(&old, &new)),
            [(
                true,
                "tool lookup: input property id: now required".to_string()
            )]
        );
    }

    #[test]
    fn a_removed_input_property_breaks() {
        let old = lookup(json!({"id":{"type":"integer"},"q":{"type":"string"}}), &[]);
        let new = lookup(json!({"id":{"type":"integer"}}), &[]);
        assert_eq!(
            shown(&diff(&old, &new)),
            [(true, "tool lookup: input property q: removed".to_string())]
        );
    }

    #[test]
    fn a_narrowed_or_changed_input_type_breaks_a_widened_one_does_not() {
        let old = lookup(json!({"id":{"type":"integer"}}), &[]);
        let changed = lookup(json!({"id":{"type":"string"}}), &[]);
        assert_eq!(
            shown(&diff(&old, &changed)),
            [(
                true,
                "tool lookup: input property id: integer -> string".to_string()
            )]
        );
        let widened = lookup(json!({"id":{"type":["integer","string"]}}), &[]);
        assert_eq!(
            shown(&diff(&old, &widened)),
            [(
                false,
                "tool lookup: input property id: integer -> integer | string".to_string()
            )]
        );
        let number = lookup(json!({"id":{"type":"number"}}), &[]);
        assert!(!diff(&old, &number)[0].breaking, "integer -> number widens");
        assert!(diff(&number, &old)[0].breaking, "number -> integer narrows");
    }

    #[test]
    fn a_removed_enum_value_breaks_an_added_one_does_not() {
        let old = lookup(json!({"unit":{"type":"string","enum":["c","f"]}}), &[]);
        let new = lookup(json!({"unit":{"type":"string","enum":["c","k"]}}), &[]);
        assert_eq!(
            shown(&diff(&old, &new)),
            [
                (
                    true,
                    "tool lookup: input property unit: enum value \"f\" removed".to_string()
                ),
                (
                    false,
                    "tool lookup: input property unit: enum value \"k\" added".to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_removed_output_property_breaks_an_added_one_does_not() {
        let mut old = lookup(json!({}), &[]);
        old.tools.get_mut("lookup").unwrap().output_schema = json!({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}}});
        let mut new = old.clone();
        new.tools.get_mut("lookup").unwrap().output_schema = json!({"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string"}}});
        assert_eq!(
            shown(&diff(&old, &new)),
            [
                (
                    true,
                    "tool lookup: output property age: removed".to_string()
                ),
                (
                    false,
                    "tool lookup: output property email: added".to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_read_only_tool_made_destructive_breaks() {
        let mut old = lookup(json!({}), &[]);
        old.tools.get_mut("lookup").unwrap().annotations = json!({"readOnlyHint": true});
        let mut new = old.clone();
        new.tools.get_mut("lookup").unwrap().annotations =
            json!({"readOnlyHint": false, "destructiveHint": true});
        assert_eq!(
            shown(&diff(&old, &new)),
            [(
                true,
                "tool lookup: was read-only, now may be destructive".to_string()
            )]
        );
        let mut titled = old.clone();
        titled.tools.get_mut("lookup").unwrap().annotations =
            json!({"readOnlyHint": true, "title": "Lookup"});
        assert_eq!(
            shown(&diff(&old, &titled)),
            [(false, "tool lookup: annotations changed".to_string())]
        );
    }

    #[test]
    fn a_changed_description_is_compatible() {
        let old = lookup(json!({}), &[]);
        let mut new = old.clone();
        new.tools.get_mut("lookup").unwrap().description = Some("finds".into());
        assert_eq!(
            shown(&diff(&old, &new)),
            [(false, "tool lookup: description changed".to_string())]
        );
    }

    #[test]
    fn prompts_and_templates_removed_break_resources_removed_do_not() {
        let mut old = Contract::default();
        old.prompts.insert(
            "summary".into(),
            Prompt {
                arguments: [("topic".to_string(), false)].into(),
            },
        );
        old.prompts.insert("gone".into(), Prompt::default());
        old.resource_templates.insert("file:///{path}".into());
        old.resources.insert("file:///a".into());
        let mut new = Contract::default();
        new.prompts.insert(
            "summary".into(),
            Prompt {
                arguments: [("topic".to_string(), true), ("tone".to_string(), true)].into(),
            },
        );
        assert_eq!(
            shown(&diff(&old, &new)),
            [
                (true, "prompt gone: removed".to_string()),
                (
                    true,
                    "prompt summary: argument tone: added, required".to_string()
                ),
                (
                    true,
                    "prompt summary: argument topic: now required".to_string()
                ),
                (
                    true,
                    "resource template file:///{path}: removed".to_string()
                ),
                (false, "resource file:///a: removed".to_string()),
            ]
        );
    }

    #[test]
    fn the_saved_contract_is_sorted_and_round_trips() {
        let mut c = lookup(
            json!({"z":{"type":"string"},"a":{"type":"integer"}}),
            &["z"],
        );
        c.format = 0;
        let text = c.to_json();
        assert!(
            text.find("\"a\"").unwrap() < text.find("\"z\"").unwrap(),
            "{text}"
        );
        let back = Contract::from_json(&text).unwrap();
        assert!(diff(&back, &c).is_empty());
        assert_eq!(back.to_json(), text);
        assert!(Contract::from_json("{\"format\": 9}").is_err());
    }
}
