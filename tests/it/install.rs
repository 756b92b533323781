//! install.sh, the release archives and the GitHub Action, end to end on loopback.
//!
//! A release is packed from the debug binary by `scripts/package.sh` (the script
//! the release workflow calls: CI has no release build) and served by a small
//! HTTP server on 127.0.0.1 laid out as GitHub publishes it:
//! `download/v<V>/<file>` and `latest/download/<file>`. install.sh downloads from
//! it through `MCP_INSTALL_BASE_URL`. No testbed needed.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const TARGET: &str = "x86_64-unknown-linux-gnu";
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn archive_name() -> String {
    format!("mcp-{TARGET}.tar.gz")
}

/// The packed release (archive and SHA256SUMS), built once per debug binary and
/// shared by the tests (nextest runs each in its own process).
fn packed() -> &'static Path {
    static PACKED: OnceLock<PathBuf> = OnceLock::new();
    PACKED.get_or_init(|| {
        let binary = assert_cmd::cargo::cargo_bin("mcp");
        let meta = std::fs::metadata(&binary).unwrap();
        let stamp = meta
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-release");
        let dir = base.join(format!("{stamp}-{}", meta.len()));
        std::fs::create_dir_all(&base).unwrap();
        // One process packs, the others wait for it (nextest runs tests in parallel processes).
        let lock = std::fs::File::create(base.join("lock")).unwrap();
        lock.lock().unwrap();
        if dir.join("SHA256SUMS").exists() {
            return dir;
        }
        let work = base.join(format!("work-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        for args in [
            vec![
                "pack",
                TARGET,
                binary.to_str().unwrap(),
                "--out",
                work.to_str().unwrap(),
            ],
            vec!["checksums", work.to_str().unwrap()],
        ] {
            let out = Command::new(root().join("scripts/package.sh"))
                .args(&args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "package.sh {args:?}: {}",
                text(&out.stderr)
            );
        }
        std::fs::rename(&work, &dir).unwrap();
        dir
    })
}

/// A directory laid out as a GitHub release page serves its files.
fn release_site(dir: &Path, files: &Path) {
    for sub in [
        format!("download/v{VERSION}"),
        "latest/download".to_string(),
    ] {
        let to = dir.join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for name in [archive_name(), "SHA256SUMS".to_string()] {
            std::fs::copy(files.join(&name), to.join(&name)).unwrap();
        }
    }
}

/// Serves `dir` over HTTP on loopback (GET only, 404 for what is missing);
/// returns the base URL. The thread lives as long as the test process.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let file = dir.join(path.trim_start_matches('/'));
                // `FILE.redirect` holding a URL: a 302 there (a mirror's redirect).
                let mut redirect = file.clone().into_os_string();
                redirect.push(".redirect");
                if let Ok(to) = std::fs::read_to_string(&redirect) {
                    let _ = stream.write_all(
                        format!(
                            "HTTP/1.1 302 Found\r\nLocation: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                            to.trim()
                        )
                        .as_bytes(),
                    );
                    return;
                }
                let body = if path.contains("..") {
                    None
                } else {
                    std::fs::read(&file).ok()
                };
                let _ = match body {
                    Some(body) => stream
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .and_then(|()| stream.write_all(&body)),
                    None => stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    ),
                };
            });
        }
    });
    format!("http://{addr}")
}

/// The good release, served once per test process.
fn good_release() -> &'static str {
    static URL: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    &URL.get_or_init(|| {
        let site = tempfile::tempdir().unwrap();
        release_site(site.path(), packed());
        let url = serve(site.path().to_path_buf());
        (site, url)
    })
    .1
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Env {
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            home: tempfile::tempdir().unwrap(),
        }
    }
    fn prefix(&self) -> PathBuf {
        self.home.path().join("prefix")
    }
    fn bin(&self) -> PathBuf {
        self.prefix().join("bin")
    }
    /// A PATH with the prefix's bin first, then the system's.
    fn path(&self, first: &[&Path]) -> String {
        let mut dirs: Vec<PathBuf> = first.iter().map(|p| p.to_path_buf()).collect();
        dirs.push(self.bin());
        dirs.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
        std::env::join_paths(dirs).unwrap().into_string().unwrap()
    }
    /// `bash install.sh ARGS` as a user would run it, against `base_url`.
    fn install(&self, base_url: &str, args: &[&str]) -> Output {
        self.install_with(base_url, args, &[])
    }
    fn install_with(&self, base_url: &str, args: &[&str], first: &[&Path]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("install.sh"))
            .args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("TMPDIR", self.home.path())
            .env("PATH", self.path(first))
            .env("PREFIX", self.prefix())
            .env("MCP_INSTALL_BASE_URL", base_url)
            .env("MCP_INSTALL_TARGET", TARGET);
        cmd.output().unwrap()
    }
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn last_line(out: &Output) -> String {
    text(&out.stderr).lines().last().unwrap_or("").to_string()
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

const SDK_SCRIPT: &str = "#!/work/app/.venv/bin/python3\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom mcp.cli import app\nif __name__ == \"__main__\":\n    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    sys.exit(app())\n";

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn archive_is_laid_out_as_install_sh_and_binstall_expect() {
    let dir = packed();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let line = sums.lines().next().unwrap();
    assert!(line.ends_with(&format!("  {}", archive_name())), "{line}");
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(dir.join(archive_name()))
        .output()
        .unwrap();
    assert_ok(&listing);
    let listing = text(&listing.stdout);
    let top = format!("mcp-{TARGET}");
    for member in [
        "mcp",
        "mcp-deploy",
        "README.md",
        "docs/configuration.md",
        "completions/mcp.bash",
        "completions/_mcp",
        "completions/mcp.fish",
        "completions/mcp-deploy.bash",
        "completions/_mcp-deploy",
        "completions/mcp-deploy.fish",
    ] {
        assert!(
            listing.lines().any(|l| l == format!("{top}/{member}")),
            "{member} missing from:\n{listing}"
        );
    }
    // `cargo binstall` finds the binary where Cargo.toml's metadata says it is.
    let manifest: toml::Table = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let bin_dir = binstall["bin-dir"]
        .as_str()
        .unwrap()
        .replace("{ target }", TARGET)
        .replace("{ bin }", "mcp")
        .replace("{ binary-ext }", "");
    assert!(listing.lines().any(|l| l == bin_dir), "{bin_dir}");
    let pkg_url = binstall["pkg-url"].as_str().unwrap();
    assert!(
        pkg_url.ends_with("/releases/download/v{ version }/mcp-{ target }.tar.gz"),
        "{pkg_url}"
    );
}

/// Issue 15: installs the release, verified; both names work; the last line says
/// where mcp went and how to put it on PATH (issue 12).
#[test]
fn installs_the_release_and_reruns_as_a_no_op() {
    let env = Env::new();
    let out = env.install(good_release(), &[]);
    assert_ok(&out);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Verified"), "{stderr}");
    assert!(stderr.contains("latest/download/"), "{stderr}");
    assert_eq!(
        files_under(&env.prefix()),
        [
            "bin/mcp",
            "bin/mcp-deploy",
            "share/bash-completion/completions/mcp",
            "share/bash-completion/completions/mcp-deploy",
            "share/fish/vendor_completions.d/mcp-deploy.fish",
            "share/fish/vendor_completions.d/mcp.fish",
            "share/mcp/install-manifest",
            "share/zsh/site-functions/_mcp",
            "share/zsh/site-functions/_mcp-deploy",
        ]
    );
    let bin = env.bin();
    assert_eq!(
        last_line(&out),
        format!(
            "mcp {VERSION} is in {}, which is on your PATH",
            bin.display()
        )
    );
    let version = Command::new(bin.join("mcp"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(text(&version.stdout).trim(), format!("mcp {VERSION}"));
    // Issue 19: the second name says its own name in help, errors and completions.
    let help = Command::new(bin.join("mcp-deploy"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        text(&help.stdout).contains("Usage: mcp-deploy [OPTIONS] <COMMAND>"),
        "{}",
        text(&help.stdout)
    );
    let error = Command::new(bin.join("mcp-deploy"))
        .arg("deplyo")
        .output()
        .unwrap();
    assert_eq!(error.status.code(), Some(2));
    assert!(
        text(&error.stderr).contains("Usage: mcp-deploy"),
        "{}",
        text(&error.stderr)
    );
    let bash = std::fs::read_to_string(
        env.prefix()
            .join("share/bash-completion/completions/mcp-deploy"),
    )
    .unwrap();
    assert!(
        bash.contains(" mcp-deploy\n"),
        "completions name mcp-deploy"
    );

    // Idempotent: nothing is downloaded or rewritten the second time.
    let before = std::fs::metadata(bin.join("mcp"))
        .unwrap()
        .modified()
        .unwrap();
    let again = env.install(good_release(), &["--version", VERSION]);
    assert_ok(&again);
    let stderr = text(&again.stderr);
    assert!(stderr.contains("nothing to do"), "{stderr}");
    assert!(!stderr.contains("Downloading"), "{stderr}");
    assert_eq!(
        std::fs::metadata(bin.join("mcp"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );

    // Uninstall removes what it installed and nothing else.
    std::fs::write(bin.join("mine"), "keep me").unwrap();
    assert_ok(&env.install(good_release(), &["--uninstall"]));
    assert_eq!(files_under(&env.prefix()), ["bin/mine"]);
}

/// A PREFIX that is not on PATH: the last line says how to put it there.
#[test]
fn last_line_tells_how_to_put_the_prefix_on_path() {
    let env = Env::new();
    let mut cmd = Command::new("bash");
    let out = cmd
        .arg(root().join("install.sh"))
        .env_clear()
        .env("HOME", env.home.path())
        .env("TMPDIR", env.home.path())
        .env("PATH", "/usr/bin:/bin")
        .env("PREFIX", env.prefix())
        .env("MCP_INSTALL_BASE_URL", good_release())
        .env("MCP_INSTALL_TARGET", TARGET)
        .output()
        .unwrap();
    assert_ok(&out);
    let bin = env.bin().display().to_string();
    assert_eq!(
        last_line(&out),
        format!("mcp {VERSION} is in {bin}; put it on your PATH: export PATH=\"{bin}:$PATH\"")
    );
}

#[test]
fn refuses_a_corrupted_archive_and_installs_nothing() {
    let site = tempfile::tempdir().unwrap();
    release_site(site.path(), packed());
    for sub in [
        format!("download/v{VERSION}"),
        "latest/download".to_string(),
    ] {
        let archive = site.path().join(sub).join(archive_name());
        let mut bytes = std::fs::read(&archive).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&archive, bytes).unwrap();
    }
    let url = serve(site.path().to_path_buf());
    let env = Env::new();
    let out = env.install(&url, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("error: checksum mismatch for {}", archive_name())),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was installed"), "{stderr}");
    assert_eq!(files_under(&env.prefix()), Vec::<String>::new());
}

#[test]
fn unknown_version_and_no_network_are_clear_errors() {
    let env = Env::new();
    let out = env.install(good_release(), &["--version", "9.9.9"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: there is no release v9.9.9"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");

    // A port nothing listens on: connection refused.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = env.install(&url, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: cannot download"), "{stderr}");
    assert!(stderr.contains("nothing was installed"), "{stderr}");
    assert_eq!(files_under(&env.prefix()), Vec::<String>::new());
}

/// No prebuilt archive for the platform: it goes the source way and says why.
/// `--dry-run` stops before cargo starts (a release build takes minutes).
#[test]
fn falls_back_to_source_for_an_unknown_platform() {
    let env = Env::new();
    let out = Command::new("bash")
        .arg(root().join("install.sh"))
        .arg("--dry-run")
        .env_clear()
        .env("HOME", env.home.path())
        .env("PATH", env.path(&[]))
        .env("PREFIX", env.prefix())
        .env("MCP_INSTALL_BASE_URL", good_release())
        .env("MCP_INSTALL_TARGET", "riscv64gc-unknown-linux-gnu")
        .output()
        .unwrap();
    assert_ok(&out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("from source: there is no prebuilt mcp for riscv64gc-unknown-linux-gnu"),
        "{stderr}"
    );
    assert!(
        stderr.contains("would run: cargo build --release --locked --manifest-path"),
        "{stderr}"
    );
    // A platform the workflow builds but this release lacks: the same fallback.
    let out = Command::new("bash")
        .arg(root().join("install.sh"))
        .arg("--dry-run")
        .env_clear()
        .env("HOME", env.home.path())
        .env("PATH", env.path(&[]))
        .env("PREFIX", env.prefix())
        .env("MCP_INSTALL_BASE_URL", good_release())
        .env("MCP_INSTALL_TARGET", "aarch64-apple-darwin")
        .output()
        .unwrap();
    assert_ok(&out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("from source: the latest release has no mcp-aarch64-apple-darwin.tar.gz"),
        "{stderr}"
    );
    assert!(!env.prefix().exists());
}

/// Issue 19: a prefix whose bin/mcp is the Python SDK's script.
#[test]
fn never_clobbers_the_python_sdk_mcp_without_force() {
    let env = Env::new();
    let sdk = env.bin().join("mcp");
    write_executable(&sdk, SDK_SCRIPT);
    let out = env.install(good_release(), &[]);
    assert_ok(&out);
    let stderr = text(&out.stderr);
    assert_eq!(std::fs::read_to_string(&sdk).unwrap(), SDK_SCRIPT);
    assert!(
        stderr.contains("it is the MCP Python SDK's `mcp` script (#!/work/app/.venv/bin/python3)"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "on PATH, `mcp` runs {}, the MCP Python SDK's",
            sdk.display()
        )),
        "{stderr}"
    );
    assert!(
        last_line(&out).starts_with(&format!("mcp-deploy {VERSION} is in ")),
        "{stderr}"
    );
    let version = Command::new(env.bin().join("mcp-deploy"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        text(&version.stdout).trim(),
        format!("mcp-deploy {VERSION}")
    );
    assert!(!env.prefix().join("share/zsh/site-functions/_mcp").exists());

    // doctor, run as mcp-deploy with a venv whose SDK `mcp` comes first, lists both.
    let venv = env.home.path().join("venv");
    write_executable(&venv.join("bin/mcp"), SDK_SCRIPT);
    let project = env.home.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("mcp.toml"),
        "name = \"demo\"\ntarget = \"local\"\n",
    )
    .unwrap();
    let doctor = Command::new(env.bin().join("mcp-deploy"))
        .args(["doctor", "--output", "json"])
        .current_dir(&project)
        .env_clear()
        .env("HOME", env.home.path())
        .env("PATH", env.path(&[&venv.join("bin")]))
        .env("VIRTUAL_ENV", &venv)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&doctor.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&doctor.stderr)));
    let listed: Vec<(String, String, bool)> = report["mcp_on_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
                e["runs"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                venv.join("bin/mcp").display().to_string(),
                "python-sdk".into(),
                true
            ),
            (sdk.display().to_string(), "python-sdk".into(), false),
        ]
    );
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "mcp on PATH")
        .unwrap();
    assert!(
        check["hint"].as_str().unwrap().contains("use `mcp-deploy`"),
        "{check}"
    );

    // Uninstall leaves the foreign script alone.
    assert_ok(&env.install(good_release(), &["--uninstall"]));
    assert_eq!(std::fs::read_to_string(&sdk).unwrap(), SDK_SCRIPT);
    assert!(!env.bin().join("mcp-deploy").exists());

    // --force replaces it.
    let out = env.install(good_release(), &["--force"]);
    assert_ok(&out);
    assert_ne!(std::fs::read(&sdk).unwrap(), SDK_SCRIPT.as_bytes());
    let version = Command::new(&sdk).arg("--version").output().unwrap();
    assert_eq!(text(&version.stdout).trim(), format!("mcp {VERSION}"));
    assert!(last_line(&out).starts_with(&format!("mcp {VERSION} is in ")));
}

/// The `run:` script of action.yml's install step, as written there.
fn action_script() -> String {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let mut lines = action.lines().skip_while(|l| l.trim() != "run: |");
    let header = lines.next().expect("action.yml has a `run: |` step");
    let indent = header.len() - header.trim_start().len() + 2;
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The action's step, run as GitHub runs a `shell: bash` step:
/// `bash --noprofile --norc -eo pipefail {0}` with the inputs in its env.
fn run_action(env: &Env, version: &str, version_file: &str) -> (Output, String, String) {
    let script = env.home.path().join("step.sh");
    std::fs::write(&script, action_script()).unwrap();
    let github_path = env.home.path().join("github_path");
    let github_output = env.home.path().join("github_output");
    std::fs::write(&github_path, "").unwrap();
    std::fs::write(&github_output, "").unwrap();
    let runner_temp = env.home.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(env.home.path())
        .env_clear()
        .env("HOME", env.home.path())
        .env("PATH", "/usr/bin:/bin")
        .env("INPUT_VERSION", version)
        .env("INPUT_VERSION_FILE", version_file)
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_PATH", &github_path)
        .env("GITHUB_OUTPUT", &github_output)
        .env("RUNNER_TEMP", &runner_temp)
        .env("MCP_INSTALL_BASE_URL", good_release())
        .env("MCP_INSTALL_TARGET", TARGET)
        .output()
        .unwrap();
    (
        out,
        std::fs::read_to_string(github_path).unwrap(),
        std::fs::read_to_string(github_output).unwrap(),
    )
}

#[test]
fn action_installs_onto_path() {
    let env = Env::new();
    let (out, path, output) = run_action(&env, "latest", "");
    assert_ok(&out);
    let bin = env.home.path().join("runner-temp/mcp/bin");
    assert_eq!(path.trim(), bin.display().to_string());
    assert!(output.contains(&format!("version={VERSION}\n")), "{output}");
    assert!(
        output.contains(&format!("bin-dir={}\n", bin.display())),
        "{output}"
    );
    for name in ["mcp", "mcp-deploy"] {
        let ran = Command::new(bin.join(name))
            .arg("--version")
            .output()
            .unwrap();
        assert_eq!(text(&ran.stdout).trim(), format!("{name} {VERSION}"));
    }
}

#[test]
fn action_reads_the_version_file() {
    let env = Env::new();
    std::fs::write(
        env.home.path().join(".tool-versions"),
        format!("python 3.12.1\nmcp {VERSION}  # pinned\n"),
    )
    .unwrap();
    let (out, path, _) = run_action(&env, "latest", ".tool-versions");
    assert_ok(&out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("/download/v{VERSION}/")),
        "{stderr}"
    );
    assert!(!path.is_empty());

    // A version the file names but no release has: the step fails.
    std::fs::write(env.home.path().join(".mcp-version"), "9.9.9\n").unwrap();
    let (out, _, _) = run_action(&env, "latest", ".mcp-version");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no release v9.9.9"),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 12: the README's set-up command puts on PATH the directory install.sh
/// installs into, with and without PREFIX. Its first step runs here with
/// `--dry-run` (the build itself takes minutes); the rest of the command is
/// the README's, word for word.
#[test]
fn readme_setup_command_puts_the_install_dir_on_path() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let command: String = readme
        .lines()
        .skip_while(|l| *l != "<!-- setup-command -->")
        .skip(1)
        .take_while(|l| *l != "<!-- /setup-command -->")
        .filter(|l| !l.starts_with("```"))
        .collect();
    let steps: Vec<&str> = command.split(" && ").collect();
    assert_eq!(steps[0], "./install.sh --from-source", "{command}");
    assert!(steps[1].starts_with("export PATH="), "{command}");
    let script = format!(
        "{} --dry-run && {} && printf '%s\\n' \"${{PATH%%:*}}\"",
        steps[0], steps[1]
    );
    let home = tempfile::tempdir().unwrap();
    let custom = home.path().join("custom prefix");
    for prefix in [None, Some(&custom)] {
        let mut cmd = Command::new("bash");
        cmd.args(["-euo", "pipefail", "-c", &script])
            .current_dir(root())
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", "/usr/bin:/bin");
        if let Some(prefix) = prefix {
            cmd.env("PREFIX", prefix);
        }
        let out = cmd.output().unwrap();
        assert_ok(&out);
        let expected = prefix
            .cloned()
            .unwrap_or_else(|| home.path().join(".local"))
            .join("bin");
        assert_eq!(text(&out.stdout).trim(), expected.display().to_string());
        assert!(
            text(&out.stderr).contains(&format!(
                "would install mcp and mcp-deploy into {}",
                expected.display()
            )),
            "{}",
            text(&out.stderr)
        );
    }
}

/// Guards issue 26 item 5: a version is a semver, nothing else. A path in it
/// (`--version` or a repository's `.tool-versions` read by the action) would
/// fetch another release from the mirror, whose co-hosted SHA256SUMS then
/// "verifies" it.
#[test]
fn a_version_that_is_not_semver_is_refused() {
    let site = tempfile::tempdir().unwrap();
    release_site(site.path(), packed());
    let evil = site.path().join("evil/download/v6.6.6");
    std::fs::create_dir_all(&evil).unwrap();
    for name in [archive_name(), "SHA256SUMS".to_string()] {
        std::fs::copy(packed().join(&name), evil.join(&name)).unwrap();
    }
    let url = serve(site.path().to_path_buf());
    let env = Env::new();
    for version in ["0.1.0/../../evil/download/v6.6.6", "0.1", "1.2.3 ", "$(id)"] {
        let out = env.install(&url, &["--version", version]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{version}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("is not a version"),
            "{version}: {}",
            text(&out.stderr)
        );
        assert_eq!(files_under(&env.prefix()), Vec::<String>::new());
    }
    // The action: from its input and from a version file.
    std::fs::write(
        env.home.path().join(".tool-versions"),
        "mcp 0.1.0/../../evil/download/v6.6.6\n",
    )
    .unwrap();
    for (input, file) in [
        ("0.1.0/../../evil/download/v6.6.6", ""),
        ("", ".tool-versions"),
    ] {
        let (out, path, _) = run_action(&env, input, file);
        assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("::error::")
                && text(&out.stdout).contains("is not a version"),
            "{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(path.is_empty());
    }
}

/// Guards issue 26 item 5: a redirect to plain http is not followed (curl
/// `--proto-redir =https`); only a loopback mirror may be plain http itself.
#[test]
fn a_redirect_to_plain_http_is_not_followed() {
    let plain = tempfile::tempdir().unwrap();
    release_site(plain.path(), packed());
    let plain_url = serve(plain.path().to_path_buf());
    let site = tempfile::tempdir().unwrap();
    let at = site.path().join(format!("download/v{VERSION}"));
    std::fs::create_dir_all(&at).unwrap();
    for name in [archive_name(), "SHA256SUMS".to_string()] {
        std::fs::write(
            at.join(format!("{name}.redirect")),
            format!("{plain_url}/download/v{VERSION}/{name}"),
        )
        .unwrap();
    }
    let url = serve(site.path().to_path_buf());
    let env = Env::new();
    let out = env.install(&url, &["--version", VERSION]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("error: cannot download"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(files_under(&env.prefix()), Vec::<String>::new());
}

/// Guards issue 26 item 5: with no `version` input the action installs its
/// own version (its Cargo.toml at the ref pinned in `uses:`), not `latest`.
#[test]
fn the_action_defaults_to_its_own_version() {
    let env = Env::new();
    let (out, _, output) = run_action(&env, "", "");
    assert_ok(&out);
    assert!(
        text(&out.stderr).contains(&format!("/download/v{VERSION}/")),
        "{}",
        text(&out.stderr)
    );
    assert!(output.contains(&format!("version={VERSION}\n")), "{output}");
}

/// Guards issue 26 item 6: files the installer did not write (a `mcp-deploy`
/// of the user's, a completion file) are kept, not recorded, and left by
/// `--uninstall`.
#[test]
fn files_it_did_not_install_are_kept_and_left_by_uninstall() {
    let env = Env::new();
    let theirs = env.bin().join("mcp-deploy");
    write_executable(&theirs, "#!/bin/sh\necho their deploy tool\n");
    let completion = env.prefix().join("share/zsh/site-functions/_mcp-deploy");
    std::fs::create_dir_all(completion.parent().unwrap()).unwrap();
    std::fs::write(&completion, "#compdef mcp-deploy\n# theirs\n").unwrap();
    let out = env.install(good_release(), &[]);
    assert_ok(&out);
    let stderr = text(&out.stderr);
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        "#!/bin/sh\necho their deploy tool\n",
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&completion).unwrap(),
        "#compdef mcp-deploy\n# theirs\n"
    );
    assert!(
        stderr.contains(&format!("Kept {}", theirs.display())),
        "{stderr}"
    );
    let manifest =
        std::fs::read_to_string(env.prefix().join("share/mcp/install-manifest")).unwrap();
    assert!(
        !manifest.contains(&theirs.display().to_string()),
        "{manifest}"
    );
    assert!(!manifest.contains("_mcp-deploy"), "{manifest}");
    assert!(env.bin().join("mcp").exists());

    let out = env.install(good_release(), &["--uninstall"]);
    assert_ok(&out);
    assert!(theirs.exists() && completion.exists());
    assert!(!env.bin().join("mcp").exists());
}
