//! Output conventions, for every command that runs without AWS: stdout carries
//! data only; in text mode that data is for people (never a JSON document), and
//! with `--output json` stdout is JSON documents, each ending its line, and
//! nothing else. A command run in both modes, on a local-target project.

use crate::local::{echo_project, free_port};
use crate::testbed::{Output, run};

/// Text mode: nothing, or lines of plain data that end with a newline and are not JSON.
fn assert_text(what: &str, out: &Output) {
    let stdout = &out.stdout;
    if stdout.is_empty() {
        return;
    }
    assert!(
        stdout.ends_with('\n'),
        "{what}: text output must end its line: {stdout:?}"
    );
    let start = stdout.trim_start();
    assert!(
        !(start.starts_with('{') || start.starts_with('['))
            || serde_json::from_str::<serde_json::Value>(start).is_err(),
        "{what}: JSON on stdout without --output json:\n{stdout}"
    );
}

/// JSON mode: one or more JSON documents, each followed by exactly one newline, nothing else.
fn assert_json(what: &str, out: &Output) {
    let stdout = &out.stdout;
    assert!(
        !stdout.is_empty(),
        "{what}: no JSON on stdout\n{}",
        out.stderr
    );
    let mut rest = stdout.as_str();
    while !rest.is_empty() {
        let mut docs = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        match docs.next() {
            Some(Ok(_)) => {}
            other => panic!("{what}: stdout is not JSON documents ({other:?}):\n{stdout}"),
        }
        let end = docs.byte_offset();
        assert!(
            rest[end..].starts_with('\n'),
            "{what}: a JSON document must end its line:\n{stdout:?}"
        );
        rest = &rest[end + 1..];
        assert!(
            !rest.starts_with(char::is_whitespace),
            "{what}: only one newline after a document:\n{stdout:?}"
        );
    }
}

#[test]
#[ignore = "needs the testbed: tests/testbed/up.sh"]
fn every_command_prints_data_in_text_and_json_only_with_output_json() {
    let tb = crate::testbed!();
    let port = free_port();
    let dir = echo_project(port);
    let mcp = |args: &[&str]| run(tb.mcp(dir.path()).args(["--stage", "local"]).args(args));
    // Each command once in each mode; `ok` says whether it must succeed.
    let pair = |args: &[&str], json_args: &[&str], ok: bool| {
        let text = mcp(args);
        let json = mcp(&[json_args, &["--output", "json"]].concat());
        for (mode, out) in [("text", &text), ("json", &json)] {
            if ok {
                assert_eq!(
                    out.code, 0,
                    "mcp {args:?} ({mode}) failed:\n{}\n{}",
                    out.stdout, out.stderr
                );
            }
        }
        let what = format!("mcp {}", args.join(" "));
        assert_text(&what, &text);
        assert_json(&what, &json);
    };
    let both = |args: &[&str], ok: bool| pair(args, args, ok);

    for json in [false, true] {
        let fresh = tempfile::tempdir().unwrap();
        std::fs::write(fresh.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        let mut cmd = tb.mcp(fresh.path());
        cmd.args(["init", "--name", "fresh", "--cluster", "c"]);
        if json {
            cmd.args(["--output", "json"]);
        }
        let out = run(&mut cmd);
        assert_eq!(out.code, 0, "{}", out.stderr);
        if json {
            assert_json("mcp init", &out);
        } else {
            assert_text("mcp init", &out);
        }
    }
    both(&["config"], true);
    both(&["doctor"], false);
    both(&["build"], true);
    both(&["deploy", "--timeout", "60s"], true);
    both(&["status"], true);
    both(&["history"], true);
    both(&["logs"], true);
    both(
        &["check", "--url", &format!("http://127.0.0.1:{port}/mcp")],
        true,
    );
    pair(&["rollback", "--to", "1"], &["rollback", "--to", "2"], true);
    both(&["down"], true);
    // After `down`: nothing is running, and the commands still print data in both modes.
    both(&["history"], true);
    both(&["status"], true);
    both(&["down"], true);
    // …and say why nothing is left, and how to start again.
    let again = "`mcp down` removed the local releases (or none was deployed yet); `mcp deploy --stage local` starts again from a new release";
    for args in [&["logs"][..], &["rollback"], &["status"]] {
        let out = mcp(args);
        assert_eq!(
            out.code,
            if args == ["status"] { 0 } else { 1 },
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("hint: {again}\n")),
            "mcp {args:?}: {}",
            out.stderr
        );
    }
    // The text of `down` is a sentence, not the JSON object.
    mcp(&["deploy", "--timeout", "60s"]);
    let down = mcp(&["down"]);
    assert!(
        down.stdout.starts_with("removed 1 local release ("),
        "{}",
        down.stdout
    );
    let down = mcp(&["down", "--output", "json"]);
    assert_eq!(down.json()["removed"], serde_json::json!([]));
}
