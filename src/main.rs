//! The `mcp` binary: parse, run, render the error, exit. Nothing else.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

fn main() -> ExitCode {
    // Parsed under the name it was invoked as (`mcp` or `mcp-deploy`).
    let cli = mcp::cli::parse();
    let printer = mcp::printer_for(&cli);
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
    let result = runtime.block_on(mcp::run(cli, &printer));
    // Don't wait for blocking tasks still reading a socket or a pipe.
    runtime.shutdown_background();
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            let rendered = mcp::error::render_verbose(&err, printer.verbosity());
            if rendered.broken_pipe {
                // `mcp logs | head`: the reader had enough; that is success.
                return ExitCode::SUCCESS;
            }
            for line in &rendered.lines {
                printer.error_line(line);
            }
            rendered.status.into()
        }
    }
}
