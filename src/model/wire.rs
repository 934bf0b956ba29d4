//! A compact binary form for the results of one file's walk, so that they
//! can be computed apart (another thread's wasm instance, a cache on disk)
//! and fed back: integers as LEB128, strings and lists with their length
//! first, enums as a tag byte. Written by hand (a `put` and a `take` per
//! type, mostly by the [`wire_struct!`] and [`wire_enum!`] macros) rather than
//! by serde's derives, whose visitors would cost the wasm several times the
//! size. Not a stable format: a reader only reads what the same build wrote
//! (the wrapper's cache keys include the build).

use super::rule::RuleMeta;

/// A value in the binary form. One method both writes and reads it (the
/// [`Visit`] says which): a type's code is one function, and reading fills
/// a default value in place. A reader that meets bytes that are not a
/// value (cut short, a bad tag) marks itself bad and goes on with empty
/// values: no early return whose drops would be compiled at every field.
pub trait Wire {
    fn wire(&mut self, v: &mut Visit<'_>);
}

/// What a deferred finding of a rule the build does not know reads as
/// (the reader is then bad, and the walk is not used).
pub static UNKNOWN_RULE: RuleMeta = RuleMeta {
    id: "",
    category: super::report::Category::Input,
    severity: super::report::Severity::Info,
    summary: "",
};

fn no_rules(_: &str) -> Option<&'static RuleMeta> {
    None
}

/// Writes values to its buffer, or reads them back from bytes: one type
/// (not a trait object or a generic), so that each value's code is compiled
/// once and calls it directly. Its methods are never inlined: the call
/// sites, one per field of every type, stay small.
pub struct Visit<'a> {
    reading: bool,
    bad: bool,
    /// What a writer wrote.
    pub out: Vec<u8>,
    /// What a reader has left to read.
    bytes: &'a [u8],
    /// Turns a rule id back into its metadata (a deferred finding's).
    rules: &'a dyn Fn(&str) -> Option<&'static RuleMeta>,
}

impl<'a> Visit<'a> {
    pub fn writer() -> Visit<'static> {
        Visit {
            reading: false,
            bad: false,
            out: Vec::new(),
            bytes: &[],
            rules: &no_rules,
        }
    }

    pub fn reader(bytes: &'a [u8], rules: &'a dyn Fn(&str) -> Option<&'static RuleMeta>) -> Self {
        Visit {
            reading: true,
            bad: false,
            out: Vec::new(),
            bytes,
            rules,
        }
    }

    /// Reading: the visited value is overwritten.
    pub fn reading(&self) -> bool {
        self.reading
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// How many bytes are left to read.
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// Everything read so far was a value.
    pub fn ok(&self) -> bool {
        !self.bad
    }

    /// Marks what is being read as not a value.
    pub fn fail(&mut self) {
        self.bad = true;
    }

    /// A `T` read from the bytes that follow (its default if they are not one).
    pub fn take<T: Wire + Default>(&mut self) -> T {
        let mut value = T::default();
        value.wire(self);
        value
    }

    /// `value`, read whole, and nothing after it.
    pub fn finish<T>(&self, value: T) -> Option<T> {
        (!self.bad && self.bytes.is_empty()).then_some(value)
    }

    fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => {
                self.bad = true;
                0
            }
        }
    }

    /// An unsigned LEB128 number.
    #[inline(never)]
    pub fn read_uint(&mut self) -> u64 {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            if shift > 63 {
                self.bad = true;
                return 0;
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return value;
            }
            shift += 7;
        }
    }

    /// A count of values that follow, each at least a byte long (a
    /// damaged count does not make a huge allocation).
    pub fn read_count(&mut self) -> usize {
        let n = self.read_uint();
        if n > self.bytes.len() as u64 {
            self.bad = true;
            return 0;
        }
        n as usize
    }

    /// The next `n` bytes (none if fewer are left).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        if n > self.bytes.len() {
            self.bad = true;
            return &[];
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        head
    }

    /// A number (LEB128).
    #[inline(never)]
    pub fn uint(&mut self, n: &mut u64) {
        if self.reading {
            *n = self.read_uint();
        } else {
            put_uint(&mut self.out, *n);
        }
    }

    /// A count of values that follow.
    #[inline(never)]
    pub fn count(&mut self, n: &mut usize) {
        if self.reading {
            *n = self.read_count();
        } else {
            put_uint(&mut self.out, *n as u64);
        }
    }

    /// An enum's tag, below `variants`.
    #[inline(never)]
    pub fn tag(&mut self, tag: &mut u8, variants: u8) {
        if !self.reading {
            self.out.push(*tag);
            return;
        }
        *tag = self.byte();
        if *tag >= variants {
            self.bad = true;
            *tag = 0;
        }
    }

    /// A string (its length, then its bytes).
    #[inline(never)]
    pub fn string(&mut self, s: &mut String) {
        if !self.reading {
            put_uint(&mut self.out, s.len() as u64);
            self.out.extend_from_slice(s.as_bytes());
            return;
        }
        let n = self.read_count();
        match std::str::from_utf8(self.bytes(n)) {
            Ok(text) => text.clone_into(s),
            Err(_) => self.bad = true,
        }
    }

    /// The metadata of the rule `id` (reading a deferred finding).
    #[inline(never)]
    pub fn rule(&mut self, id: &str) -> &'static RuleMeta {
        (self.rules)(id).unwrap_or_else(|| {
            // Not a rule of this build: the walk is made again.
            self.bad = true;
            &UNKNOWN_RULE
        })
    }
}

/// Writes `value` to the end of `out`.
pub fn put<T: Wire>(out: &mut Vec<u8>, value: &mut T) {
    let mut v = Visit::writer();
    v.out = std::mem::take(out);
    value.wire(&mut v);
    *out = v.out;
}

/// Appends an unsigned LEB128 number.
#[inline(never)]
pub fn put_uint(w: &mut Vec<u8>, mut value: u64) {
    loop {
        let b = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            w.push(b);
            return;
        }
        w.push(b | 0x80);
    }
}

impl Wire for bool {
    fn wire(&mut self, v: &mut Visit<'_>) {
        let mut tag = u8::from(*self);
        v.tag(&mut tag, 2);
        *self = tag == 1;
    }
}

impl Wire for u32 {
    fn wire(&mut self, v: &mut Visit<'_>) {
        let mut n = u64::from(*self);
        v.uint(&mut n);
        if n > u64::from(u32::MAX) {
            v.fail();
        }
        *self = n as u32;
    }
}

impl Wire for usize {
    fn wire(&mut self, v: &mut Visit<'_>) {
        let mut n = *self as u64;
        v.uint(&mut n);
        if n > usize::MAX as u64 {
            v.fail();
        }
        *self = n as usize;
    }
}

impl Wire for String {
    fn wire(&mut self, v: &mut Visit<'_>) {
        v.string(self);
    }
}

impl<T: Wire + Default> Wire for Option<T> {
    fn wire(&mut self, v: &mut Visit<'_>) {
        let mut tag = u8::from(self.is_some());
        v.tag(&mut tag, 2);
        if v.reading() {
            *self = (tag == 1).then(T::default);
        }
        if let Some(value) = self {
            value.wire(v);
        }
    }
}

impl<T: Wire + Default> Wire for Vec<T> {
    fn wire(&mut self, v: &mut Visit<'_>) {
        let mut n = self.len();
        v.count(&mut n);
        // Read into an empty list (a default value's): no elements to drop.
        if v.reading() {
            for _ in 0..n {
                self.push(T::default());
            }
        }
        for value in self {
            value.wire(v);
        }
    }
}

impl<T: Wire> Wire for Box<T> {
    fn wire(&mut self, v: &mut Visit<'_>) {
        (**self).wire(v);
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn wire(&mut self, v: &mut Visit<'_>) {
        self.0.wire(v);
        self.1.wire(v);
    }
}

impl<A: Wire, B: Wire, C: Wire> Wire for (A, B, C) {
    fn wire(&mut self, v: &mut Visit<'_>) {
        self.0.wire(v);
        self.1.wire(v);
        self.2.wire(v);
    }
}

/// [`Wire`] for a struct: its fields in the order listed (every field).
macro_rules! wire_struct {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl $crate::model::wire::Wire for $t {
            fn wire(&mut self, v: &mut $crate::model::wire::Visit<'_>) {
                $( $crate::model::wire::Wire::wire(&mut self.$f, v); )*
            }
        }
    };
}

/// [`Wire`] for an enum of unit and tuple variants: a tag byte (the number
/// given, from 0 in order), then the variant's fields. Read, the variant is
/// made with default fields, then the fields are read into it.
macro_rules! wire_enum {
    ($t:ident { $($n:literal => $v:ident $(( $($f:ident),* ))? ),* $(,)? }) => {
        impl $crate::model::wire::Wire for $t {
            fn wire(&mut self, v: &mut $crate::model::wire::Visit<'_>) {
                let mut tag: u8 = match self { $( $t::$v { .. } => $n, )* };
                v.tag(&mut tag, [$($n),*].len() as u8);
                if v.reading() {
                    *self = $crate::model::wire::wire_enum!(@variant $t, tag; $( $n => $v $(( $($f),* ))? ),*);
                }
                match self {
                    $( $t::$v $(( $($f),* ))? => { $( $( $crate::model::wire::Wire::wire($f, v); )* )? } )*
                }
            }
        }
    };
    // The variant of `tag` (the last one for any tag past the others:
    // `Visit::tag` keeps it below their number).
    (@variant $t:ident, $tag:ident; $n:literal => $v:ident $(( $($f:ident),* ))?) => {
        $t::$v $(( $( $crate::model::wire::wire_enum!(@default $f) ),* ))?
    };
    (@variant $t:ident, $tag:ident; $n:literal => $v:ident $(( $($f:ident),* ))?, $($rest:tt)+) => {
        if $tag == $n {
            $t::$v $(( $( $crate::model::wire::wire_enum!(@default $f) ),* ))?
        } else {
            $crate::model::wire::wire_enum!(@variant $t, $tag; $($rest)+)
        }
    };
    (@default $f:ident) => {
        Default::default()
    };
}

pub(crate) use wire_enum;
pub(crate) use wire_struct;

// The report's parts a walk finds, here rather than in report.rs: `wire`
// uses `report` (a rule's category and severity), and a layer's modules
// form no cycle.
use super::report::{Category, Diagnostic, Related, Severity};
wire_enum!(Severity { 0 => Info, 1 => Warning, 2 => Error });
wire_enum!(Category {
    0 => Async,
    1 => Limits,
    2 => Memory,
    3 => Cpu,
    4 => ColdStart,
    5 => Database,
    6 => Bundle,
    7 => Startup,
    8 => Input,
});
wire_struct!(Related {
    file,
    line,
    column,
    message
});
wire_struct!(Diagnostic {
    rule,
    severity,
    category,
    message,
    file,
    line,
    column,
    end_line,
    end_column,
    help,
    docs,
    related,
    group,
});

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Wire + Default + PartialEq + std::fmt::Debug + Clone>(value: T) {
        let mut w = Vec::new();
        put(&mut w, &mut value.clone());
        let none = |_: &str| None;
        let mut r = Visit::reader(&w, &none);
        let read: T = r.take();
        assert_eq!(r.finish(read), Some(value));
    }

    #[test]
    fn values_read_back_as_written() {
        round_trip(0u32);
        round_trip(u32::MAX);
        round_trip(300usize);
        round_trip(String::from("héllo"));
        round_trip(vec![Some(true), None, Some(false)]);
        round_trip((1u32, String::new(), vec![(2usize, 3u32)]));
    }

    /// Bytes cut short or with a bad tag read as nothing, never as a value
    /// or a panic.
    #[test]
    fn truncated_or_corrupt_bytes_read_as_none() {
        let mut w = Vec::new();
        put(&mut w, &mut vec![String::from("abc"), String::from("de")]);
        let none = |_: &str| None;
        let read = |bytes: &[u8]| {
            let mut r = Visit::reader(bytes, &none);
            let value: Vec<String> = r.take();
            r.finish(value)
        };
        for end in 0..w.len() {
            assert_eq!(read(&w[..end]), None);
        }
        assert_eq!(read(&w), Some(vec!["abc".into(), "de".into()]));
        let mut r = Visit::reader(&[7], &none);
        let value: bool = r.take();
        assert_eq!(r.finish(value), None);
        // A huge length does not allocate for it.
        assert_eq!(read(&[0xff, 0xff, 0xff, 0x0f]), None);
    }
}
