//! The hand-written Go regexp engine this crate used before `regex-lite`,
//! kept only for the test that runs both side by side over the translation
//! table (`ignore::tests::old_and_new_matchers_agree`).

#![cfg(test)]

use anyhow::{Result, bail};

/// A compiled regular expression in the subset of Go `regexp` syntax that
/// moby's translation produces: literals and `\` escapes, `.`, `^`, `$`,
/// classes (ranges, negation, `\d\s\w`, `[:name:]`), groups and the `*`, `+`,
/// `?` repeats. Matching runs a Thompson NFA, so it is linear in the path.
///
/// Semantics follow Go's defaults (`syntax.Perl`): `.` does not match `\n`,
/// `^`/`$` anchor at the ends of the text, `[^a]` does match `\n`. Escapes Go
/// has but the translation cannot meaningfully produce (`\x`, `\p`, `\Q`,
/// octal) are refused when the pattern is parsed.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    program: Vec<Inst>,
}

#[derive(Debug, Clone)]
enum Inst {
    Char(char),
    Class(Class),
    AnyNotNewline,
    Assert(Look),
    Split(usize, usize),
    Jump(usize),
    Match,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    TextStart,
    TextEnd,
    WordBoundary,
    NotWordBoundary,
}

/// A character class as sorted inclusive ranges.
#[derive(Debug, Clone, Default)]
struct Class {
    ranges: Vec<(char, char)>,
}

impl Class {
    fn from_ranges(ranges: &[(char, char)]) -> Class {
        Class {
            ranges: ranges.to_vec(),
        }
    }

    fn contains(&self, c: char) -> bool {
        self.ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi)
    }

    fn add(&mut self, other: &Class) {
        self.ranges.extend_from_slice(&other.ranges);
    }

    /// Every character not in the class.
    fn negated(&self) -> Class {
        let mut ranges = self.ranges.clone();
        ranges.sort();
        let mut out = Vec::new();
        let mut next = Some('\0');
        for (lo, hi) in ranges {
            // The gap before this range, if the ranges so far left one.
            if let Some(start) = next
                && start < lo
                && let Some(end) = char_before(lo)
            {
                out.push((start, end));
            }
            next = match (next, char_after(hi)) {
                (Some(n), Some(a)) => Some(n.max(a)),
                _ => None,
            };
        }
        if let Some(start) = next {
            out.push((start, char::MAX));
        }
        Class { ranges: out }
    }
}

fn char_before(c: char) -> Option<char> {
    match c {
        '\0' => None,
        '\u{E000}' => Some('\u{D7FF}'),
        _ => char::from_u32(c as u32 - 1),
    }
}

fn char_after(c: char) -> Option<char> {
    match c {
        char::MAX => None,
        '\u{D7FF}' => Some('\u{E000}'),
        _ => char::from_u32(c as u32 + 1),
    }
}

/// Go's `\d`, `\s`, `\w` and their negations.
fn perl_class(letter: char) -> Option<Class> {
    let base = match letter.to_ascii_lowercase() {
        'd' => Class::from_ranges(&[('0', '9')]),
        's' => Class::from_ranges(&[('\t', '\n'), ('\x0C', '\r'), (' ', ' ')]),
        'w' => Class::from_ranges(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')]),
        _ => return None,
    };
    Some(if letter.is_ascii_uppercase() {
        base.negated()
    } else {
        base
    })
}

/// Go's POSIX classes, `[:alpha:]` and `[:^alpha:]`.
fn posix_class(name: &str) -> Option<Class> {
    let (negate, name) = match name.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let ranges: &[(char, char)] = match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => &[('\0', '\x7F')],
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\x1F'), ('\x7F', '\x7F')],
        "digit" => &[('0', '9')],
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => &[('\t', '\r'), (' ', ' ')],
        "upper" => &[('A', 'Z')],
        "word" => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    };
    let class = Class::from_ranges(ranges);
    Some(if negate { class.negated() } else { class })
}

/// Go's single-letter escapes that stand for one character.
fn escaped_char(letter: char) -> Option<char> {
    Some(match letter {
        'a' => '\x07',
        'f' => '\x0C',
        't' => '\t',
        'n' => '\n',
        'r' => '\r',
        'v' => '\x0B',
        _ => return None,
    })
}

/// Parsed regexp, before compiling to instructions.
#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Class(Class),
    Any,
    Look(Look),
    Group(Vec<Node>),
    Repeat(Box<Node>, Repeat),
}

#[derive(Debug, Clone, Copy)]
enum Repeat {
    ZeroOrMore,
    OneOrMore,
    ZeroOrOne,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterRepeat {
    No,
    Greedy,
    Lazy,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    /// A sequence, up to the end or (inside a group) the closing `)`.
    fn sequence(&mut self, in_group: bool) -> Result<Vec<Node>> {
        let mut nodes: Vec<Node> = Vec::new();
        // After a repeat Go allows one "?" (lazy: the same verdict for a
        // yes/no match); any other repeat operator there is an error.
        let mut after_repeat = AfterRepeat::No;
        while let Some(c) = self.next() {
            let node = match c {
                ')' if in_group => return Ok(nodes),
                ')' => bail!("unexpected )"),
                '(' => {
                    if self.peek() == Some('?') {
                        bail!("group flags are not supported");
                    }
                    let inner = self.sequence(true)?;
                    Node::Group(inner)
                }
                '|' => bail!("alternation is not supported"),
                '*' | '+' | '?' => {
                    if after_repeat == AfterRepeat::Greedy && c == '?' {
                        after_repeat = AfterRepeat::Lazy;
                        continue;
                    }
                    if after_repeat != AfterRepeat::No {
                        bail!("invalid nested repetition operator");
                    }
                    let Some(prev) = nodes.pop() else {
                        bail!("missing argument to repetition operator");
                    };
                    let kind = match c {
                        '*' => Repeat::ZeroOrMore,
                        '+' => Repeat::OneOrMore,
                        _ => Repeat::ZeroOrOne,
                    };
                    nodes.push(Node::Repeat(Box::new(prev), kind));
                    after_repeat = AfterRepeat::Greedy;
                    continue;
                }
                '[' => Node::Class(self.class()?),
                '.' => Node::Any,
                '^' => Node::Look(Look::TextStart),
                '$' => Node::Look(Look::TextEnd),
                '\\' => self.escape()?,
                other => Node::Char(other),
            };
            nodes.push(node);
            after_repeat = AfterRepeat::No;
        }
        if in_group {
            bail!("missing closing )");
        }
        Ok(nodes)
    }

    /// An escape outside a class.
    fn escape(&mut self) -> Result<Node> {
        let Some(c) = self.next() else {
            bail!("trailing backslash at end of expression");
        };
        if let Some(class) = perl_class(c) {
            return Ok(Node::Class(class));
        }
        let look = match c {
            'A' => Some(Look::TextStart),
            'z' => Some(Look::TextEnd),
            'b' => Some(Look::WordBoundary),
            'B' => Some(Look::NotWordBoundary),
            _ => None,
        };
        if let Some(look) = look {
            return Ok(Node::Look(look));
        }
        Ok(Node::Char(self.escaped_literal(c)?))
    }

    /// An escape standing for one character: punctuation, or `\t` and kin.
    fn escaped_literal(&self, c: char) -> Result<char> {
        // Go: any ASCII character that is not a letter or digit stands for
        // itself, so "my\ file" matches a space.
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            return Ok(c);
        }
        escaped_char(c).ok_or_else(|| anyhow::anyhow!("escape \\{c} is not supported"))
    }

    /// A class, after its `[`.
    fn class(&mut self) -> Result<Class> {
        let negate = self.peek() == Some('^');
        if negate {
            self.pos += 1;
        }
        let mut class = Class::default();
        // "]" right after "[" or "[^" is a literal.
        let mut first = true;
        loop {
            match self.peek() {
                None => bail!("missing closing ]"),
                Some(']') if !first => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            first = false;
            if let Some(named) = self.posix_class()? {
                class.add(&named);
                continue;
            }
            if self.peek() == Some('\\')
                && let Some(perl) = self.chars.get(self.pos + 1).and_then(|c| perl_class(*c))
            {
                self.pos += 2;
                class.add(&perl);
                continue;
            }
            let lo = self.class_char()?;
            let mut hi = lo;
            // "[a-]" is 'a' or '-'.
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|c| *c != ']') {
                self.pos += 1;
                hi = self.class_char()?;
                if hi < lo {
                    bail!("invalid character class range {lo}-{hi}");
                }
            }
            class.ranges.push((lo, hi));
        }
        Ok(if negate { class.negated() } else { class })
    }

    /// Go `parseNamedClass`: `[:name:]` at the cursor, if it is one.
    fn posix_class(&mut self) -> Result<Option<Class>> {
        let rest = &self.chars[self.pos..];
        if rest.len() <= 2 || rest[0] != '[' || rest[1] != ':' {
            return Ok(None);
        }
        let Some(end) = rest[2..].windows(2).position(|w| w == [':', ']']) else {
            return Ok(None);
        };
        let name: String = rest[2..2 + end].iter().collect();
        let Some(class) = posix_class(&name) else {
            bail!("invalid character class range [:{name}:]");
        };
        self.pos += end + 4;
        Ok(Some(class))
    }

    /// One character inside a class.
    fn class_char(&mut self) -> Result<char> {
        match self.next() {
            None => bail!("missing closing ]"),
            Some('\\') => {
                let Some(c) = self.next() else {
                    bail!("trailing backslash at end of expression");
                };
                self.escaped_literal(c)
            }
            Some(c) => Ok(c),
        }
    }
}

impl Regex {
    pub(crate) fn new(expr: &str) -> Result<Regex> {
        let mut parser = Parser {
            chars: expr.chars().collect(),
            pos: 0,
        };
        let nodes = parser.sequence(false)?;
        let mut program = Vec::new();
        emit_all(&nodes, &mut program);
        program.push(Inst::Match);
        Ok(Regex { program })
    }

    /// Whether the expression matches `text`. Threads start at position 0
    /// only: every translated expression begins with `^`, so this equals Go's
    /// unanchored `MatchString`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let mut current = Vec::new();
        let mut seen = vec![usize::MAX; self.program.len()];
        if self.add_thread(&mut current, &mut seen, 0, &chars, 0) {
            return true;
        }
        for pos in 0..chars.len() {
            let mut next = Vec::new();
            for &pc in &current {
                let advances = match &self.program[pc] {
                    Inst::Char(c) => *c == chars[pos],
                    Inst::Class(class) => class.contains(chars[pos]),
                    Inst::AnyNotNewline => chars[pos] != '\n',
                    _ => false,
                };
                if advances && self.add_thread(&mut next, &mut seen, pc + 1, &chars, pos + 1) {
                    return true;
                }
            }
            if next.is_empty() {
                return false;
            }
            current = next;
        }
        false
    }

    /// Follow the empty transitions from `pc` at `pos`, collecting the
    /// instructions that consume a character; true once `Match` is reached.
    fn add_thread(
        &self,
        list: &mut Vec<usize>,
        seen: &mut [usize],
        pc: usize,
        text: &[char],
        pos: usize,
    ) -> bool {
        if seen[pc] == pos {
            return false;
        }
        seen[pc] = pos;
        match &self.program[pc] {
            Inst::Match => true,
            Inst::Jump(to) => self.add_thread(list, seen, *to, text, pos),
            Inst::Split(a, b) => {
                self.add_thread(list, seen, *a, text, pos)
                    || self.add_thread(list, seen, *b, text, pos)
            }
            Inst::Assert(look) => {
                look_holds(*look, text, pos) && self.add_thread(list, seen, pc + 1, text, pos)
            }
            Inst::Char(_) | Inst::Class(_) | Inst::AnyNotNewline => {
                list.push(pc);
                false
            }
        }
    }
}

fn look_holds(look: Look, text: &[char], pos: usize) -> bool {
    let is_word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
    let before = pos.checked_sub(1).and_then(|p| text.get(p));
    let boundary = is_word(before) != is_word(text.get(pos));
    match look {
        Look::TextStart => pos == 0,
        Look::TextEnd => pos == text.len(),
        Look::WordBoundary => boundary,
        Look::NotWordBoundary => !boundary,
    }
}

fn emit_all(nodes: &[Node], program: &mut Vec<Inst>) {
    for node in nodes {
        emit(node, program);
    }
}

/// Thompson construction for one node.
fn emit(node: &Node, program: &mut Vec<Inst>) {
    match node {
        Node::Char(c) => program.push(Inst::Char(*c)),
        Node::Class(class) => program.push(Inst::Class(class.clone())),
        Node::Any => program.push(Inst::AnyNotNewline),
        Node::Look(look) => program.push(Inst::Assert(*look)),
        Node::Group(nodes) => emit_all(nodes, program),
        Node::Repeat(inner, Repeat::ZeroOrMore) => {
            let split = program.len();
            program.push(Inst::Split(0, 0));
            emit(inner, program);
            program.push(Inst::Jump(split));
            program[split] = Inst::Split(split + 1, program.len());
        }
        Node::Repeat(inner, Repeat::OneOrMore) => {
            let start = program.len();
            emit(inner, program);
            program.push(Inst::Split(start, program.len() + 1));
        }
        Node::Repeat(inner, Repeat::ZeroOrOne) => {
            let split = program.len();
            program.push(Inst::Split(0, 0));
            emit(inner, program);
            program[split] = Inst::Split(split + 1, program.len());
        }
    }
}
