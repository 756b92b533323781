//! `tests/testbed/up.sh` is a good neighbour (issue 12 item 8, issue 16 item 5):
//! it stops only what it started, binds and probes exactly its own addresses,
//! names whoever holds them, and never uses a state folder another user could
//! have prepared.
//!
//! These tests run private instances of the testbed (their own state folder,
//! moto port and registry address, which make no system-wide change), so the
//! shared one the other tests use is never touched. They need what up.sh needs
//! (root, or sudo; the packages it installs), hence the testbed's `ignore`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::testbed::{Output, run, unique};

fn up_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testbed/up.sh")
}

/// A port free on every one of `ips` right now.
fn free_port_on(ips: &[&str]) -> u16 {
    for _ in 0..50 {
        let port = TcpListener::bind((ips[0], 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if ips.iter().all(|ip| TcpListener::bind((*ip, port)).is_ok()) {
            return port;
        }
    }
    panic!("no port free on all of {ips:?}");
}

/// A private testbed instance; `--purge`d (its processes and state folder) when dropped.
struct Instance {
    state: PathBuf,
    moto_port: u16,
    registry_addr: String,
}

impl Instance {
    fn new(registry_addr: String) -> Instance {
        Instance {
            state: std::env::temp_dir().join(unique("mcp-testbed-it")),
            moto_port: free_port_on(&["127.0.0.1"]),
            registry_addr,
        }
    }

    fn up(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(up_sh())
            .args(args)
            .env("MCP_TESTBED_DIR", &self.state)
            .env("MCP_TESTBED_MOTO_PORT", self.moto_port.to_string())
            .env("MCP_TESTBED_REGISTRY_ADDR", &self.registry_addr)
            .stdin(Stdio::null());
        run(&mut cmd)
    }

    /// The pid up.sh recorded for its registry.
    fn registry_pid(&self) -> u32 {
        let text = std::fs::read_to_string(self.state.join("registry/registry.pid")).unwrap();
        text.split_whitespace().next().unwrap().parse().unwrap()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let out = self.up(&["--purge"]);
        if out.code != 0 {
            let _ = std::fs::remove_dir_all(&self.state);
        }
    }
}

/// A registry up.sh did not start: a real `docker-registry serve`, as another
/// project's or a second checkout's would be.
struct Foreign {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Foreign {
    fn registry(addr: &str) -> Foreign {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry (installed by up.sh)");
        let mut foreign = Foreign { child, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(foreign.alive(), "the foreign registry exited at start");
            assert!(
                Instant::now() < deadline,
                "the foreign registry never listened on {addr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        foreign
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Foreign {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
}

/// Guards issue 12 item 8: up.sh used to SIGTERM any `docker-registry` listening
/// on its port on any address.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn up_sh_leaves_a_registry_it_did_not_start_alone_and_names_it_when_it_holds_the_address() {
    let port = free_port_on(&["127.0.0.2", "127.0.0.3"]);
    let theirs = format!("127.0.0.2:{port}");
    let mut foreign = Foreign::registry(&theirs);

    // Same port, another loopback address: ours starts beside theirs.
    let ours = Instance::new(format!("127.0.0.3:{port}"));
    let out = ours.up(&[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("started https://") && out.stderr.contains(&ours.registry_addr),
        "{}",
        out.stderr
    );
    assert!(foreign.alive(), "up.sh stopped a registry it did not start");
    let env = std::fs::read_to_string(ours.state.join("env")).unwrap();
    assert!(
        env.contains(&format!("MCP_TESTBED_REGISTRY_ADDR={}", ours.registry_addr)),
        "{env}"
    );

    // Its CA: short-lived and limited to the testbed's names.
    let ca = ours.state.join("certs/ca.crt");
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&ca)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("X509v3 Name Constraints: critical"), "{text}");
    assert!(
        text.contains("DNS:123456789012.dkr.ecr.us-east-1.amazonaws.com"),
        "{text}"
    );
    let valid_31_days = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-checkend",
            &(31 * 86400).to_string(),
            "-in",
        ])
        .arg(&ca)
        .status()
        .unwrap();
    assert!(!valid_31_days.success(), "the CA outlives 30 days");

    // Their address: ours refuses, naming their pid, and leaves them running.
    let clash = Instance::new(theirs.clone());
    let out = clash.up(&[]);
    assert_ne!(
        out.code, 0,
        "up.sh started on an address another registry holds"
    );
    assert!(
        out.stderr.contains(&format!(
            "{theirs} is already taken by pid {}",
            foreign.child.id()
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("did not start"), "{}", out.stderr);
    assert!(foreign.alive(), "up.sh stopped a registry it did not start");

    // --down and --purge stop what that instance started, and only that.
    let registry = ours.registry_pid();
    assert!(alive(registry));
    let out = ours.up(&["--down"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!alive(registry), "--down left its registry running");
    assert!(
        foreign.alive(),
        "--down stopped a registry it did not start"
    );
    drop(clash);
    drop(ours);
    assert!(
        foreign.alive(),
        "--purge stopped a registry it did not start"
    );
}

/// Guards issue 16 item 5: the state folder holds the CA key whose certificate
/// goes into the system store; one another user could have prepared is refused.
#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn up_sh_refuses_a_state_folder_others_can_write_or_own() {
    let instance = Instance::new(format!("127.0.0.4:{}", free_port_on(&["127.0.0.4"])));
    std::fs::create_dir(&instance.state).unwrap();
    let set_mode = |mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&instance.state, std::fs::Permissions::from_mode(mode)).unwrap();
    };

    set_mode(0o777);
    let out = instance.up(&[]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr
            .contains("writable by group or others (mode 777)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("MCP_TESTBED_DIR"), "{}", out.stderr);
    assert!(
        !instance.state.join("certs").exists(),
        "it used the folder anyway"
    );

    set_mode(0o755);
    let chown = Command::new("chown")
        .arg("nobody")
        .arg(&instance.state)
        .status()
        .unwrap();
    assert!(chown.success());
    let out = instance.up(&[]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("belongs to nobody"), "{}", out.stderr);
    assert!(
        !instance.state.join("certs").exists(),
        "it used the folder anyway"
    );
    std::fs::remove_dir_all(&instance.state).unwrap();
}
