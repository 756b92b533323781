//! `mcp completions SHELL`. Lives beside `cli.rs` rather than in `ops/` because
//! it is generated from the clap command itself.

use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::cli::{Cli, Shell};

/// The completion script for `shell`.
pub fn generate(shell: Shell) -> Vec<u8> {
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::Powershell => Target::PowerShell,
        Shell::Elvish => Target::Elvish,
    };
    let mut out = Vec::new();
    clap_complete::generate(target, &mut Cli::command(), "mcp", &mut out);
    out
}

/// Where each script is committed in the repository and installed by install.sh.
pub const FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "completions/mcp.bash"),
    (Shell::Zsh, "completions/_mcp"),
    (Shell::Fish, "completions/mcp.fish"),
    (Shell::Powershell, "completions/_mcp.ps1"),
    (Shell::Elvish, "completions/mcp.elv"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards against shipping completions that no longer match the CLI.
    /// Regenerate with `MCP_UPDATE_COMPLETIONS=1 cargo nextest run completions`.
    #[test]
    fn committed_completions_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let update = std::env::var_os("MCP_UPDATE_COMPLETIONS").is_some();
        let mut stale = Vec::new();
        for (shell, file) in FILES {
            let path = root.join(file);
            let fresh = generate(*shell);
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &fresh).unwrap();
            } else if std::fs::read(&path).ok().as_deref() != Some(fresh.as_slice()) {
                stale.push(*file);
            }
        }
        assert!(
            stale.is_empty(),
            "stale completions: {stale:?}; regenerate with `MCP_UPDATE_COMPLETIONS=1 cargo nextest run completions`"
        );
    }
}
