//! The SQL lexer: sqlparser 0.64's tokenizer, cut down to the dialect of
//! [`super`] (identifiers quoted with `"`, `` ` `` or `[…]`, `$1`/`?`
//! placeholders, no backslash escapes) and to the tokens the token walker
//! looks at; every other token is [`Token::Other`]. Token boundaries, the
//! keyword of a word and the inputs that fail (an unterminated string,
//! quoted identifier or block comment, `._` after a non-word) are
//! sqlparser's, which the tests check against sqlparser itself. Its
//! tokenizer with its table of ~1,100 keywords cost ~17 KB of gzipped wasm.
//!
//! Derived from sqlparser 0.64 (Apache Software Foundation, Apache License
//! 2.0; see licenses/sqlparser-LICENSE.txt and licenses/sqlparser-NOTICE.txt):
//! cut down to the tokens above, otherwise the same lexing rules.

use std::iter::Peekable;
use std::str::Chars;

macro_rules! keywords {
    ($($k:ident),* $(,)?) => {
        /// The keywords the walker asks about (sqlparser's names and
        /// spellings); any other word is `NoKeyword`.
        #[allow(
            non_camel_case_types,
            clippy::upper_case_acronyms,
            clippy::enum_variant_names
        )]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Keyword {
            $($k,)*
            NoKeyword,
        }

        /// sqlparser's case-insensitive (ASCII) keyword lookup.
        fn keyword(word: &str) -> Keyword {
            match word.to_ascii_uppercase().as_str() {
                $(stringify!($k) => Keyword::$k,)*
                _ => Keyword::NoKeyword,
            }
        }
    };
}

keywords!(
    ADD,
    AFTER,
    ALL,
    ALTER,
    ALWAYS,
    AND,
    AS,
    ASC,
    AUTOINCREMENT,
    AUTO_INCREMENT,
    BEGIN,
    BETWEEN,
    BY,
    CASE,
    CAST,
    CHECK,
    COLLATE,
    COLUMN,
    CONCURRENTLY,
    CONSTRAINT,
    COUNT,
    CREATE,
    CROSS,
    DEFAULT,
    DELETE,
    DESC,
    DISTINCT,
    DROP,
    ELSE,
    END,
    EXCEPT,
    EXISTS,
    FALSE,
    FOREIGN,
    FROM,
    FULL,
    GENERATED,
    GLOB,
    GROUP,
    HAVING,
    IF,
    IGNORE,
    IN,
    INDEX,
    INNER,
    INSERT,
    INTERSECT,
    INTO,
    IS,
    JOIN,
    KEY,
    LAST,
    LEFT,
    LIKE,
    LIMIT,
    MATCH,
    NATURAL,
    NOT,
    NULL,
    NULLS,
    OFFSET,
    ON,
    ONLY,
    OR,
    ORDER,
    OUTER,
    PRAGMA,
    PRIMARY,
    REFERENCES,
    REGEXP,
    RENAME,
    REPLACE,
    RETURNING,
    RIGHT,
    SELECT,
    SET,
    STORED,
    TABLE,
    TEMP,
    TEMPORARY,
    TEXT,
    THEN,
    TO,
    TRIGGER,
    TRUE,
    UNION,
    UNIQUE,
    UPDATE,
    USING,
    VALUES,
    WHEN,
    WHERE,
    WINDOW,
    WITH,
);

/// A word: a keyword or an identifier, `quote_style` if it was quoted
/// (then it is never a keyword).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub value: String,
    pub quote_style: Option<char>,
    pub keyword: Keyword,
}

impl Word {
    fn new(value: String, quote_style: Option<char>) -> Word {
        let keyword = match quote_style {
            None => keyword(&value),
            Some(_) => Keyword::NoKeyword,
        };
        Word {
            value,
            quote_style,
            keyword,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Whitespace {
    /// A space, tab, newline or block comment.
    Blank,
    SingleLineComment {
        comment: String,
        prefix: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Word(Word),
    Number(String, bool),
    SingleQuotedString(String),
    Whitespace(Whitespace),
    Comma,
    Period,
    LParen,
    RParen,
    SemiColon,
    Eq,
    DoubleEq,
    Neq,
    Spaceship,
    Lt,
    Gt,
    LtEq,
    GtEq,
    Plus,
    Minus,
    Mul,
    Div,
    Mod,
    StringConcat,
    /// Any other token (strings of other kinds, placeholders, operators).
    Other,
}

/// Why a text does not tokenize (sqlparser's failures), with the tokens
/// before the one that broke.
#[derive(Debug)]
pub struct LexError {
    pub lexed: Vec<Token>,
}

fn is_identifier_start(ch: char) -> bool {
    ch.is_ascii_alphabetic() || ch == '_' || ch >= '\u{0080}'
}

fn is_identifier_part(ch: char) -> bool {
    is_identifier_start(ch) || ch.is_ascii_digit() || ch == '$'
}

fn take_while(chars: &mut Peekable<Chars<'_>>, mut f: impl FnMut(char) -> bool) -> String {
    let mut s = String::new();
    while let Some(&ch) = chars.peek() {
        if !f(ch) {
            break;
        }
        s.push(ch);
        chars.next();
    }
    s
}

/// `next` is consumed if it comes next.
fn eat(chars: &mut Peekable<Chars<'_>>, next: char) -> bool {
    chars.next_if_eq(&next).is_some()
}

/// A string quoted with `quote` (opening quote next), doubled quotes
/// standing for one; backslash escapes when `backslash`.
fn quoted_string(
    chars: &mut Peekable<Chars<'_>>,
    quote: char,
    backslash: bool,
) -> Result<String, Broken> {
    chars.next();
    let mut s = String::new();
    while let Some(ch) = chars.next() {
        if ch == quote {
            if !eat(chars, quote) {
                return Ok(s);
            }
            s.push(ch);
        } else if ch == '\\' && backslash {
            if let Some(next) = chars.next() {
                s.push(match next {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'Z' => '\u{1a}',
                    _ => next,
                });
            }
        } else {
            s.push(ch);
        }
    }
    Err(Broken)
}

/// The tokens of `text`, whitespace and comments included.
pub fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    let mut chars = text.chars().peekable();
    let mut tokens = Vec::new();
    let mut prev_is_word = false;
    let mut after_array = false;
    loop {
        let token = match next_token(&mut chars, prev_is_word, after_array) {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(tokens),
            Err(Broken) => return Err(LexError { lexed: tokens }),
        };
        match &token {
            Token::Whitespace(_) => {}
            Token::Word(w) => {
                prev_is_word = true;
                after_array = w.quote_style.is_none() && w.value.eq_ignore_ascii_case("array");
            }
            _ => {
                prev_is_word = false;
                after_array = false;
            }
        }
        tokens.push(token);
    }
}

/// A token that cannot end (an unterminated string, quote or comment).
struct Broken;

/// The next token; `prev_is_word`: the last token that is not whitespace
/// is a word.
fn next_token(
    chars: &mut Peekable<Chars<'_>>,
    prev_is_word: bool,
    after_array: bool,
) -> Result<Option<Token>, Broken> {
    use Token::*;
    let Some(&ch) = chars.peek() else {
        return Ok(None);
    };
    let blank = Whitespace(self::Whitespace::Blank);
    // Tokens of more than one character consume their first one here.
    let single = |t: Token, chars: &mut Peekable<Chars<'_>>| {
        chars.next();
        Ok(Some(t))
    };
    let token = match ch {
        ' ' | '\t' | '\n' => return single(blank, chars),
        '\r' => {
            chars.next();
            eat(chars, '\n');
            blank
        }
        'N' | 'n' | 'X' | 'x' => {
            chars.next();
            if chars.peek() == Some(&'\'') {
                // national (N'…') and hex (X'…', backslash escapes) strings
                quoted_string(chars, '\'', ch == 'X' || ch == 'x')?;
                Other
            } else {
                let mut s = String::from(ch);
                s.push_str(&take_while(chars, is_identifier_part));
                Word(self::Word::new(s, None))
            }
        }
        '\'' => SingleQuotedString(quoted_string(chars, '\'', false)?),
        // Postgres `ARRAY['a', 'b']`, not a bracket-quoted identifier.
        '[' if after_array => return single(Other, chars),
        '"' | '`' | '[' => {
            chars.next();
            let end = if ch == '[' { ']' } else { ch };
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some(c) if c == end => {
                        if !eat(chars, end) {
                            break;
                        }
                        s.push(c);
                    }
                    Some(c) => s.push(c),
                    None => return Err(Broken),
                }
            }
            Word(self::Word::new(s, Some(ch)))
        }
        '0'..='9' | '.' => {
            if ch == '.' && chars.clone().nth(1) == Some('_') {
                if prev_is_word {
                    return single(Period, chars);
                }
                return Err(Broken);
            }
            let mut s = take_while(chars, |c| c.is_ascii_digit());
            if s == "0" && eat(chars, 'x') {
                take_while(chars, |c| c.is_ascii_hexdigit());
                return Ok(Some(Other));
            }
            if eat(chars, '.') {
                s.push('.');
            }
            s.push_str(&take_while(chars, |c| c.is_ascii_digit()));
            if s == "." {
                return Ok(Some(Period));
            }
            if let Some(&e @ ('e' | 'E')) = chars.peek() {
                let mut ahead = chars.clone();
                ahead.next();
                let sign = ahead.next_if(|c| matches!(c, '+' | '-'));
                if ahead.peek().is_some_and(|c| c.is_ascii_digit()) {
                    chars.next();
                    s.push(e);
                    if let Some(sign) = sign {
                        chars.next();
                        s.push(sign);
                    }
                    s.push_str(&take_while(chars, |c| c.is_ascii_digit()));
                }
            }
            let long = eat(chars, 'L');
            Number(s, long)
        }
        '(' => return single(LParen, chars),
        ')' => return single(RParen, chars),
        ',' => return single(Comma, chars),
        ';' => return single(SemiColon, chars),
        '+' => return single(Plus, chars),
        '*' => return single(Mul, chars),
        '-' => {
            chars.next();
            if eat(chars, '-') {
                let comment = take_while(chars, |c| c != '\n');
                Whitespace(self::Whitespace::SingleLineComment {
                    comment,
                    prefix: "--".to_owned(),
                })
            } else if eat(chars, '>') {
                eat(chars, '>');
                Other
            } else {
                Minus
            }
        }
        '/' => {
            chars.next();
            if !eat(chars, '*') {
                return Ok(Some(Div));
            }
            // a block comment (not nested)
            loop {
                match chars.next() {
                    Some('*') if eat(chars, '/') => break blank,
                    Some(_) => {}
                    None => return Err(Broken),
                }
            }
        }
        '%' => return single(Mod, chars),
        '|' => {
            chars.next();
            if eat(chars, '/') {
                Other
            } else if eat(chars, '|') {
                if eat(chars, '/') {
                    Other
                } else {
                    StringConcat
                }
            } else {
                Other
            }
        }
        '=' => {
            chars.next();
            if eat(chars, '>') {
                Other
            } else if eat(chars, '=') {
                DoubleEq
            } else {
                Eq
            }
        }
        '!' => {
            chars.next();
            if eat(chars, '=') {
                Neq
            } else {
                if !eat(chars, '!') && eat(chars, '~') {
                    eat(chars, '*');
                }
                Other
            }
        }
        '<' => {
            chars.next();
            if eat(chars, '=') {
                if eat(chars, '>') {
                    Spaceship
                } else {
                    LtEq
                }
            } else if eat(chars, '>') {
                Neq
            } else if eat(chars, '<') || eat(chars, '@') {
                Other
            } else {
                Lt
            }
        }
        '>' => {
            chars.next();
            if eat(chars, '=') {
                GtEq
            } else if eat(chars, '>') {
                Other
            } else {
                Gt
            }
        }
        ':' => {
            chars.next();
            let _ = eat(chars, ':') || eat(chars, '=');
            Other
        }
        '&' | '^' | '~' => {
            chars.next();
            // `&&`, `^@`, `~*`
            eat(
                chars,
                match ch {
                    '&' => '&',
                    '^' => '@',
                    _ => '*',
                },
            );
            Other
        }
        '#' => {
            chars.next();
            if eat(chars, '>') {
                eat(chars, '>');
            } else {
                eat(chars, '-');
            }
            Other
        }
        '@' => {
            chars.next();
            let _ = eat(chars, '>') || eat(chars, '?') || eat(chars, '@');
            Other
        }
        '?' => {
            chars.next();
            take_while(chars, char::is_numeric);
            Other
        }
        c if is_identifier_start(c) => {
            let s = take_while(chars, is_identifier_part);
            Word(self::Word::new(s, None))
        }
        '$' => {
            chars.next();
            take_while(chars, |c| c.is_alphanumeric() || c == '_' || c == '$');
            Other
        }
        c if c.is_whitespace() => return single(blank, chars),
        _ => return single(Other, chars),
    };
    Ok(Some(token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::Dialect;
    use sqlparser::tokenizer::{Token as SpToken, Tokenizer, Whitespace as SpWhitespace};

    /// The dialect the lexer was cut down from (as `super` had it).
    #[derive(Debug)]
    struct Lexer;

    impl Dialect for Lexer {
        fn is_delimited_identifier_start(&self, ch: char) -> bool {
            ch == '`' || ch == '"' || ch == '['
        }
        fn is_identifier_start(&self, ch: char) -> bool {
            ch.is_ascii_alphabetic() || ch == '_' || ch >= '\u{0080}'
        }
        fn is_identifier_part(&self, ch: char) -> bool {
            self.is_identifier_start(ch) || ch.is_ascii_digit() || ch == '$'
        }
        fn supports_dollar_placeholder(&self) -> bool {
            true
        }
    }

    /// sqlparser's tokens, in this lexer's terms.
    fn sqlparser(text: &str) -> Option<Vec<Token>> {
        let tokens = Tokenizer::new(&Lexer, text).tokenize().ok()?;
        Some(
            tokens
                .into_iter()
                .map(|t| match t {
                    SpToken::Word(w) => {
                        let name = format!("{:?}", w.keyword);
                        let k = keyword(&name);
                        Token::Word(Word {
                            value: w.value,
                            quote_style: w.quote_style,
                            keyword: if format!("{k:?}") == name {
                                k
                            } else {
                                Keyword::NoKeyword
                            },
                        })
                    }
                    SpToken::Number(s, l) => Token::Number(s, l),
                    SpToken::SingleQuotedString(s) => Token::SingleQuotedString(s),
                    SpToken::Whitespace(SpWhitespace::SingleLineComment { comment, prefix }) => {
                        Token::Whitespace(Whitespace::SingleLineComment { comment, prefix })
                    }
                    SpToken::Whitespace(_) => Token::Whitespace(Whitespace::Blank),
                    SpToken::Comma => Token::Comma,
                    SpToken::Period => Token::Period,
                    SpToken::LParen => Token::LParen,
                    SpToken::RParen => Token::RParen,
                    SpToken::SemiColon => Token::SemiColon,
                    SpToken::Eq => Token::Eq,
                    SpToken::DoubleEq => Token::DoubleEq,
                    SpToken::Neq => Token::Neq,
                    SpToken::Spaceship => Token::Spaceship,
                    SpToken::Lt => Token::Lt,
                    SpToken::Gt => Token::Gt,
                    SpToken::LtEq => Token::LtEq,
                    SpToken::GtEq => Token::GtEq,
                    SpToken::Plus => Token::Plus,
                    SpToken::Minus => Token::Minus,
                    SpToken::Mul => Token::Mul,
                    SpToken::Div => Token::Div,
                    SpToken::Mod => Token::Mod,
                    SpToken::StringConcat => Token::StringConcat,
                    _ => Token::Other,
                })
                .collect(),
        )
    }

    fn same(text: &str) {
        assert_eq!(tokenize(text).ok(), sqlparser(text), "{text:?}");
    }

    #[test]
    fn the_keywords_are_sqlparsers() {
        for k in [
            "select",
            "Auto_Increment",
            "NULLS",
            "text",
            "pragma",
            "selects",
            "é",
        ] {
            same(k);
        }
    }

    #[test]
    fn tokens_as_sqlparser_makes_them() {
        let cases = [
            "CREATE TABLE `users` (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, [e]]x] text);",
            "--> statement-breakpoint\nCREATE UNIQUE INDEX IF NOT EXISTS u ON t (lower(email));",
            "select * from t where a = ?1 and b <> $2 and c != 'it''s' and d <=> 1e5 || x",
            "1.5e+3 .5 5. 0x1F 0xg 12L 1e 1e- 1.2.3 a._b ._b x._ 3._",
            "N'nat' n'x' X'ab\\'c' x'12' Nx Xy E'e' B'1' U&'u' R'r' $$d$$ $tag$ ?? ?12",
            "-> ->> #> #>> #- # #x @> @? @@ @ <@ << >> ~* ~ !~* !~ !! && ^@ ^ |/ ||/ | :: := : => ==",
            "/* c */ /* a /* b */ */ -- c\r\n\t\u{a0}\u{2003}x\u{b}y",
            "'unterminated",
            "\"unterminated",
            "[unterminated",
            "/* unterminated",
            "`a``b` \"a\"\"b\" [a]]b]",
            "sélect ıs lımıt ſelect ﬁle",
            "a$b _x $ $1 $a$ ?x ?١",
        ];
        for case in cases {
            same(case);
        }
    }

    #[test]
    fn fuzz_against_sqlparser() {
        let alphabet: Vec<char> =
            "aNnXxeELs0159._'\"`[](),;-><=!|/*%&^~#@?$:\\{}+\n\r\t ıſéﬁ\u{a0}\u{b}١"
                .chars()
                .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200_000 {
            let len = (next() % 12) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            same(&text);
        }
    }
}
