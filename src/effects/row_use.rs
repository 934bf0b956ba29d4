//! What the code does with the rows a query returns: which columns it reads
//! (`rows.map((r) => r.id)`, `const { id, name } = row`, `for (const r of
//! rows) r.email`, `rows.find(…).title`), or whether it passes them on whole
//! (returned, given to a function such as `c.json`, spread, stored).
//!
//! The rows are followed through the variable the query is bound to
//! (`const rows = await q`, D1's `const { results } = await q.all()`), the
//! array methods that keep rows (`filter`, `sort`, `slice`, `find`, `[i]`),
//! the callbacks of the iteration methods and for-of loops, and — when the
//! query is returned from a function of the same file — the callers of that
//! function in the file. Every runtime reference of a followed name must be
//! one of the uses read here; any other use means the rows may be used whole,
//! and the answer is [`RowUse::Whole`] or [`RowUse::Unknown`].

use std::collections::BTreeSet;

use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::knowledge::query::RowUse;
use crate::model::collections::HashSet;
use crate::semantic::{ReferenceFlags, SemanticModel, SymbolId};
use crate::syntax::ast::unwrap_expr;
use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node};

/// Callers followed from a returning function to its callers, at most.
const MAX_DEPTH: u32 = 2;

/// What the code does with the rows of the query whose outermost call is at
/// `query`. `raw`: a D1 prepared statement (`.all()` gives `{ results }`).
pub fn row_use(program: &Program, model: &SemanticModel, query: Span, raw: bool) -> RowUse {
    use_of(program, model, query, raw, 0)
}

fn use_of(program: &Program, model: &SemanticModel, target: Span, raw: bool, depth: u32) -> RowUse {
    let mut finder = Consumer {
        target,
        found: None,
        fns: Vec::new(),
    };
    probe::walk(program, &mut finder);
    match finder.found {
        Some(Found::Bound(pat)) => {
            let array = match (&pat, raw) {
                (Pat::Ident(id), false) => model.symbol_of_decl(&id.id),
                (Pat::Object(o), true) => results_binding(o, model),
                _ => None,
            };
            match array {
                Some(sym) => columns_read(program, model, sym),
                None => RowUse::Unknown,
            }
        }
        Some(Found::Returned(Some(f))) if depth < MAX_DEPTH => {
            let Some(f) = model.symbol_of_decl(&f) else {
                return RowUse::Unknown;
            };
            // The callers of the function in this file, each followed.
            let mut calls = Calls {
                model,
                function: f,
                spans: Vec::new(),
            };
            probe::walk(program, &mut calls);
            if calls.spans.is_empty() {
                return RowUse::Unknown;
            }
            let mut all = BTreeSet::new();
            for span in calls.spans {
                match use_of(program, model, span, raw, depth + 1) {
                    RowUse::Columns(c) => all.extend(c),
                    other => return other,
                }
            }
            RowUse::Columns(all.into_iter().collect())
        }
        Some(Found::Whole) => RowUse::Whole,
        _ => RowUse::Unknown,
    }
}

/// `{ results }` / `{ results: rows }` of a D1 `.all()` result.
fn results_binding(o: &ObjectPat, model: &SemanticModel) -> Option<SymbolId> {
    o.props.iter().find_map(|p| match p {
        ObjectPatProp::Assign(a) if a.key.sym == "results" && a.value.is_none() => {
            model.symbol_of_decl(&a.key.id)
        }
        ObjectPatProp::KeyValue(kv) => match (&kv.key, &*kv.value) {
            (PropName::Ident(k), Pat::Ident(v)) if k.sym == "results" => {
                model.symbol_of_decl(&v.id)
            }
            _ => None,
        },
        _ => None,
    })
}

enum Found {
    /// `const <pat> = await q`
    Bound(Pat),
    /// `return q` / `() => q`: the function's declaring identifier when it
    /// has one (`function f`, `const f = () => …`).
    Returned(Option<Ident>),
    /// Passed to a function, spread, or put in an object.
    Whole,
}

/// The expression the value flows into: through `await` and parentheses.
fn is_target(expr: &Expr, target: Span) -> bool {
    let e = unwrap_expr(expr);
    let e = match e {
        Expr::Await(a) => unwrap_expr(&a.arg),
        e => e,
    };
    e.span() == target
}

/// Finds what consumes the value at `target`.
struct Consumer {
    target: Span,
    found: Option<Found>,
    /// Enclosing functions' declaring identifiers, innermost last.
    fns: Vec<Option<Ident>>,
}

impl Consumer {
    fn set(&mut self, f: Found) {
        if self.found.is_none() {
            self.found = Some(f);
        }
    }

    fn returned(&mut self) {
        let f = self.fns.last().cloned().flatten();
        self.set(Found::Returned(f));
    }

    fn arrow(&mut self, a: &ArrowExpr, name: Option<Ident>) {
        self.fns.push(name);
        if let ArrowFunctionBody::Expr(body) = &*a.body {
            if is_target(body, self.target) {
                self.returned();
            }
        }
        probe::children(a, self);
        self.fns.pop();
    }

    fn function(&mut self, f: &Function, name: Option<Ident>) {
        self.fns.push(name);
        probe::children(f, self);
        self.fns.pop();
    }
}

impl Hooks for Consumer {
    fn kinds(&self) -> u64 {
        bit(Kind::VarDeclarator)
            | bit(Kind::FnDecl)
            | bit(Kind::Arrow)
            | bit(Kind::Function)
            | bit(Kind::Return)
            | bit(Kind::Call)
            | bit(Kind::Spread)
            | bit(Kind::KeyValue)
    }

    fn enter(&mut self, node: Node<'_>) -> Descend {
        match node {
            Node::VarDeclarator(d) => {
                let Some(init) = &d.init else {
                    return Descend::Children;
                };
                if is_target(init, self.target) {
                    self.set(Found::Bound(d.name.clone()));
                }
                // `const f = async () => …`: the function has the variable's name.
                match (&d.name, unwrap_expr(init)) {
                    (Pat::Ident(name), Expr::Arrow(a)) => self.arrow(a, Some(name.id.clone())),
                    (Pat::Ident(name), Expr::Fn(f)) => {
                        self.function(&f.function, Some(name.id.clone()))
                    }
                    _ => return Descend::Children,
                }
                Descend::Skip
            }
            Node::FnDecl(f) => {
                self.function(&f.function, Some(f.ident.clone()));
                Descend::Skip
            }
            Node::Arrow(a) => {
                self.arrow(a, None);
                Descend::Skip
            }
            Node::Function(f) => {
                self.function(f, None);
                Descend::Skip
            }
            Node::Return(r) => {
                if r.arg.as_ref().is_some_and(|a| is_target(a, self.target)) {
                    self.returned();
                }
                Descend::Children
            }
            Node::Call(c) => {
                if c.args.iter().any(|a| is_target(&a.expr, self.target)) {
                    self.set(Found::Whole);
                }
                Descend::Children
            }
            Node::Spread(s) => {
                if is_target(&s.expr, self.target) {
                    self.set(Found::Whole);
                }
                Descend::Children
            }
            Node::KeyValue(p) => {
                if is_target(&p.value, self.target) {
                    self.set(Found::Whole);
                }
                Descend::Children
            }
            _ => Descend::Children,
        }
    }
}

/// Calls of one function of the file (`f(…)`), by what the callee refers to.
struct Calls<'m> {
    model: &'m SemanticModel,
    function: SymbolId,
    spans: Vec<Span>,
}

impl Hooks for Calls<'_> {
    fn kinds(&self) -> u64 {
        bit(Kind::Call)
    }

    fn enter(&mut self, node: Node<'_>) -> Descend {
        if let Node::Call(c) = node {
            if let Callee::Expr(e) = &c.callee {
                if let Expr::Ident(id) = unwrap_expr(e) {
                    if self.model.symbol_of_ref(id) == Some(self.function) {
                        self.spans.push(c.span);
                    }
                }
            }
        }
        Descend::Children
    }
}

/// Array methods that return (some of) the same rows.
const KEEP_ROWS: &[&str] = &[
    "filter",
    "slice",
    "sort",
    "toSorted",
    "reverse",
    "toReversed",
];
/// Array methods that return one of the rows.
const ONE_ROW: &[&str] = &["find", "findLast", "at", "pop", "shift"];
/// Array methods whose result holds no row; the callback's parameter at the
/// index is a row.
const CONSUME: &[(&str, &[usize])] = &[
    ("map", &[0]),
    ("forEach", &[0]),
    ("flatMap", &[0]),
    ("some", &[0]),
    ("every", &[0]),
    ("findIndex", &[0]),
    ("findLastIndex", &[0]),
    ("reduce", &[1]),
    ("reduceRight", &[1]),
];

/// Which parameters of a callback of `method` (on rows) are rows.
fn row_params(method: &str) -> &'static [usize] {
    match method {
        "filter" | "find" | "findLast" => &[0],
        "sort" | "toSorted" => &[0, 1],
        _ => CONSUME
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, p)| *p)
            .unwrap_or(&[]),
    }
}

fn columns_read(program: &Program, model: &SemanticModel, array: SymbolId) -> RowUse {
    let mut t = Tracker {
        model,
        arrays: [array].into_iter().collect(),
        rows: HashSet::default(),
        accounted: HashSet::default(),
        columns: BTreeSet::new(),
        whole: false,
    };
    // Names found later in the walk than their first use (rare) need a
    // second pass.
    for _ in 0..3 {
        let before = t.arrays.len() + t.rows.len();
        probe::walk(program, &mut t);
        if t.arrays.len() + t.rows.len() == before {
            break;
        }
    }
    if t.whole {
        return RowUse::Whole;
    }
    for sym in t.arrays.iter().chain(t.rows.iter()) {
        for r in model.references(*sym) {
            if !r.flags.is_runtime() {
                continue;
            }
            if r.flags.intersects(ReferenceFlags::WRITE) {
                return RowUse::Unknown;
            }
            if !t.accounted.contains(&r.span.lo.0) {
                return RowUse::Whole;
            }
        }
    }
    RowUse::Columns(t.columns.into_iter().collect())
}

/// Follows rows through names and array methods, recording the columns read.
struct Tracker<'m> {
    model: &'m SemanticModel,
    /// Names holding rows (arrays of them).
    arrays: HashSet<SymbolId>,
    /// Names holding one row.
    rows: HashSet<SymbolId>,
    /// References (by start) used in a way read here.
    accounted: HashSet<u32>,
    columns: BTreeSet<String>,
    /// A destructuring took the rest or a computed key.
    whole: bool,
}

impl Tracker<'_> {
    fn tracked<'e>(&self, e: &'e Expr, set: &HashSet<SymbolId>) -> Option<&'e Ident> {
        match unwrap_expr(e) {
            Expr::Ident(id) => self
                .model
                .symbol_of_ref(id)
                .filter(|s| set.contains(s))
                .map(|_| id),
            _ => None,
        }
    }

    /// `e` holds rows: a followed name or an array method keeping rows. The
    /// identifier it starts from.
    fn array<'e>(&self, e: &'e Expr) -> Option<&'e Ident> {
        if let Some(id) = self.tracked(e, &self.arrays) {
            return Some(id);
        }
        let (obj, method) = method_call(e)?;
        if KEEP_ROWS.contains(&method) {
            self.array(obj)
        } else {
            None
        }
    }

    /// `e` holds one row: a followed name, `rows[i]`, `rows.find(…)`.
    fn row<'e>(&self, e: &'e Expr) -> Option<&'e Ident> {
        if let Some(id) = self.tracked(e, &self.rows) {
            return Some(id);
        }
        match unwrap_expr(e) {
            Expr::Member(m) if matches!(m.prop, MemberProp::Computed(_)) => self.array(&m.obj),
            e => {
                let (obj, method) = method_call(e)?;
                if ONE_ROW.contains(&method) {
                    self.array(obj)
                } else {
                    None
                }
            }
        }
    }

    /// `e` is only tested for truthiness or null (`if (row)`, `!rows`).
    fn tested(&mut self, e: &Expr) {
        let tracked = self
            .tracked(e, &self.arrays)
            .or_else(|| self.tracked(e, &self.rows));
        if let Some(id) = tracked {
            self.account(id);
        }
    }

    fn account(&mut self, id: &Ident) {
        self.accounted.insert(id.span.lo.0);
    }

    /// A pattern a row is bound or destructured to.
    fn row_pat(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(id) => {
                if let Some(s) = self.model.symbol_of_decl(&id.id) {
                    self.rows.insert(s);
                }
            }
            Pat::Object(o) => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::Assign(a) => {
                            self.columns.insert(a.key.sym.as_str().to_owned());
                        }
                        ObjectPatProp::KeyValue(kv) => match prop_name(&kv.key) {
                            Some(k) => {
                                self.columns.insert(k);
                            }
                            None => self.whole = true,
                        },
                        ObjectPatProp::Rest(_) => self.whole = true,
                    }
                }
            }
            Pat::Assign(a) => self.row_pat(&a.left),
            _ => self.whole = true,
        }
    }

    fn callback_rows(&mut self, callback: &Expr, params: &[usize]) {
        match unwrap_expr(callback) {
            Expr::Arrow(a) => {
                for i in params {
                    if let Some(p) = a.params.get(*i) {
                        self.row_pat(p);
                    }
                }
            }
            Expr::Fn(f) => {
                for i in params {
                    if let Some(p) = f.function.params.get(*i) {
                        self.row_pat(&p.pat);
                    }
                }
            }
            _ => {}
        }
    }
}

fn method_call(e: &Expr) -> Option<(&Expr, &str)> {
    match unwrap_expr(e) {
        Expr::Call(c) => call_method(c),
        _ => None,
    }
}

/// `obj.method(…)`: the object and the method's name.
fn call_method(c: &CallExpr) -> Option<(&Expr, &str)> {
    let Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Member(m) = unwrap_expr(callee) else {
        return None;
    };
    let MemberProp::Ident(p) = &m.prop else {
        return None;
    };
    Some((&m.obj, p.sym.as_ref()))
}

fn prop_name(p: &PropName) -> Option<String> {
    match p {
        PropName::Ident(i) => Some(i.sym.as_str().to_owned()),
        PropName::Str(s) => s.value.as_str().map(str::to_string),
        _ => None,
    }
}

impl Hooks for Tracker<'_> {
    fn kinds(&self) -> u64 {
        bit(Kind::Member)
            | bit(Kind::Call)
            | bit(Kind::ForOf)
            | bit(Kind::VarDeclarator)
            | bit(Kind::Unary)
            | bit(Kind::If)
            | bit(Kind::Cond)
            | bit(Kind::Bin)
    }

    fn enter(&mut self, node: Node<'_>) -> Descend {
        match node {
            Node::Member(m) => {
                if let Some(root) = self.array(&m.obj) {
                    if matches!(&m.prop, MemberProp::Ident(p) if p.sym == "length") {
                        self.account(root);
                    }
                } else if let Some(root) = self.row(&m.obj) {
                    let key = match &m.prop {
                        MemberProp::Ident(p) => Some(p.sym.as_str().to_owned()),
                        MemberProp::Computed(c) => match unwrap_expr(&c.expr) {
                            Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_string),
                            _ => None,
                        },
                        MemberProp::PrivateName(_) => None,
                    };
                    if let Some(k) = key {
                        self.account(root);
                        self.columns.insert(k);
                    }
                }
            }
            Node::Call(c) => {
                if let Some((obj, method)) = call_method(c) {
                    if let Some(root) = self.array(obj) {
                        let params = row_params(method);
                        // A named callback (`rows.map(toDto)`) takes the rows whole.
                        let inline = c.args.first().is_some_and(|cb| {
                            matches!(unwrap_expr(&cb.expr), Expr::Arrow(_) | Expr::Fn(_))
                        });
                        if inline {
                            self.callback_rows(&c.args[0].expr, params);
                            if CONSUME.iter().any(|(m, _)| *m == method) {
                                self.account(root);
                            }
                        }
                    }
                }
            }
            Node::ForOf(f) => {
                if let Some(root) = self.array(&f.right) {
                    if let ForHead::VarDecl(v) = &f.left {
                        if let Some(d) = v.decls.first() {
                            self.account(root);
                            self.row_pat(&d.name);
                        }
                    }
                }
            }
            Node::VarDeclarator(d) => {
                if let Some(init) = &d.init {
                    if let Some(root) = self.array(init) {
                        match &d.name {
                            Pat::Ident(id) => {
                                if let Some(s) = self.model.symbol_of_decl(&id.id) {
                                    self.arrays.insert(s);
                                    self.account(root);
                                }
                            }
                            Pat::Array(a) => {
                                self.account(root);
                                for e in a.elems.iter().flatten() {
                                    self.row_pat(e);
                                }
                            }
                            _ => {}
                        }
                    } else if let Some(root) = self.row(init) {
                        self.account(root);
                        self.row_pat(&d.name);
                    }
                }
            }
            Node::Unary(u) if u.op == UnaryOp::Bang => self.tested(&u.arg),
            Node::If(i) => {
                self.tested(&i.test);
            }
            Node::Cond(c) => {
                self.tested(&c.test);
            }
            Node::Bin(b) => {
                match b.op {
                    // `row && row.x`: the left side is only tested.
                    BinaryOp::LogicalAnd => self.tested(&b.left),
                    // `row == null`, `rows === undefined`
                    BinaryOp::EqEq | BinaryOp::NotEq | BinaryOp::EqEqEq | BinaryOp::NotEqEq => {
                        let nullish = |e: &Expr| {
                            matches!(unwrap_expr(e), Expr::Lit(Lit::Null(_)))
                                || matches!(unwrap_expr(e), Expr::Ident(i) if i.sym == "undefined")
                        };
                        if nullish(&b.right) {
                            self.tested(&b.left);
                        } else if nullish(&b.left) {
                            self.tested(&b.right);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Descend::Children
    }
}
