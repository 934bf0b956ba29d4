//! Where the walk is: enclosing functions and loops; what kind of binding a
//! name is (read from the semantic model's symbols).

use crate::model::collections::Words;
use std::rc::Rc;

use swc_core::atoms::Atom;
use swc_core::common::Span;

/// What encloses the current node, innermost last.
#[derive(Debug, Clone)]
pub enum Frame {
    Function {
        span: Span,
        is_async: bool,
        /// A request handler: `fetch`/`scheduled`/`queue`/`email` of the default
        /// export or a Durable Object, or a route callback (`app.get(…, cb)`).
        is_handler: bool,
        /// Its first parameter is the request or the request's context:
        /// a `fetch` handler, a route callback, a Pages Function (not an
        /// RPC method of an entrypoint, nor `scheduled`/`queue`).
        request_param: bool,
        /// Name when it has one (declaration, method, or variable it is bound to).
        name: Option<Atom>,
        /// A method or property of an object or class (`{ fetch() {} }`,
        /// `{ load: async () => {} }`): its name is a key, not a binding a
        /// plain call (`fetch()`) can name.
        is_method: bool,
        /// Parameter names (shared: the walker passes the frame to the rules
        /// and keeps it on the stack).
        params: Rc<[Atom]>,
        /// Each parameter is one name (no destructuring, no rest): the
        /// i-th of `params` takes the i-th argument.
        positional: bool,
        /// Set when the function is the callback of an array method
        /// (`xs.map(cb)`): the method name.
        iteration_method: Option<Atom>,
        /// Set when the callback is `Promise.all(xs.map(cb))`-style.
        in_promise_combinator: bool,
        /// Its option parameters: (position, name) of each one whose default
        /// is `false` (`withStats = false`); None when it has none.
        flags: Option<Rc<[(u32, Atom)]>>,
    },
    Loop {
        span: Span,
        kind: LoopKind,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    For,
    ForIn,
    ForOf,
    ForAwaitOf,
    While,
    DoWhile,
}

/// Array methods whose callback runs once per element.
pub static ITERATION_METHODS: Words = Words::new(&[
    "map",
    "forEach",
    "filter",
    "reduce",
    "reduceRight",
    "flatMap",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "sort",
]);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingKind {
    Const,
    Let,
    Var,
    Function,
    Class,
    Param,
    Import,
}

/// Where a repeated node repeats.
#[derive(Debug, Clone)]
pub struct Repeat {
    pub span: Span,
    pub kind: Option<LoopKind>,
    pub method: Option<Atom>,
    pub in_promise_combinator: bool,
}

impl Frame {
    /// The repetition this frame stands for: a loop, or an array method's
    /// per-element callback; `None` for any other function.
    pub fn repeat(&self) -> Option<Repeat> {
        match self {
            Frame::Loop { kind, span } => Some(Repeat {
                span: *span,
                kind: Some(*kind),
                method: None,
                in_promise_combinator: false,
            }),
            Frame::Function {
                iteration_method: Some(m),
                span,
                in_promise_combinator,
                ..
            } => Some(Repeat {
                span: *span,
                kind: None,
                method: Some(m.clone()),
                in_promise_combinator: *in_promise_combinator,
            }),
            Frame::Function { .. } => None,
        }
    }
}

impl Repeat {
    /// "for-of loop", "forEach callback".
    pub fn describe(&self) -> String {
        match (&self.kind, &self.method) {
            (Some(LoopKind::For), _) => "for loop".into(),
            (Some(LoopKind::ForIn), _) => "for-in loop".into(),
            (Some(LoopKind::ForOf), _) => "for-of loop".into(),
            (Some(LoopKind::ForAwaitOf), _) => "for-await-of loop".into(),
            (Some(LoopKind::While), _) => "while loop".into(),
            (Some(LoopKind::DoWhile), _) => "do-while loop".into(),
            (None, Some(m)) => format!("{m} callback"),
            (None, None) => "loop".into(),
        }
    }
}
