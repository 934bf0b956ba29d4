//! A guard against input nested deeper than the analyzer's stack: swc parses,
//! visits and drops the syntax tree recursively, so 10,000 nested
//! parentheses, or a chain of 100,000 `+`, would overflow the wasm stack (a
//! trap that ends the instance). One linear pass over the bytes, before the
//! parse, estimates how deep the tree can get; a file over [`MAX_DEPTH`] is
//! reported instead of parsed.
//!
//! The estimate is made from tokens, not the tree: each open bracket (`(`,
//! `[`, `{`, a template literal and its `${`) is a level, and inside a level
//! each operator since the last `,` or `;` (or statement boundary) adds one
//! (`a + a + a` nests as deep as it is long; so do `f()()()`, `a.b.c`,
//! `!!!x`, `+-+-x`, `<><>x</></>`, `a ? b : c ? d : e`, JSX's `<a><a>`). Strings, comments, regular
//! expressions and template text are skipped. Real code stays far below the
//! limit: it is a bound on stack use, not a style rule.
//!
//! In TypeScript the same pass bounds time, too: after `a<` the parser tries
//! to read type arguments and, when that fails, reads `<` as a comparison;
//! each unclosed `Array<` makes the parser read what follows it once more
//! (389 of them before 300,000 list items took 103 s). The scan counts the
//! `<` that may open type arguments and are still open, adds that count for
//! every token, and reports the file when the sum passes [`MAX_RETRIES`].

/// The deepest estimate analyzed. The wasm runs on V8's native stack (about
/// 1 MB by default, `--stack-size`): at this depth every construct the tests
/// try (nested calls, arrays, objects, functions, JSX, templates, operator
/// chains) still runs with 700 KB of it; nested parentheses overflow the
/// default stack at about 1,100 levels.
pub const MAX_DEPTH: u32 = 500;

/// The most tokens a TypeScript file's parse may read again for its open
/// `a<` (tokens × open `<` before them, summed over the file). At about
/// 0.4 µs per token (the wasm parse), this is about 2 s; ordinary code
/// stays far below it (a comparison's `<` is closed by the next `;`, `)`,
/// `=`, `&&` or `||`, or by `>` when it opened type arguments).
pub const MAX_RETRIES: u64 = 4_000_000;

/// What the scan found in a file that should not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// Nested deeper than the limit, first at this byte offset.
    TooDeep(usize),
    /// (TypeScript) so many unclosed `<` before so much code that the
    /// parse would read it again for each: at this byte offset the
    /// re-reading passes [`MAX_RETRIES`].
    TooManyRetries(usize),
}

/// Where the estimated depth first exceeds `limit`: a byte offset into
/// `source`, or `None` when the whole file stays within it. Never inlined:
/// inlined into code built for size, the scan would be compiled for size.
#[inline(never)]
pub fn too_deep(source: &str, limit: u32) -> Option<usize> {
    match check(source, limit, false) {
        Some(Trouble::TooDeep(at)) => Some(at),
        _ => None,
    }
}

/// The guard: whether `source` nests deeper than `limit` or (with
/// `typescript`) would make the parse read its code again too often.
/// Never inlined, like [`too_deep`].
#[inline(never)]
pub fn check(source: &str, limit: u32, typescript: bool) -> Option<Trouble> {
    Scan {
        bytes: source.as_bytes(),
        pos: 0,
        levels: Vec::new(),
        base: 0,
        chain: 0,
        after_operand: false,
        limit,
        end: source.len(),
        probing: false,
        typescript,
        angles: 0,
        retries: 0,
    }
    .run()
}

/// What an open level is: a bracket, or a template literal's `${`.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Bracket,
    Substitution,
}

#[derive(Clone)]
struct Scan<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Open levels: kind, and the outer level's (base, chain, angles) to restore.
    levels: Vec<(Level, u32, u32, u32)>,
    /// Depth where the current level starts.
    base: u32,
    /// Operators since the last separator in the current level.
    chain: u32,
    /// Whether the last token was an operand (an identifier, literal or a
    /// closing bracket): a `/` after it divides, otherwise it starts a regex.
    after_operand: bool,
    limit: u32,
    /// Where the scan stops (the source's end, or a probe's end).
    end: usize,
    /// Whether this scan is a probe (see [`Scan::probe_as_code`]): probes do not nest.
    probing: bool,
    /// Whether `a<` may open type arguments (TypeScript).
    typescript: bool,
    /// `<` after an operand that may still open type arguments, in this
    /// level and those around it.
    angles: u32,
    /// Tokens × `angles` so far: what the parse reads again.
    retries: u64,
}

/// Byte classes, looked up once per byte (the scan runs over every file).
const IDENT: u8 = 1;
const OPERATOR: u8 = 2;
const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 {
            table[b] = IDENT;
        }
        if matches!(
            c,
            b'+' | b'-'
                | b'*'
                | b'/'
                | b'%'
                | b'&'
                | b'|'
                | b'^'
                | b'!'
                | b'~'
                | b'<'
                | b'>'
                | b'='
                | b'?'
                | b':'
                | b'.'
                | b'@'
                | b'#'
        ) {
            table[b] = OPERATOR;
        }
        b += 1;
    }
    table
};

#[inline(always)]
fn is_ident(b: u8) -> bool {
    CLASSES[b as usize] == IDENT
}

#[inline(always)]
fn is_operator(b: u8) -> bool {
    CLASSES[b as usize] == OPERATOR
}

/// `word` is a keyword that takes an operand, as an operator does (`typeof`,
/// `void`, `delete`, `await`, `new`, `yield`, `in`, `instanceof`, `return`,
/// `throw`, `case`), compared only with those of its length (the scan asks
/// this of every identifier).
#[inline(always)]
fn is_operator_keyword(word: &[u8]) -> bool {
    match word.len() {
        2 => word == b"in",
        3 => word == b"new",
        4 => matches!(word, b"void" | b"case"),
        5 => matches!(word, b"await" | b"yield" | b"throw"),
        6 => matches!(word, b"typeof" | b"delete" | b"return"),
        10 => word == b"instanceof",
        _ => false,
    }
}

impl Scan<'_> {
    fn run(&mut self) -> Option<Trouble> {
        // Kept in locals: the loop reads them at every token (the position
        // is handed to the methods that move it, and taken back).
        let (bytes, limit) = (self.bytes, self.limit);
        // (Never past the source: this lets the compiler drop the bounds
        // check on each byte read.)
        let end = self.end.min(bytes.len());
        let mut pos = self.pos;
        // Only a token that deepens the estimate can take it over the
        // limit, so the others skip the check, unless the scan starts over
        // it (a probe) or counts every token (TypeScript's retries).
        let check_every = self.typescript || self.base + self.chain > limit;
        while pos < end {
            let start = pos;
            let b = bytes[start];
            // Most bytes are spaces or words: no token that nests.
            if b == b' ' || b == b'\t' {
                pos = skip_blanks(bytes, pos + 1);
                continue;
            }
            match b {
                b'(' | b'[' | b'{' => {
                    pos += 1;
                    self.open(Level::Bracket);
                    self.after_operand = false;
                }
                b')' | b']' => {
                    pos += 1;
                    self.close();
                    // `f()()`, `a[0][0]`: a postfix chain nests too.
                    self.chain += 1;
                    self.after_operand = true;
                }
                b'}' => {
                    pos += 1;
                    if self.close() == Some(Level::Substitution) {
                        self.moving(&mut pos, Self::template);
                    } else {
                        self.after_operand = true;
                        self.moving(&mut pos, Self::boundary);
                    }
                }
                b';' | b',' => {
                    pos += 1;
                    self.chain = 0;
                    self.after_operand = false;
                    if b == b';' {
                        self.angles = self.outer_angles();
                    }
                    if !check_every {
                        continue;
                    }
                }
                b'\n' | b'\r' => {
                    // The next line's indentation too.
                    pos = skip_blanks(bytes, pos + 1);
                    if self.after_operand {
                        self.moving(&mut pos, Self::boundary);
                    }
                    if !check_every {
                        continue;
                    }
                }
                // U+2028 and U+2029 end a line too (not a name: found by the
                // fuzzer, a file whose lines they separated read as one line,
                // so a quote in a regular expression hid the rest of it).
                0xe2 if self.line_separator(start) => {
                    pos += 3;
                    if self.after_operand {
                        self.moving(&mut pos, Self::boundary);
                    }
                }
                b'\'' | b'"' => {
                    self.moving(&mut pos, |s| s.string(b));
                    self.after_operand = true;
                    if !check_every {
                        continue;
                    }
                }
                b'`' => {
                    pos += 1;
                    self.open(Level::Bracket);
                    self.moving(&mut pos, Self::template);
                }
                b'/' if bytes.get(start + 1) == Some(&b'/') => {
                    self.moving(&mut pos, Self::skip_line)
                }
                b'/' if bytes.get(start + 1) == Some(&b'*') => {
                    pos = comment_end(bytes, start + 2);
                }
                b'/' if !self.after_operand => {
                    if !self.probing && self.ambiguous_slash(start) {
                        self.pos = pos;
                        if let Some(at) = self.probe_as_code(start) {
                            return Some(at);
                        }
                    }
                    self.moving(&mut pos, Self::regex);
                    self.after_operand = true;
                }
                _ if is_operator(b) => {
                    let mut weight = 1;
                    let run_start = pos;
                    let after_operand = self.after_operand;
                    let next = bytes.get(start + 1).copied();
                    // JSX's `</` and `/>` are tokens of their own; a `</`
                    // that does not close a tag (`x </re/`) is `<` and then
                    // a regular expression, as the parser reads it (found
                    // by the fuzzer: `x </a "./m((((…` read as a tag and a
                    // string hid the brackets the parser nests).
                    let run_end = if (b, next) == (b'<', Some(b'/')) {
                        start + if self.closing_tag(start + 2) { 2 } else { 1 }
                    } else if (b, next) == (b'/', Some(b'>')) {
                        start + 2
                    } else {
                        bytes.len()
                    };
                    while pos < run_end && is_operator(bytes[pos]) {
                        if pos > run_start
                            && bytes[pos] == b'<'
                            && bytes.get(pos + 1) == Some(&b'/')
                        {
                            break;
                        }
                        // `!!!x`, `+-+-x` and `- - -x` nest once per sign,
                        // and JSX fragments written without a break,
                        // `<><><>`, once per `<` (found by the fuzzer: a run
                        // of them counted as one level and overflowed the
                        // stack).
                        if matches!(bytes[pos], b'!' | b'~' | b'+' | b'-' | b'<') && pos > run_start
                        {
                            weight += 1;
                        }
                        // `a /regex/` cannot follow an operator run; a `//`
                        // comment can.
                        if bytes[pos] == b'/' && matches!(bytes.get(pos + 1), Some(b'/' | b'*')) {
                            break;
                        }
                        pos += 1;
                    }
                    let run = &bytes[run_start..pos];
                    if run.starts_with(b"</") {
                        // A JSX closing tag undoes its opening tag's `<` and `>`
                        // (siblings do not nest).
                        self.chain = self.chain.saturating_sub(3);
                    } else if run == b"/>" {
                        self.chain = self.chain.saturating_sub(1);
                    } else {
                        self.chain += weight;
                    }
                    if self.typescript {
                        self.count_angles(run, after_operand);
                    }
                    // `a++ / 2` divides; `x = /re/` does not.
                    self.after_operand = run.ends_with(b"++") || run.ends_with(b"--");
                }
                _ if is_ident(b) => {
                    pos = skip_word(bytes, pos + 1);
                    if is_operator_keyword(&bytes[start..pos]) {
                        self.chain += 1;
                        self.after_operand = false;
                    } else {
                        self.after_operand = true;
                        if !check_every {
                            continue;
                        }
                    }
                }
                _ => pos += 1,
            }
            if self.base + self.chain > limit {
                return Some(Trouble::TooDeep(start));
            }
            if self.angles > 0 {
                self.retries += u64::from(self.angles);
                if self.retries > MAX_RETRIES {
                    return Some(Trouble::TooManyRetries(start));
                }
            }
        }
        None
    }

    /// Runs `f`, a method that moves the position, from `pos` (the scan's
    /// local copy), and takes the position back.
    #[inline(always)]
    fn moving<R>(&mut self, pos: &mut usize, f: impl FnOnce(&mut Self) -> R) -> R {
        self.pos = *pos;
        let r = f(self);
        *pos = self.pos;
        r
    }

    /// Whether a JSX closing tag's name and `>` follow (`</a.b >`, `</>`),
    /// from `at`, just after its `</`.
    fn closing_tag(&self, at: usize) -> bool {
        let skip_space = |mut i: usize| {
            while self.bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
                i += 1;
            }
            i
        };
        let mut i = skip_space(at);
        while self
            .bytes
            .get(i)
            .is_some_and(|&b| is_ident(b) || matches!(b, b'.' | b':' | b'-'))
        {
            i += 1;
        }
        self.bytes.get(skip_space(i)) == Some(&b'>')
    }

    /// The open `<` of the levels around this one.
    fn outer_angles(&self) -> u32 {
        self.levels.last().map_or(0, |l| l.3)
    }

    /// (TypeScript) An operator run and the open `<` that may start type
    /// arguments: `a<` opens one, `>` closes one, and a token no type has
    /// (`=`, `+`, `*`, `%`, `!`, `&&`, `||`, `<<`, `<=`) ends them all in
    /// this level: there the parser's attempt fails.
    fn count_angles(&mut self, run: &[u8], after_operand: bool) {
        match run {
            b"<" if after_operand => self.angles += 1,
            b"=>" | b"?" | b":" | b"." | b"?." | b"-" | b"&" | b"|" | b"@" | b"#" => {}
            _ if run.iter().all(|&c| c == b'>') => {
                let closed = u32::try_from(run.len()).unwrap_or(u32::MAX);
                self.angles = self.angles.saturating_sub(closed).max(self.outer_angles());
            }
            _ if run
                .iter()
                .any(|c| matches!(c, b'=' | b'+' | b'*' | b'%' | b'!'))
                || run
                    .windows(2)
                    .any(|w| matches!(w, b"&&" | b"||" | b"<<" | b"<=")) =>
            {
                self.angles = self.outer_angles();
            }
            _ => {}
        }
    }

    /// A `/` right after `,` or `{` starts a regular expression in an
    /// expression, but where a property name is due (`{ a: 1, /a|a|…/ }`,
    /// not valid code) the parser reads it as a division and recovers into
    /// the body as code: a chain of 10,000 `|` overflowed its stack (found
    /// by the fuzzer; so did `module. /a|a|…/`). Likewise after `.`, `#`
    /// and `@`, where a name is due.
    fn ambiguous_slash(&self, start: usize) -> bool {
        let before = self.bytes[..start]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        matches!(before, Some(b',' | b'{' | b'.' | b'#' | b'@'))
    }

    /// Scans what would be the regular expression at `start` as code, on a
    /// copy of the state: where it would pass the limit read that way. The
    /// real scan then skips it as a regular expression, so brackets inside
    /// it do not count (each body is probed once: linear).
    fn probe_as_code(&self, start: usize) -> Option<Trouble> {
        let mut regex = self.clone();
        regex.regex();
        let mut probe = self.clone();
        probe.probing = true;
        // A regular expression that ends in `\` at the end of the file
        // reads past it (found by a differential fuzz run: `f(a, /\`
        // indexed past the source).
        probe.end = regex.pos.min(self.bytes.len());
        probe.pos = start + 1;
        probe.chain += 1;
        probe.after_operand = false;
        probe.run()
    }

    fn open(&mut self, level: Level) {
        self.levels
            .push((level, self.base, self.chain, self.angles));
        self.base += self.chain + 1;
        self.chain = 0;
    }

    /// Leaves the current level (a stray closer at the top is ignored).
    fn close(&mut self) -> Option<Level> {
        let (level, base, chain, angles) = self.levels.pop()?;
        self.base = base;
        self.chain = chain;
        self.angles = angles;
        Some(level)
    }

    /// After `}` or a line break: a new statement starts here when the next
    /// token cannot continue an expression (ASI, `function a(){}function b(){}`).
    fn boundary(&mut self) {
        let mut i = self.pos;
        while i < self.bytes.len() && matches!(self.bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if let Some(&next) = self.bytes.get(i) {
            if is_ident(next) && !next.is_ascii_digit() || matches!(next, b'\'' | b'"' | b'`') {
                self.chain = 0;
                self.angles = self.outer_angles();
            }
        }
    }

    /// Whether U+2028 or U+2029 (UTF-8 `e2 80 a8`/`a9`) starts at `at`.
    fn line_separator(&self, at: usize) -> bool {
        self.bytes.get(at) == Some(&0xe2)
            && self.bytes.get(at + 1) == Some(&0x80)
            && matches!(self.bytes.get(at + 2), Some(0xa8 | 0xa9))
    }

    /// A `//` comment: to the end of its line, which U+2028 and U+2029 end
    /// too (found by the fuzzer: code after one was taken for comment text).
    fn skip_line(&mut self) {
        loop {
            self.pos = skip_until(self.bytes, self.pos, LINE_ENDS);
            let Some(&c) = self.bytes.get(self.pos) else {
                return;
            };
            match c {
                b'\n' | b'\r' => return,
                0xe2 if self.line_separator(self.pos) => return,
                _ => self.pos += 1,
            }
        }
    }

    /// A quoted string (ends at its quote, or at the line's end if broken).
    /// A bad `\u` or `\x` escape ends it too: the parser's recovery may
    /// read on from there as code (found by the fuzzer: `f({ m: "\u00><div…`
    /// overflowed the stack), so the guard does.
    fn string(&mut self, quote: u8) {
        self.pos += 1;
        loop {
            self.pos = skip_until(self.bytes, self.pos, STRING_ENDS);
            let Some(&c) = self.bytes.get(self.pos) else {
                return;
            };
            match c {
                b'\\' => {
                    let bad = !self.valid_escape(self.pos + 1);
                    self.pos += 2;
                    if bad {
                        return;
                    }
                }
                b'\n' | b'\r' => return,
                0xe2 if self.line_separator(self.pos) => return,
                c => {
                    self.pos += 1;
                    if c == quote {
                        return;
                    }
                }
            }
        }
    }

    /// Whether the escape whose letter is at `at` is well formed: `\u`
    /// takes four hex digits or `{hex}`, `\x` two hex digits.
    fn valid_escape(&self, at: usize) -> bool {
        let hex = |from: usize, n: usize| {
            self.bytes
                .get(from..from + n)
                .is_some_and(|d| d.iter().all(u8::is_ascii_hexdigit))
        };
        match self.bytes.get(at) {
            Some(b'u') if self.bytes.get(at + 1) == Some(&b'{') => {
                let digits = self.bytes[at + 2..]
                    .iter()
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                digits > 0 && self.bytes.get(at + 2 + digits) == Some(&b'}')
            }
            Some(b'u') => hex(at + 1, 4),
            Some(b'x') => hex(at + 1, 2),
            _ => true,
        }
    }

    /// A regular expression literal: to its closing `/` outside a class.
    fn regex(&mut self) {
        let mut class = false;
        self.literal(|c| {
            match c {
                b'[' => class = true,
                b']' => class = false,
                b'/' => return !class,
                _ => {}
            }
            false
        });
    }

    /// A one-line literal after its opening character: escapes skipped, to
    /// the byte `ends` accepts or the end of the line.
    fn literal(&mut self, mut ends: impl FnMut(u8) -> bool) {
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'\n' | b'\r' => return,
                0xe2 if self.line_separator(self.pos) => return,
                c => {
                    self.pos += 1;
                    if ends(c) {
                        return;
                    }
                }
            }
        }
    }

    /// Template text, after `` ` `` or a substitution's `}`: to the closing
    /// backtick (leaves the template's level) or the next `${` (opens one).
    fn template(&mut self) {
        loop {
            self.pos = skip_until(self.bytes, self.pos, TEMPLATE_ENDS);
            let Some(&c) = self.bytes.get(self.pos) else {
                return;
            };
            match c {
                b'\\' => self.pos += 2,
                b'`' => {
                    self.pos += 1;
                    self.close();
                    self.chain += 1;
                    self.after_operand = true;
                    return;
                }
                b'$' if self.bytes.get(self.pos + 1) == Some(&b'{') => {
                    self.pos += 2;
                    self.open(Level::Substitution);
                    self.after_operand = false;
                    return;
                }
                _ => self.pos += 1,
            }
        }
    }
}

/// Past the spaces and tabs from `pos` (indentation is most of them: eight
/// bytes are compared at once).
#[inline(always)]
fn skip_blanks(bytes: &[u8], mut pos: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    loop {
        match bytes.get(pos) {
            Some(b' ') => {}
            Some(b'\t') => {
                pos += 1;
                continue;
            }
            _ => return pos,
        }
        let Some(word) = bytes.get(pos..pos + 8) else {
            pos += 1;
            continue;
        };
        let other = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ SPACES;
        if other != 0 {
            return pos + (other.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
}

/// Past the name or number characters from `pos` (see [`is_ident`]).
#[inline(always)]
fn skip_word(bytes: &[u8], pos: usize) -> usize {
    bytes
        .get(pos..)
        .and_then(|rest| rest.iter().position(|&c| !is_ident(c)))
        .map_or(bytes.len(), |i| pos + i)
}

/// Sets of bytes where a literal's text may end, for [`skip_until`]: the
/// bytes that end a line (U+2028 and U+2029 start with 0xe2); those and a
/// string's quotes and escapes; a template's backtick, `$` and escapes.
const LINE_ENDS: u8 = 1;
const STRING_ENDS: u8 = 2;
const TEMPLATE_ENDS: u8 = 4;
const ENDS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'\n' as usize] = LINE_ENDS | STRING_ENDS;
    table[b'\r' as usize] = LINE_ENDS | STRING_ENDS;
    table[0xe2] = LINE_ENDS | STRING_ENDS;
    table[b'\\' as usize] = STRING_ENDS | TEMPLATE_ENDS;
    table[b'`' as usize] = TEMPLATE_ENDS;
    table[b'$' as usize] = TEMPLATE_ENDS;
    table[b'\'' as usize] = STRING_ENDS;
    table[b'"' as usize] = STRING_ENDS;
    table
};

/// The first byte from `pos` that is in the set `ends` (or the end).
#[inline(always)]
fn skip_until(bytes: &[u8], pos: usize, ends: u8) -> usize {
    bytes
        .get(pos..)
        .and_then(|rest| rest.iter().position(|&c| ENDS[usize::from(c)] & ends != 0))
        .map_or(bytes.len(), |i| pos + i)
}

/// Past the `*/` that closes a block comment whose text starts at `from`
/// (or the end).
fn comment_end(bytes: &[u8], mut from: usize) -> usize {
    while let Some(i) = bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&c| c == b'*'))
    {
        let star = from + i;
        if bytes.get(star + 1) == Some(&b'/') {
            return star + 2;
        }
        from = star + 1;
    }
    bytes.len()
}
