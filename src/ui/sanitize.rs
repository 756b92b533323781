//! Text written by someone else, made safe to show.
//!
//! Server names, log lines, service events, build output and the messages of
//! AWS or of an MCP server come from outside `mcp`. On a terminal a control
//! character is an instruction: escape sequences move the cursor and rewrite
//! lines already shown, set the window title, write the clipboard (OSC 52) or
//! hide text, and bidirectional overrides reorder what is read. [`escape`]
//! shows such characters as text (`\x1b`, `\r`, `\u{202e}`) so that what a
//! person reads is what was sent; colour sequences (SGR) are dropped, as they
//! carry nothing to read and can make text invisible.
//!
//! Credentials in a URL (`https://user:password@host/`) are never shown:
//! [`redact_userinfo`] replaces them wherever `mcp` prints a URL or puts it
//! in JSON, whether the URL came from mcp.toml or from a server.
//!
//! Written by hand: the crates that strip ANSI codes (strip-ansi-escapes and
//! the like) remove sequences, but leave bare control characters and bidi
//! overrides alone and do not say what was there; this is a small loop.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether newlines (and tabs) are part of the text or must be shown escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// One line (a name, a field in a table): `\n` and `\t` are escaped too.
    One,
    /// Several lines (a report, a log message): `\n` and `\t` stay.
    Keep,
}

/// Does `c` act on a terminal (or on the order of what is read) rather than print?
fn is_unsafe(c: char, lines: Lines) -> bool {
    match c {
        '\n' | '\t' => lines == Lines::One,
        // C0, DEL and C1 (CSI U+009B, OSC U+009D…).
        c if c.is_control() => true,
        // Bidirectional embeddings, overrides and isolates; line and paragraph separators.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

/// The length of a colour sequence (`ESC [ 0-9;: m`) at the start of `rest`, if it is one.
fn sgr_len(rest: &str) -> Option<usize> {
    let body = rest.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';' || *b == b':')
        .count();
    (body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// `text` with every character that would act on a terminal shown as an
/// escape (`\x1b`, `\r`, `\u{202e}`) and colour sequences dropped. Borrowed
/// when there is nothing to change, which is nearly always.
pub fn escape(text: &str, lines: Lines) -> Cow<'_, str> {
    let Some(first) = text.find(|c| is_unsafe(c, lines)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    while let Some(c) = rest.chars().next() {
        if let Some(len) = sgr_len(rest) {
            rest = &rest[len..];
            continue;
        }
        if is_unsafe(c, lines) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x80 => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            }
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// [`escape`] when the text goes to a terminal; the text as it is otherwise
/// (a pipe or a file gets the bytes that were sent).
pub fn for_terminal(text: &str, terminal: bool, lines: Lines) -> Cow<'_, str> {
    if terminal {
        escape(text, lines)
    } else {
        Cow::Borrowed(text)
    }
}

/// Characters that end the authority of a URL written in running text.
fn ends_authority(c: char) -> bool {
    matches!(
        c,
        '/' | '?' | '#' | '"' | '\'' | '`' | '<' | '>' | ')' | ']' | ',' | ';'
    ) || c.is_whitespace()
        || c.is_control()
}

/// After `scheme://` (`rest`): where a password ends, when it holds characters
/// that otherwise end the authority (`; , / # ? @`, issue 26 item 7). A user
/// name, a `:`, then the password up to the last `@` in the word that a host
/// follows (a name or `[address]`, an optional port, then the end of the word,
/// `/`, `?`, `#` or punctuation). Without the `:` there is no password and an
/// `@` past the authority is not userinfo (`https://host/@me`).
fn password_end(rest: &str) -> Option<usize> {
    let word_end = rest
        .find(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '`' | '<' | '>')
        })
        .unwrap_or(rest.len());
    let word = &rest[..word_end];
    let user_end = word.find([':', '/', '?', '#', '@'])?;
    if !word[user_end..].starts_with(':') {
        return None;
    }
    word.rmatch_indices('@')
        .map(|(i, _)| i)
        .find(|&i| i > user_end && host_follows(&word[i + 1..]))
}

/// Does `rest` start with a host (and port) that ends the authority?
fn host_follows(rest: &str) -> bool {
    let host_len = if rest.starts_with('[') {
        match rest.find(']') {
            Some(i) => i + 1,
            None => return false,
        }
    } else {
        rest.find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '~' | '%')))
            .unwrap_or(rest.len())
    };
    if host_len == 0 {
        return false;
    }
    let mut after = &rest[host_len..];
    if let Some(port) = after.strip_prefix(':') {
        after = port.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    after
        .chars()
        .next()
        .is_none_or(|c| ends_authority(c) || c == ':')
}

/// Every `scheme://user:password@host` in `text` written as `scheme://***@host`.
///
/// Works on running text (an error message, a status line) as well as on a
/// bare URL. Borrowed when there is nothing to hide.
pub fn redact_userinfo(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let start = search + found + 3;
        let scheme_ok = text[..search + found]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let end = text[start..]
            .find(ends_authority)
            .map_or(text.len(), |i| start + i);
        let at = text[start..end]
            .rfind('@')
            .into_iter()
            .chain(password_end(&text[start..]))
            .max();
        if scheme_ok && let Some(at) = at {
            out.push_str(&text[copied..start]);
            out.push_str("***");
            copied = start + at;
            search = start + at + 1;
        } else {
            search = end.max(start);
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// What `mcp` shows of text from outside: URL credentials redacted, and on a
/// terminal control characters escaped.
pub fn shown(text: &str, terminal: bool, lines: Lines) -> Cow<'_, str> {
    match redact_userinfo(text) {
        Cow::Borrowed(text) => for_terminal(text, terminal, lines),
        Cow::Owned(redacted) => Cow::Owned(for_terminal(&redacted, terminal, lines).into_owned()),
    }
}

/// Every string in a JSON value with URL credentials redacted (for `--output json`).
pub fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let Cow::Owned(redacted) = redact_userinfo(s) {
                *s = redacted;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        serde_json::Value::Object(map) => map.values_mut().for_each(redact_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards issue 16 item 5: remote text cannot drive the terminal.
    #[test]
    fn control_characters_are_shown_not_obeyed() {
        // Clear the screen, set the title, write the clipboard, move the cursor up.
        let hostile =
            "ok\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZWNobyBoaQ==\u{1b}\\\u{1b}[1A\r\u{9b}31m";
        let shown = escape(hostile, Lines::One);
        assert_eq!(
            shown,
            "ok\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;ZWNobyBoaQ==\\x1b\\\\x1b[1A\\r\\u{9b}31m"
        );
        assert!(!shown.chars().any(char::is_control));
    }

    #[test]
    fn colour_is_dropped_and_hidden_text_shows() {
        assert_eq!(
            escape(
                "\u{1b}[8mhidden\u{1b}[0m \u{1b}[38;5;208mx\u{1b}[m",
                Lines::Keep
            ),
            "hidden x"
        );
    }

    #[test]
    fn newlines_depend_on_the_place_and_bidi_overrides_are_escaped() {
        assert_eq!(escape("a\n\tb", Lines::Keep), "a\n\tb");
        assert_eq!(escape("a\n\tb", Lines::One), "a\\n\\tb");
        assert_eq!(escape("abc\u{202e}fed", Lines::Keep), "abc\\u{202e}fed");
        assert!(matches!(
            escape("plain — text ✓", Lines::One),
            Cow::Borrowed(_)
        ));
        assert_eq!(for_terminal("a\u{1b}b", false, Lines::One), "a\u{1b}b");
        assert_eq!(for_terminal("a\u{1b}b", true, Lines::One), "a\\x1bb");
    }

    /// Guards issue 26 item 7: a password holding `; , / # ?` (or `@`) is
    /// redacted whole: the authority ends at the last `@` before the host.
    #[test]
    fn passwords_with_delimiters_are_redacted_whole() {
        for password in [
            "hunter2;x",
            "hun,ter2",
            "hu/nter2",
            "hu#nter2",
            "hu?nter2",
            "hu@nter2",
            "a;b,c/d#e?f",
        ] {
            let url = format!("http://admin:{password}@127.0.0.1:9/mcp");
            assert_eq!(
                redact_userinfo(&url),
                "http://***@127.0.0.1:9/mcp",
                "{password}"
            );
            let text = format!("error: `{url}` is not a URL: invalid port number");
            assert_eq!(
                redact_userinfo(&text),
                "error: `http://***@127.0.0.1:9/mcp` is not a URL: invalid port number",
                "{password}"
            );
            let text = format!("Checking {url}\nnext line https://ok.example/a@b");
            let shown = redact_userinfo(&text);
            assert!(!shown.contains("nter") && !shown.contains("d#e"), "{shown}");
            assert!(
                shown.ends_with("\nnext line https://ok.example/a@b"),
                "{shown}"
            );
        }
        // Without a password the old rule holds: `@` in a path or query is not userinfo.
        assert_eq!(
            redact_userinfo("https://host/@me?to=a@b"),
            "https://host/@me?to=a@b"
        );
        assert_eq!(
            redact_userinfo("see https://h/x, then a@b"),
            "see https://h/x, then a@b"
        );
    }

    /// Guards issue 16 item 5: credentials in URLs are never printed.
    #[test]
    fn userinfo_is_redacted_in_urls_and_running_text() {
        assert_eq!(
            redact_userinfo("https://user:pa$$@mcp.example.com:8443/mcp?x=1"),
            "https://***@mcp.example.com:8443/mcp?x=1"
        );
        assert_eq!(
            redact_userinfo(
                "error sending request for url (http://u:p@h/mcp): refused; see http://a@b and https://ok.example/"
            ),
            "error sending request for url (http://***@h/mcp): refused; see http://***@b and https://ok.example/"
        );
        // `@` in the path or query is not userinfo.
        assert_eq!(
            redact_userinfo("https://host/@me?to=a@b"),
            "https://host/@me?to=a@b"
        );
        assert!(matches!(redact_userinfo("no urls here"), Cow::Borrowed(_)));
        let mut json = serde_json::json!({"url": "http://u:p@h/", "list": ["x", "ws://a:b@c"]});
        redact_json(&mut json);
        assert_eq!(
            json,
            serde_json::json!({"url": "http://***@h/", "list": ["x", "ws://***@c"]})
        );
    }
}
