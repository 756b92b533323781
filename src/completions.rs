//! `mcp completions SHELL`. Lives beside `cli.rs` rather than in `ops/` because
//! it is generated from the clap command itself.
//!
//! The binary is installed under two names, `mcp` and `mcp-deploy` (the second
//! one for projects where the MCP Python SDK's own `mcp` comes first on PATH), so
//! completions exist for both: `mcp completions` prints them for the name it was
//! invoked under, and both sets are committed under `completions/`.

use clap_complete::Shell as Target;

use crate::cli::{self, Shell};

/// The names the binary is installed under.
pub const NAMES: &[&str] = &["mcp", "mcp-deploy"];

/// The completion script for `shell`, completing the command `name`.
pub fn generate(shell: Shell, name: &str) -> Vec<u8> {
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::Powershell => Target::PowerShell,
        Shell::Elvish => Target::Elvish,
    };
    let mut out = Vec::new();
    clap_complete::generate(target, &mut cli::command_named(name), name, &mut out);
    out
}

/// Where the script for `shell` and the command `name` is committed in the
/// repository (install.sh and the release archives take them from there).
pub fn file(shell: Shell, name: &str) -> String {
    match shell {
        Shell::Bash => format!("completions/{name}.bash"),
        Shell::Zsh => format!("completions/_{name}"),
        Shell::Fish => format!("completions/{name}.fish"),
        Shell::Powershell => format!("completions/_{name}.ps1"),
        Shell::Elvish => format!("completions/{name}.elv"),
    }
}

/// Every shell completions are committed for.
pub const SHELLS: &[Shell] = &[
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Powershell,
    Shell::Elvish,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards against shipping completions that no longer match the CLI, for
    /// both names the binary is installed under.
    /// Regenerate with `MCP_UPDATE_COMPLETIONS=1 cargo nextest run completions`.
    #[test]
    fn committed_completions_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let update = std::env::var_os("MCP_UPDATE_COMPLETIONS").is_some();
        let mut stale = Vec::new();
        for name in NAMES {
            for shell in SHELLS {
                let file = file(*shell, name);
                let path = root.join(&file);
                let fresh = generate(*shell, name);
                if update {
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, &fresh).unwrap();
                } else if std::fs::read(&path).ok().as_deref() != Some(fresh.as_slice()) {
                    stale.push(file);
                }
            }
        }
        assert!(
            stale.is_empty(),
            "stale completions: {stale:?}; regenerate with `MCP_UPDATE_COMPLETIONS=1 cargo nextest run completions`"
        );
    }

    /// The second name's completions complete `mcp-deploy`, not `mcp`.
    #[test]
    fn mcp_deploy_completions_name_mcp_deploy() {
        let bash = String::from_utf8(generate(Shell::Bash, "mcp-deploy")).unwrap();
        let registrations: Vec<&str> = bash
            .lines()
            .filter(|l| l.trim_start().starts_with("complete "))
            .collect();
        assert!(!registrations.is_empty(), "{bash}");
        for line in registrations {
            assert!(line.ends_with(" mcp-deploy"), "{line}");
        }
        let fish = String::from_utf8(generate(Shell::Fish, "mcp-deploy")).unwrap();
        assert!(fish.contains("complete -c mcp-deploy"), "{fish}");
    }
}
