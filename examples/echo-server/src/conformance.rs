//! The diagnostic tools the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`, scenario `server-stateless`) calls to
//! exercise a server's 2026-07-28 behaviour. Listed only with `CONFORMANCE=1`;
//! a server of your own does not need them.

use rmcp::model::{
    ClientCapabilities, ElicitRequest, ElicitRequestParams, InputRequest, InputRequests,
    InputRequiredResult,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, tool, tool_router};

use crate::Echo;

#[tool_router(router = conformance_tools, vis = "pub(crate)")]
impl Echo {
    /// A tool that needs sampling: a client that did not declare it in the
    /// request's `_meta` gets -32021 (HTTP 400), naming the capability.
    #[tool(description = "Requires the sampling client capability")]
    // Sampling is deprecated (SEP-2577), but it is the capability the suite asks about.
    #[allow(deprecated)]
    fn test_missing_capability(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        if context
            .client_capabilities()
            .is_none_or(|caps| caps.sampling.is_none())
        {
            return Err(ErrorData::missing_required_client_capability(
                ClientCapabilities::builder().enable_sampling().build(),
            ));
        }
        Ok("sampling is declared".to_string())
    }

    /// Asks the client for input the 2026-07-28 way: an `input_required`
    /// result in the response, never a request of the server's own.
    #[tool(description = "Returns an input_required result asking for a value")]
    fn test_streaming_elicitation(&self) -> Result<InputRequiredResult, ErrorData> {
        let schema = rmcp::serde_json::from_value(rmcp::serde_json::json!({
            "type": "object",
            "properties": { "value": { "type": "string" } },
            "required": ["value"],
        }))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let mut requests = InputRequests::new();
        requests.insert(
            "value".into(),
            InputRequest::Elicitation(ElicitRequest::new(
                ElicitRequestParams::FormElicitationParams {
                    meta: None,
                    message: "Provide a value".into(),
                    requested_schema: schema,
                },
            )),
        );
        Ok(InputRequiredResult::from_input_requests(requests))
    }

    /// Sends no log message: the server declares no `logging` capability
    /// (logging is deprecated by SEP-2577), and a request without
    /// `_meta.io.modelcontextprotocol/logLevel` must get none anyway.
    #[tool(description = "Sends no log message, as the request set no log level")]
    fn test_logging_tool(&self) -> String {
        "done".to_string()
    }
}
