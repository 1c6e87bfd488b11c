//! Parsing a Python `logging` `%`-style format string, once, into pieces.
//!
//! The grammar is CPython's `str.__mod__` with a mapping: `%%`, or
//! `%(key)` followed by flags (`-+ #0`), a width, `.precision`, an ignored
//! length modifier (`h`, `l`, `L`) and a conversion character.

use std::ops::Range;

use super::PatternError;
use super::printf::{Conv, Spec};

/// Widths and precisions above this are refused (each line would carry
/// that much padding).
pub(crate) const MAX_WIDTH: usize = 4096;

/// A record attribute a pattern can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    Name,
    Levelno,
    Levelname,
    Pathname,
    Filename,
    Module,
    FuncName,
    Lineno,
    Created,
    RelativeCreated,
    Asctime,
    Msecs,
    Thread,
    ThreadName,
    Process,
    Message,
    Hostname,
}

/// The Python type of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Int,
    Float,
}

// === impl Attr ===

impl Attr {
    fn from_key(key: &str) -> Option<Attr> {
        Some(match key {
            "name" => Attr::Name,
            "levelno" => Attr::Levelno,
            "levelname" => Attr::Levelname,
            "pathname" => Attr::Pathname,
            "filename" => Attr::Filename,
            "module" => Attr::Module,
            "funcName" => Attr::FuncName,
            "lineno" => Attr::Lineno,
            "created" => Attr::Created,
            "relativeCreated" => Attr::RelativeCreated,
            "asctime" => Attr::Asctime,
            "msecs" => Attr::Msecs,
            "thread" => Attr::Thread,
            "threadName" => Attr::ThreadName,
            "process" => Attr::Process,
            "message" => Attr::Message,
            "hostname" => Attr::Hostname,
            _ => return None,
        })
    }

    /// Whether the attribute's text is the same for every event of one
    /// callsite on one thread (so it can be rendered once and cached).
    pub(crate) fn is_per_callsite(self) -> bool {
        matches!(
            self,
            Attr::Name
                | Attr::Levelno
                | Attr::Levelname
                | Attr::Pathname
                | Attr::Filename
                | Attr::Module
                | Attr::Lineno
                | Attr::Thread
                | Attr::ThreadName
                | Attr::Process
                | Attr::Hostname
        )
    }

    /// The attribute's type in Python's `LogRecord`.
    pub(crate) fn kind(self) -> Kind {
        match self {
            Attr::Levelno | Attr::Lineno | Attr::Thread | Attr::Process => Kind::Int,
            Attr::Created | Attr::RelativeCreated | Attr::Msecs => Kind::Float,
            _ => Kind::Str,
        }
    }
}

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Text copied as is (a range of [`Pattern::literals`]).
    Literal(Range<usize>),
    /// An attribute with its modifiers.
    Attr(Attr, Spec),
}

/// A step of rendering: one piece, or a run of pieces that only depend on
/// the callsite and the thread (rendered once per callsite and thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// `pieces[i]`, rendered per event.
    Piece(usize),
    /// Static run number `run`: `pieces[range]`.
    PerCallsite { run: usize, pieces: Range<usize> },
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    literals: String,
    pieces: Box<[Piece]>,
    segments: Box<[Segment]>,
}

/// Groups maximal runs of literals and per-callsite attributes (holding at
/// least one attribute) into per-callsite segments.
fn segments(pieces: &[Piece]) -> Box<[Segment]> {
    let per_callsite = |p: &Piece| {
        matches!(p, Piece::Literal(_)) || matches!(p, Piece::Attr(a, _) if a.is_per_callsite())
    };
    let mut segments = Vec::new();
    let mut runs = 0;
    let mut i = 0;
    while i < pieces.len() {
        let mut end = i;
        while end < pieces.len() && per_callsite(&pieces[end]) {
            end += 1;
        }
        let has_attr = pieces[i..end].iter().any(|p| matches!(p, Piece::Attr(..)));
        if has_attr {
            segments.push(Segment::PerCallsite {
                run: runs,
                pieces: i..end,
            });
            runs += 1;
            i = end;
        } else {
            segments.push(Segment::Piece(i));
            i += 1;
        }
    }
    segments.into_boxed_slice()
}

fn invalid(problem: impl Into<String>, position: usize) -> PatternError {
    PatternError::InvalidPattern {
        problem: problem.into(),
        position,
    }
}

/// Reads a run of digits at `chars[*k..]` (a width or a precision).
fn number(
    chars: &[char],
    k: &mut usize,
    what: &str,
    position: usize,
) -> Result<usize, PatternError> {
    if chars.get(*k) == Some(&'*') {
        return Err(invalid(
            format!("`*` {what} (taken from an argument) is not supported with named attributes"),
            position,
        ));
    }
    let mut value = 0usize;
    while let Some(d) = chars.get(*k).and_then(|c| c.to_digit(10)) {
        value = value.saturating_mul(10).saturating_add(d as usize);
        *k += 1;
    }
    if value > MAX_WIDTH {
        return Err(invalid(
            format!("{what} {value} is larger than {MAX_WIDTH}"),
            position,
        ));
    }
    Ok(value)
}

fn check_kind(
    attr: Attr,
    key: &str,
    conv: Conv,
    c: char,
    position: usize,
) -> Result<(), PatternError> {
    let (kind, allowed) = match attr.kind() {
        Kind::Str => ("string", "%s, %r or %a"),
        Kind::Int => return Ok(()),
        Kind::Float => ("float", "%s, %r, %a, %d, %i, %u, %f, %F, %e, %E, %g or %G"),
    };
    let fits = match attr.kind() {
        Kind::Str => conv.is_text(),
        _ => !conv.needs_integer(),
    };
    if fits {
        return Ok(());
    }
    Err(PatternError::ConversionMismatch {
        key: key.to_owned(),
        conversion: c,
        kind,
        allowed,
        position,
    })
}

// === impl Pattern ===

impl Pattern {
    /// Compiles `pattern`; errors name the 0-based character position of
    /// the bad directive's `%`.
    pub(crate) fn parse(pattern: &str) -> Result<Pattern, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut literals = String::new();
        let mut pieces = Vec::new();
        let mut literal_start = 0;
        let mut k = 0;
        let flush = |literals: &String, start: &mut usize, pieces: &mut Vec<Piece>| {
            if literals.len() > *start {
                pieces.push(Piece::Literal(*start..literals.len()));
            }
            *start = literals.len();
        };
        while k < chars.len() {
            let c = chars[k];
            if c != '%' {
                literals.push(c);
                k += 1;
                continue;
            }
            let position = k;
            k += 1;
            match chars.get(k) {
                None => return Err(invalid("incomplete directive: `%` at the end", position)),
                Some('%') => {
                    literals.push('%');
                    k += 1;
                    continue;
                }
                Some('(') => {}
                Some(other) => {
                    return Err(invalid(
                        format!(
                            "`%{other}` has no attribute name: write `%(name){other}`, or `%%` for a literal `%`"
                        ),
                        position,
                    ));
                }
            }
            // The key, up to the matching parenthesis (nesting counts, as in
            // CPython).
            let key_start = k + 1;
            let mut depth = 1;
            k += 1;
            while k < chars.len() && depth > 0 {
                match chars[k] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                k += 1;
            }
            if depth > 0 {
                return Err(invalid(
                    "incomplete attribute name: no closing `)`",
                    position,
                ));
            }
            let key: String = chars[key_start..k - 1].iter().collect();
            let mut spec = Spec::default();
            while let Some(&flag) = chars.get(k) {
                match flag {
                    '-' => spec.left = true,
                    '+' => spec.plus = true,
                    ' ' => spec.space = true,
                    '#' => spec.alt = true,
                    '0' => spec.zero = true,
                    _ => break,
                }
                k += 1;
            }
            spec.width = number(&chars, &mut k, "width", position)?;
            if chars.get(k) == Some(&'.') {
                k += 1;
                spec.precision = Some(number(&chars, &mut k, "precision", position)?);
            }
            if matches!(chars.get(k), Some('h' | 'l' | 'L')) {
                k += 1;
            }
            let conv_char = match chars.get(k) {
                Some(&c) if c.is_ascii_alphabetic() => c,
                _ => {
                    return Err(invalid(
                        format!(
                            "missing conversion type after `%({key})`: write `%({key})s` \
                             (or another conversion such as `d`)"
                        ),
                        position,
                    ));
                }
            };
            k += 1;
            spec.conv = match conv_char {
                'c' => {
                    return Err(invalid("`%c` is not supported", position));
                }
                c => Conv::from_char(c).ok_or_else(|| {
                    invalid(
                        format!("unsupported conversion `{c}` (use one of s r a d i u o x X e E f F g G)"),
                        position,
                    )
                })?,
            };
            let Some(attr) = Attr::from_key(&key) else {
                return Err(PatternError::UnknownAttribute { key, position });
            };
            check_kind(attr, &key, spec.conv, conv_char, position)?;
            flush(&literals, &mut literal_start, &mut pieces);
            pieces.push(Piece::Attr(attr, spec));
        }
        flush(&literals, &mut literal_start, &mut pieces);
        if !pieces.iter().any(|p| matches!(p, Piece::Attr(..))) {
            return Err(invalid(
                "no attribute such as `%(message)s`: every line would be the same text",
                chars.len(),
            ));
        }
        Ok(Pattern {
            literals,
            segments: segments(&pieces),
            pieces: pieces.into_boxed_slice(),
        })
    }

    /// The pieces, in order.
    pub(crate) fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The text of a literal piece.
    pub(crate) fn literal(&self, range: &Range<usize>) -> &[u8] {
        self.literals
            .as_bytes()
            .get(range.clone())
            .unwrap_or_default()
    }

    /// The rendering steps.
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether the pattern names `attr`.
    pub(crate) fn uses(&self, attr: Attr) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Attr(a, _) if *a == attr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(pattern: &str) -> String {
        Pattern::parse(pattern).unwrap_err().to_string()
    }

    #[test]
    fn modifiers_and_literals_compile() {
        let p = Pattern::parse("%(levelname)-8s|%(lineno)4d %% %(created).3f").unwrap();
        let attrs: Vec<(Attr, Spec)> = p
            .pieces()
            .iter()
            .filter_map(|piece| match piece {
                Piece::Attr(a, s) => Some((*a, *s)),
                Piece::Literal(_) => None,
            })
            .collect();
        assert_eq!(attrs[0].0, Attr::Levelname);
        assert!(attrs[0].1.left && attrs[0].1.width == 8);
        assert_eq!(attrs[1].1.width, 4);
        assert_eq!(attrs[1].1.conv, Conv::Dec);
        assert_eq!(attrs[2].1.precision, Some(3));
        let literal: Vec<&[u8]> = p
            .pieces()
            .iter()
            .filter_map(|piece| match piece {
                Piece::Literal(r) => Some(p.literal(r)),
                Piece::Attr(..) => None,
            })
            .collect();
        assert_eq!(literal, [b"|".as_slice(), b" % ".as_slice()]);
    }

    #[test]
    fn per_callsite_runs_are_grouped() {
        let p = Pattern::parse("%(asctime)s - %(filename)s:%(lineno)s - %(funcName)s %(thread)d %(name)s - %(message)s!").unwrap();
        assert_eq!(
            p.segments(),
            [
                Segment::Piece(0),
                Segment::PerCallsite {
                    run: 0,
                    pieces: 1..6
                },
                Segment::Piece(6),
                Segment::PerCallsite {
                    run: 1,
                    pieces: 7..12
                },
                Segment::Piece(12),
                Segment::Piece(13),
            ]
        );
    }

    #[test]
    fn errors_name_position_and_key() {
        assert_eq!(
            error("%(asctime)s %(nme)s"),
            "`pattern`: unknown attribute `nme` at position 12; supported: name, levelno, levelname, \
             pathname, filename, module, funcName, lineno, created, relativeCreated, asctime, msecs, \
             thread, threadName, process, message, hostname"
        );
        assert_eq!(
            error("é %(levelname)d"),
            "`pattern`: `%d` cannot format `levelname` (a string) at position 2; use %s, %r or %a"
        );
        assert_eq!(
            error("%(created)x"),
            "`pattern`: `%x` cannot format `created` (a float) at position 0; use %s, %r, %a, %d, \
             %i, %u, %f, %F, %e, %E, %g or %G"
        );
        assert!(error("ab %(message").contains("no closing `)` at position 3"));
        assert!(error("%(message)q").contains("unsupported conversion `q`"));
        assert!(error("%(message)").contains("missing conversion type after `%(message)`"));
        assert!(
            error("%(asctime) %(message)s").contains("missing conversion type after `%(asctime)`")
        );
        assert!(error("x %s").contains("`%s` has no attribute name"));
        assert!(error("x %").contains("`%` at the end at position 2"));
        assert!(error("%(message)*s").contains("`*` width"));
        assert!(error("%(message).*s").contains("`*` precision"));
        assert!(error("%(message)99999s").contains("width 99999 is larger than 4096"));
        assert!(error("%(lineno)c").contains("`%c` is not supported"));
        assert!(error("100%%").contains("no attribute"));
    }
}
