//! The MCP check as mcp.toml configures it, for every platform's deploy,
//! `mcp check` and `status`: probe [`Options`] from `deploy.*` and `[check]`
//! (credentials read from their variables, the pinned revision), the check
//! until healthy after a rollout, one check for a status report, and the
//! live release's contract a deploy remembers for the checks after it.
//! `probe/` itself knows nothing of `Settings`: what it needs is passed in.
//!
//! A Lambda stage whose function URLs have `AuthType AWS_IAM`
//! (`lambda.url_auth`) is checked with every request signed (SigV4 for
//! `lambda`, the caller's credentials, resolved once per check): [`options`]
//! adds the signer, and every check here goes through it. The server's own
//! bearer token cannot ride in `Authorization` beside the signature, so
//! `deploy.auth_token_env` and `deploy.auth` are refused on such a stage.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::config::{DeploySettings, FILE_NAME, Settings, TargetKind, UrlAuth};
use crate::error::{ExitStatus, McpError};
use crate::probe::{
    Call, CheckReport, ClientCredentials, DEFAULT_TIMEOUT, Options, SESSION_REQUESTS, Step,
    baseline, contract, revision, run_check,
};
use crate::ui::Printer;

impl Options {
    /// From `deploy.*`: errors name the key or variable that is wrong.
    /// No signer: [`options`] adds it where the stage wants one (this one
    /// is for pre-flight checks that send nothing).
    pub fn from_settings(settings: &Settings) -> Result<Options> {
        let deploy = &settings.deploy;
        refuse_token_beside_signature(settings)?;
        let protocol = match deploy.protocol.as_deref() {
            None | Some("") => None,
            Some(pin) => Some(revision::known(pin).ok_or_else(|| {
                McpError::usage(format!(
                    "`deploy.protocol` (or --protocol, {}) is `{pin}`, which is not an MCP revision `mcp` speaks",
                    crate::config::schema::env::PROTOCOL
                ))
                .hint(format!(
                    "write one of {}, or remove it to let the check negotiate",
                    revision::list()
                ))
            })?),
        };
        let credentials = match &deploy.auth {
            None => None,
            Some(auth) => {
                let var = &auth.client_secret_env;
                let secret = match std::env::var(var) {
                    Ok(secret) if !secret.trim().is_empty() => secret.trim().to_string(),
                    _ => {
                        return Err(McpError::new(format!(
                            "`deploy.auth.client_secret_env` names the environment variable {var}, but it is not set"
                        ))
                        .hint(format!(
                            "export {var} with the OAuth client's secret, or remove `deploy.auth` from {FILE_NAME}"
                        ))
                        .into());
                    }
                };
                Some(ClientCredentials {
                    client_id: auth.client_id.clone(),
                    secret,
                    scope: auth.scope.clone(),
                    allow_insecure_http: deploy.allow_insecure_http,
                })
            }
        };
        let calls = settings
            .check
            .calls
            .iter()
            .map(|c| Call {
                tool: c.tool.clone(),
                arguments: c.arguments.clone(),
                expect: c.expect.clone(),
                timeout: c.timeout,
            })
            .collect();
        Ok(Options {
            health_path: deploy.health_path.clone(),
            token: bearer_token(deploy)?,
            credentials,
            protocol,
            calls,
            session_requests: SESSION_REQUESTS,
            read_contract: false,
            baseline: None,
            allow_breaking: settings.check.breaking == crate::config::Breaking::Warn,
            timeout: DEFAULT_TIMEOUT,
            signer: None,
        }
        .with_live_contract(settings))
    }

    /// Compare with the contract a deploy read from the service's live
    /// release before it changed anything, when there is one.
    fn with_live_contract(mut self, settings: &Settings) -> Self {
        if let Some(live) = live_contract(settings) {
            self.baseline = Some(("the live release".to_string(), live.contract));
            self.allow_breaking |= live.allow_breaking;
        }
        self
    }
}

/// Whether this stage's endpoint wants signed requests: a Lambda stage with
/// `lambda.url_auth = "AWS_IAM"`.
pub fn signs(settings: &Settings) -> bool {
    settings.target == TargetKind::Lambda && settings.lambda.url_auth == UrlAuth::AwsIam
}

/// The probe's [`Options`] for a check that sends requests:
/// [`Options::from_settings`], and on an `AWS_IAM` Lambda stage a SigV4
/// signer with the caller's credentials (resolved here, once).
pub async fn options(settings: &Settings) -> Result<Options> {
    let mut options = Options::from_settings(settings)?;
    if signs(settings) {
        let config = crate::aws::sdk_config(settings).await;
        let signer =
            crate::aws::sigv4::FunctionUrlSigner::resolve(&config, settings.profile.as_deref())
                .await?;
        options.signer = Some(std::sync::Arc::new(signer));
    }
    Ok(options)
}

/// SigV4 goes in `Authorization`, where a bearer token would: a stage that
/// signs cannot also send the server's own token.
fn refuse_token_beside_signature(settings: &Settings) -> Result<()> {
    if !signs(settings) {
        return Ok(());
    }
    let key = match (&settings.deploy.auth_token_env, &settings.deploy.auth) {
        (Some(_), _) => "deploy.auth_token_env",
        (None, Some(_)) => "deploy.auth",
        (None, None) => return Ok(()),
    };
    Err(McpError::usage(format!(
        "`{key}` and `lambda.url_auth = \"AWS_IAM\"` both want the `Authorization` header: the function URL needs the SigV4 signature there, so the server's own token cannot go with it"
    ))
    .hint(format!(
        "remove `{key}` from this stage (the function URL's IAM auth guards it), or set `lambda.url_auth = \"NONE\"` and let the server check its token; a server that needs both must read its token from another header, which `mcp` does not send"
    ))
    .into())
}

/// The bearer token from the variable named by `deploy.auth_token_env`, if any.
///
/// A named variable that is unset or empty is an error that names it: checking
/// without the token would fail at `initialize` with a less useful message.
pub fn bearer_token(deploy: &DeploySettings) -> Result<Option<String>> {
    let Some(var) = deploy.auth_token_env.as_deref() else {
        return Ok(None);
    };
    match std::env::var(var) {
        Ok(token) if !token.trim().is_empty() => Ok(Some(token.trim().to_string())),
        _ => Err(McpError::new(format!(
            "`deploy.auth_token_env` names the environment variable {var}, but it is not set"
        ))
        .hint(format!(
            "export {var} with the server's bearer token, or remove `deploy.auth_token_env` from {FILE_NAME}"
        ))
        .into()),
    }
}

/// Run the check until it passes or `patience` goes by (bounded by
/// `deploy.timeout`): a new target takes a few health-check intervals to
/// receive traffic behind a load balancer. Prints `Checking` and, on success,
/// `Checked` with the server's name and tools. Ctrl-C ends the wait with 130.
///
/// A failed `session` step is not retried: it is the verdict on the
/// deployment's topology, not a target still warming up.
pub async fn until_healthy(
    settings: &Settings,
    printer: &Printer,
    url: &str,
    patience: Duration,
) -> Result<CheckReport> {
    let options = options(settings).await?;
    let deadline = Instant::now() + patience.min(settings.deploy.timeout);
    printer.status("Checking", url);
    // Ctrl-C here ends the command (130).
    let interrupted = crate::cancel::cancelled();
    tokio::pin!(interrupted);
    let stop = || {
        anyhow::Error::new(
            McpError::new(format!("interrupted while checking {url}"))
                .with_status(ExitStatus::Interrupted)
                .hint("the rollout itself completed; run `mcp check` to check again"),
        )
    };
    loop {
        let report = tokio::select! {
            _ = &mut interrupted => return Err(stop()),
            report = run_check(url, &options) => report?,
        };
        // A session lost between tasks, or a contract the release breaks,
        // are verdicts on the release, not targets still warming up.
        let settled = matches!(report.failed_step, Some(Step::Session | Step::Contract));
        if report.healthy || settled || Instant::now() >= deadline {
            if report.healthy {
                printer.status("Checked", report.summary());
            }
            return Ok(report);
        }
        tokio::select! {
            _ = &mut interrupted => return Err(stop()),
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

/// The contracts of the releases live before this process's deploys, by
/// service and stage: a deploy reads it before anything changes
/// ([`remember_live_contract`]), and every check of that service after it
/// (the gate, the check after a rollout) compares the new release with it.
static LIVE: std::sync::Mutex<Vec<(String, Live)>> = std::sync::Mutex::new(Vec::new());

#[derive(Clone)]
struct Live {
    contract: contract::Contract,
    allow_breaking: bool,
}

/// Before a deploy: read the contract of the release `deploy.url` serves
/// now, for the checks after it. Says what it found; a URL that does not
/// answer means a first deploy (or a broken live release): no baseline.
pub async fn remember_live_contract(
    settings: &Settings,
    printer: &Printer,
    url: &str,
    allow_breaking: bool,
) {
    let Ok(mut options) = options(settings).await else {
        return; // the deploy's own pre-flight says what is wrong
    };
    options.timeout = Duration::from_secs(5);
    match baseline(url, &options).await {
        Ok(contract) => {
            printer.status(
                "Contract",
                format!(
                    "of the live release: {} tool{}{}",
                    contract.tools.len(),
                    if contract.tools.len() == 1 { "" } else { "s" },
                    if allow_breaking {
                        " (breaking changes allowed)"
                    } else {
                        ""
                    }
                ),
            );
            if let Ok(mut live) = LIVE.lock() {
                let key = live_key(settings);
                live.retain(|(k, _)| *k != key);
                live.push((
                    key,
                    Live {
                        contract,
                        allow_breaking,
                    },
                ));
            }
        }
        Err(e) => printer.detail(
            0,
            format!("no contract to compare with: {url} does not answer MCP now ({e:#}); a first deploy has none"),
        ),
    }
}

/// Which service of which stage a contract belongs to.
fn live_key(settings: &Settings) -> String {
    format!(
        "{}@{}",
        settings.service_or_name(),
        settings.stage.as_deref().unwrap_or("")
    )
}

/// The live contract remembered for the service of `settings`, if any.
fn live_contract(settings: &Settings) -> Option<Live> {
    let key = live_key(settings);
    let live = LIVE.lock().ok()?;
    live.iter().find(|(k, _)| *k == key).map(|(_, l)| l.clone())
}

/// One check of `deploy.url` for a health report (no retries); `None` without
/// a URL, or when the check cannot start.
pub async fn once(settings: &Settings) -> Option<CheckReport> {
    let url = settings.deploy.url.as_deref()?;
    let options = options(settings).await.ok()?;
    run_check(url, &options).await.ok()
}
