//! The `mcp` binary: parse, run, render the error, exit. Nothing else.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

fn main() -> ExitCode {
    // Parsed under the name it was invoked as (`mcp` or `mcp-deploy`).
    let cli = mcp::cli::parse();
    let printer = mcp::printer_for(&cli);
    let command_name = format!("{} {}", mcp::cli::invoked_name(), cli.command_name);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            printer.error_line(&format!("error: starting the async runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        // Ctrl-C from here on cancels the one token every wait and change checks.
        mcp::cancel::listen(&printer);
        mcp::cancel::run(mcp::run(cli, &printer)).await
    });
    // Don't wait for blocking tasks still reading a socket or a pipe.
    runtime.shutdown_background();
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            let rendered = mcp::ui::render::render_verbose(&err, printer.verbosity());
            if rendered.broken_pipe {
                // `mcp logs | head`: the reader had enough; that is success.
                return ExitCode::SUCCESS;
            }
            for line in &rendered.lines {
                printer.error_line(line);
            }
            if printer.github() && rendered.status != mcp::error::ExitStatus::Interrupted {
                // The failure as an annotation on the job, its hint included.
                printer.workflow_command(&mcp::ui::github::error_annotation(
                    &command_name,
                    &rendered.message,
                    rendered.hint.as_deref(),
                ));
            }
            if printer.json() && !mcp::ui::printer::stdout_written() {
                // A CI step parses stdout: a failure is one JSON object there too
                // (unless a report already went there: it carries the failure).
                // URL credentials are redacted as in every other output.
                let mut value = rendered.json();
                mcp::ui::sanitize::redact_json(&mut value);
                let mut object = value.to_string();
                object.push('\n');
                let _ = printer.raw(object.as_bytes());
            }
            rendered.status.into()
        }
    }
}
