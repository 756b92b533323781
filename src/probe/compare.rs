//! The contract after the handshake: the server's lists (tools, prompts,
//! resource templates, resources) read through the session, and with a
//! baseline the differences judged ([`super::contract`]).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::wire::Wire;
use super::{CheckReport, Options, Secret, Step};

/// The contract's lists, read through the session (or statelessly).
impl super::contract::Lister for Wire {
    async fn page(
        &mut self,
        method: &'static str,
        cursor: Option<String>,
    ) -> Result<Value, String> {
        let params = cursor.map(|c| json!({ "cursor": c }));
        let timeout = Duration::from_secs(10);
        let reply = self
            .request(method, params, timeout)
            .await
            .map_err(|e| format!("`{method}`: {e}"))?;
        match reply.result() {
            Some(result) if reply.ok() => Ok(result.clone()),
            _ => Err(format!("`{method}` answered {}", reply.describe())),
        }
    }
}

/// Read the server's contract and, with a baseline, judge the differences.
pub(super) async fn compare_contract(
    report: &mut CheckReport,
    wire: &mut Wire,
    options: &Options,
    secret: &Secret,
) {
    let started = Instant::now();
    let listed = std::mem::take(&mut wire.listed);
    let capabilities = report.capabilities.clone();
    let contract = match super::contract::read(wire, &listed, &capabilities).await {
        Ok(contract) => contract,
        Err(e) => {
            report.fail(
                Step::Contract,
                started,
                secret.scrub(&super::neutral(&format!("reading the contract: {e}"))),
                Some(
                    "the server announced prompts or resources but did not list them; see its logs"
                        .into(),
                ),
            );
            return;
        }
    };
    let Some((source, baseline)) = &options.baseline else {
        report.pass(
            Step::Contract,
            started,
            format!(
                "{} tools, {} prompts, {} resource templates, {} resources",
                contract.tools.len(),
                contract.prompts.len(),
                contract.resource_templates.len(),
                contract.resources.len()
            ),
        );
        report.contract_read = Some(contract);
        return;
    };
    let differences = super::contract::diff(baseline, &contract);
    let judged = super::contract::ContractReport::new(source, &differences, options.allow_breaking);
    report.contract_read = Some(contract);
    let breaking = judged.breaking.clone();
    let compatible = judged.compatible.len();
    report.contract = Some(judged);
    if !breaking.is_empty() && !options.allow_breaking {
        report.fail(
            Step::Contract,
            started,
            super::neutral(&format!(
                "{} breaking change{} against {source}: {}",
                breaking.len(),
                if breaking.len() == 1 { "" } else { "s" },
                breaking.join("; ")
            )),
            Some("clients that use what changed will fail: keep it, or let this release through with --allow-breaking (or `[check] breaking = \"warn\"`)".into()),
        );
        return;
    }
    report.pass(
        Step::Contract,
        started,
        super::neutral(&format!(
            "against {source}: {} breaking{}, {compatible} compatible",
            breaking.len(),
            if breaking.is_empty() {
                ""
            } else {
                " (allowed)"
            },
        )),
    );
}
