//! The Go regular expressions moby builds from `.dockerignore` patterns, run on
//! `regex-lite`.
//!
//! moby turns a pattern into a Go `regexp` (see [`super::ignore`]) and passes
//! `[...]` classes and `\` escapes through verbatim, so what a class or an
//! escape means is Go's business. `regex-lite` matches the way Go's engine does
//! where it matters for paths: per codepoint, `.` not matching `\n`, ASCII-only
//! `\d`, `\w`, `\b` and POSIX classes with the same members, `^` and `$` at the
//! ends of the text, `[^a]` matching `\n`. Its *syntax* differs in a few places
//! a pattern can reach, and [`compile`] rewrites exactly those:
//!
//! * inside a class regex-lite reads `[` as a nested class, `&&`, `--` and `~~`
//!   as set operators, and any run of leading `-` as literal dashes; in Go they
//!   are characters and ranges. Every character and range of a class is
//!   re-emitted as `\x{…}`, after reading the class with Go's rules;
//! * `\<` and `\>` are word boundaries in regex-lite, characters in Go; `\u`
//!   and `\U` are hex escapes in regex-lite and errors in Go; Go's octal escapes
//!   (`\0`, `\012`) are errors in regex-lite. Every escape that stands for one
//!   character is read with Go's rules and re-emitted as `\x{…}`;
//! * `\s` also matches `\v` in regex-lite, not in Go: it becomes Go's set.
//!
//! Everything else (`\d`, `\w`, `\b`, `\A`, `\z` and their negations, the
//! operators the translation emits) has the same meaning in both and is passed
//! through. What Go accepts and regex-lite does not (`\p{Greek}`, `\Q…\E`) is
//! refused when the pattern is read, naming the line, rather than misread.

use anyhow::{Result, bail};
use regex_lite::Regex;

/// Compile a Go regular expression (as moby's translation produces it) for
/// `regex-lite`, with Go's meaning.
pub fn compile(go: &str) -> Result<Regex> {
    let rewritten = rewrite(go)?;
    Ok(Regex::new(&rewritten)?)
}

/// Go's `\s`: `[\t\n\f\r ]` (no `\v`, unlike regex-lite's).
const GO_SPACE: &[(char, char)] = &[('\t', '\n'), ('\x0C', '\r'), (' ', ' ')];

/// Everything but Go's `\s`, for `\S` inside a class.
const GO_NOT_SPACE: &[(char, char)] = &[
    ('\0', '\x08'),
    ('\x0B', '\x0B'),
    ('\x0E', '\x1F'),
    ('!', char::MAX),
];

/// Go's POSIX class names (`[:alpha:]`); regex-lite knows the same names with
/// the same members.
const POSIX_NAMES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// The rewrite: Go syntax in, regex-lite syntax with the same meaning out.
fn rewrite(go: &str) -> Result<String> {
    let chars: Vec<char> = go.chars().collect();
    let mut out = String::with_capacity(go.len() + 16);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => match chars.get(i) {
                Some(&letter @ ('d' | 'D' | 'w' | 'W' | 'b' | 'B' | 'A' | 'z')) => {
                    i += 1;
                    out.push('\\');
                    out.push(letter);
                }
                Some(&letter @ ('s' | 'S')) => {
                    i += 1;
                    out.push('[');
                    if letter == 'S' {
                        out.push('^');
                    }
                    push_ranges(&mut out, GO_SPACE);
                    out.push(']');
                }
                _ => push_char(&mut out, escaped_char(&chars, &mut i)?),
            },
            '[' => class(&chars, &mut i, &mut out)?,
            other => out.push(other),
        }
    }
    Ok(out)
}

/// A class after its `[`, read as Go's `parseClass` reads it.
fn class(chars: &[char], i: &mut usize, out: &mut String) -> Result<()> {
    out.push('[');
    if chars.get(*i) == Some(&'^') {
        *i += 1;
        out.push('^');
    }
    // "]" right after "[" or "[^" is a character.
    let mut first = true;
    loop {
        match chars.get(*i) {
            None => bail!("missing closing ]"),
            Some(']') if !first => {
                *i += 1;
                out.push(']');
                return Ok(());
            }
            _ => {}
        }
        first = false;
        if let Some(name) = posix_class(chars, i)? {
            out.push_str("[:");
            out.push_str(&name);
            out.push_str(":]");
            continue;
        }
        if chars.get(*i) == Some(&'\\') {
            let perl = match chars.get(*i + 1) {
                Some(&letter @ ('d' | 'D' | 'w' | 'W')) => Some(format!("\\{letter}")),
                Some('s') => Some(ranges(GO_SPACE)),
                Some('S') => Some(ranges(GO_NOT_SPACE)),
                _ => None,
            };
            if let Some(perl) = perl {
                *i += 2;
                out.push_str(&perl);
                continue;
            }
        }
        let lo = class_char(chars, i)?;
        let mut hi = lo;
        // "[a-]" is 'a' or '-'.
        if chars.get(*i) == Some(&'-') && chars.get(*i + 1).is_some_and(|c| *c != ']') {
            *i += 1;
            hi = class_char(chars, i)?;
            if hi < lo {
                bail!("invalid character class range {lo}-{hi}");
            }
        }
        push_ranges(out, &[(lo, hi)]);
    }
}

/// Go `parseNamedClass`: `[:name:]` (or `[:^name:]`) at the cursor, if it is
/// one. Like Go, the closing `:]` is looked for anywhere ahead.
fn posix_class(chars: &[char], i: &mut usize) -> Result<Option<String>> {
    let rest = &chars[*i..];
    if rest.len() <= 2 || rest[0] != '[' || rest[1] != ':' {
        return Ok(None);
    }
    let Some(end) = rest[2..].windows(2).position(|w| w == [':', ']']) else {
        return Ok(None);
    };
    let name: String = rest[2..2 + end].iter().collect();
    if !POSIX_NAMES.contains(&name.strip_prefix('^').unwrap_or(&name)) {
        bail!("invalid character class range [:{name}:]");
    }
    *i += end + 4;
    Ok(Some(name))
}

/// Go `parseClassChar`: one character inside a class.
fn class_char(chars: &[char], i: &mut usize) -> Result<char> {
    let Some(&c) = chars.get(*i) else {
        bail!("missing closing ]");
    };
    *i += 1;
    if c == '\\' {
        escaped_char(chars, i)
    } else {
        Ok(c)
    }
}

/// Go `parseEscape`, after the `\`: an escape that stands for one character.
fn escaped_char(chars: &[char], i: &mut usize) -> Result<char> {
    let Some(&c) = chars.get(*i) else {
        bail!("trailing backslash at end of expression");
    };
    *i += 1;
    let octal = |c: Option<&char>| c.and_then(|c| c.to_digit(8));
    let code = match c {
        // Punctuation stands for itself ("my\ file" matches a space).
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => return Ok(c),
        // A lone \1..\7 would be a backreference, which Go refuses.
        '1'..='7' if octal(chars.get(*i)).is_none() => {
            bail!("invalid escape sequence \\{c}")
        }
        '0'..='7' => {
            // Up to two more octal digits.
            let mut code = c.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                let Some(digit) = octal(chars.get(*i)) else {
                    break;
                };
                code = code * 8 + digit;
                *i += 1;
            }
            code
        }
        'x' => hex(chars, i)?,
        'a' => 0x07,
        'f' => 0x0C,
        't' => 0x09,
        'n' => 0x0A,
        'r' => 0x0D,
        'v' => 0x0B,
        'p' | 'P' => bail!("Unicode classes (\\{c}) are not supported"),
        'Q' => bail!("quoting with \\Q…\\E is not supported"),
        other => bail!("invalid escape sequence \\{other}"),
    };
    char::from_u32(code).ok_or_else(|| anyhow::anyhow!("escape \\{c} is not a character"))
}

/// Go's `\x` escapes: exactly two hex digits, or any number in braces.
fn hex(chars: &[char], i: &mut usize) -> Result<u32> {
    let digit = |c: Option<&char>| c.and_then(|c| c.to_digit(16));
    if chars.get(*i) == Some(&'{') {
        *i += 1;
        let mut code: u32 = 0;
        let mut digits = 0;
        loop {
            match chars.get(*i) {
                Some('}') if digits > 0 => {
                    *i += 1;
                    return Ok(code);
                }
                c => match digit(c) {
                    Some(d) if code <= 0x10FFFF => {
                        code = code * 16 + d;
                        digits += 1;
                        *i += 1;
                    }
                    _ => bail!("invalid escape sequence \\x{{…}}"),
                },
            }
        }
    }
    match (digit(chars.get(*i)), digit(chars.get(*i + 1))) {
        (Some(high), Some(low)) => {
            *i += 2;
            Ok(high * 16 + low)
        }
        _ => bail!("invalid escape sequence \\x"),
    }
}

/// One character, as regex-lite reads it literally anywhere.
fn push_char(out: &mut String, c: char) {
    push_ranges(out, &[(c, c)]);
}

fn push_ranges(out: &mut String, ranges: &[(char, char)]) {
    use std::fmt::Write as _;
    for &(lo, hi) in ranges {
        let _ = write!(out, "\\x{{{:X}}}", u32::from(lo));
        if hi != lo {
            let _ = write!(out, "-\\x{{{:X}}}", u32::from(hi));
        }
    }
}

fn ranges(ranges: &[(char, char)]) -> String {
    let mut out = String::new();
    push_ranges(&mut out, ranges);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_match(go: &str, text: &str) -> bool {
        compile(go)
            .unwrap_or_else(|e| panic!("{go:?}: {e:#}"))
            .is_match(text)
    }

    #[test]
    fn class_syntax_go_lacks_is_plain_characters() {
        // A '[' inside a class is a character in Go, a nested class in regex-lite.
        assert!(is_match("^x[[^/]*]$", "x]"));
        assert!(is_match("^x[[^/]*]$", "x[^]"));
        assert!(!is_match("^x[[^/]*]$", "x*"));
        // Set operators in regex-lite, characters and ranges in Go.
        assert!(is_match("^[a&&b]$", "&"));
        assert!(is_match("^[a~~b]$", "~"));
        // "+--" is the range '+' to '-', which holds ','.
        assert!(is_match("^[+--]$", ","));
        // "--a" is the range '-' to 'a' in Go; regex-lite would read two dashes.
        assert!(is_match("^[--a]$", "Z"));
        assert!(is_match("^[a-]$", "-"));
        assert!(is_match("^[]a]$", "]"));
        assert!(is_match("^[^]a]$", "b"));
        assert!(!is_match("^[^]a]$", "]"));
        // POSIX classes pass through, negated ones too.
        assert!(is_match("^[[:digit:]x]$", "7"));
        assert!(is_match("^[[:^alpha:]]$", "7"));
        assert!(!is_match("^[[:^alpha:]]$", "q"));
        assert!(compile("^[[:alpah:]]$").is_err());
        // A backwards range is an error, as in Go.
        assert!(compile("^[z-a]$").is_err());
        assert!(compile("^[a").is_err());
    }

    #[test]
    fn escapes_mean_what_they_mean_in_go() {
        // Go: the characters '<' and '>'; regex-lite: word boundaries.
        assert!(is_match("^a\\<b\\>$", "a<b>"));
        // Go's \s has no \v; regex-lite's has.
        assert!(is_match("^\\s$", "\t"));
        assert!(!is_match("^\\s$", "\x0B"));
        assert!(is_match("^\\S$", "\x0B"));
        assert!(!is_match("^[\\s]$", "\x0B"));
        assert!(is_match("^[\\S]$", "\x0B"));
        assert!(!is_match("^[\\S]$", " "));
        // Hex and octal escapes.
        assert!(is_match("^a\\x41$", "aA"));
        assert!(is_match("^\\x{263a}$", "☺"));
        assert!(is_match("^a\\101$", "aA"));
        assert!(is_match("^a\\0$", "a\0"));
        assert!(compile("^a\\1$").is_err(), "a backreference");
        assert!(compile("^a\\u0041$").is_err(), "not Go syntax");
        assert!(compile("^\\pL$").is_err());
        assert!(compile("^\\Qa\\E$").is_err());
        assert!(compile("^a\\").is_err());
        // Escaped punctuation, space included, in and out of classes.
        assert!(is_match("^my\\ file$", "my file"));
        assert!(is_match("^[\\]a]$", "]"));
        assert!(is_match("^[\\-x]$", "-"));
        // Perl classes and assertions pass through.
        assert!(is_match("^v\\d\\D$", "v7x"));
        assert!(is_match("^\\w+\\b", "ab"));
        assert!(!is_match("^a\\Bb", "a b"));
    }

    #[test]
    fn matching_is_per_codepoint_and_dot_skips_newlines() {
        assert!(is_match("^a[^/]b$", "a☺b"));
        assert!(!is_match("^a[^/][^/][^/]b$", "a☺b"));
        assert!(is_match("^[a-ζ][^/]*$", "α"));
        assert!(!is_match("^(.*/)?b$", "a\n/b"));
        assert!(is_match("^[^a]$", "\n"));
    }
}
