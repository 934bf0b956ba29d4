//! Where repeated code is not a per-item hot path, for the loop and logging
//! rules. Computed once per file during the walk (the walker feeds
//! `FileContext::hot` when an enabled rule asks for it: `Rule::hot_paths`),
//! and queried by every rule that needs it:
//!
//! - **Retry and fallback loops**: the body exits the loop (`return`, `break`)
//!   on the path where the awaited call succeeded — unconditionally after it
//!   (`try { return await op() } catch { … }`, a `return` at the end of the
//!   body or of a `try` block), or under a success check of an awaited value
//!   (`const r = await fetch(u); if (r.ok) return r;`, `if (data) break;`,
//!   `if (!error) return data;`). Such a loop usually runs once. A check of a
//!   failure (`if (!r.ok) return`) or of anything not awaited in the loop
//!   (`if (!id) return`) is an early exit of a per-item loop, not a retry.
//!   A counting loop over attempts (its counter or bound named for attempts,
//!   retries or tries) that can leave the loop is one too, whatever it tests.
//! - **First-match loops**: a statement followed, in the block that holds
//!   it, by an unconditional exit of the loop (`return`, `throw` that no
//!   `try` in the loop catches, `break` of this loop), with no `continue`
//!   (or other jump back into the loop) between them, runs at most once per
//!   run of the loop:
//!   `for (const k in ROUTES) { if (path.startsWith(k)) { const r = await fetch(u); return r; } }`,
//!   `if (matches) { const ok = await check(db); if (!ok) return deny(); break; }`.
//!   Only that part of the body is quiet: a call before the matching branch,
//!   or one whose exit is conditional (`if (!r.ok) return r`), repeats.
//! - **Small constant counts**: loops over an array literal (directly or
//!   through a `const` bound to one, grown by a few pushes that run where it
//!   is declared, not in a loop or function of their own), `.slice(0, n)` with a literal or
//!   constant n, lists made from a known one (`FEEDS.filter(cb)`, `.map`,
//!   `.slice(1)`: at most its length), `Object.keys`/`values`/`entries` of
//!   an object literal with written-out keys that nothing adds to, counting loops bounded by a literal or constant
//!   (`i < 3`, `attempt < MAX_ATTEMPTS`), array callbacks of such lists, a
//!   queue handler's `batch.messages` (at most the consumers'
//!   `max_batch_size`).
//!   Nested counts multiply; the rule compares the product with its limit.
//! - **Chunk loops**: a counting loop that steps by a chunk: a literal of at
//!   least 10 (`i += 100`) or a named step of at least 2 (`i += CHUNK_SIZE`,
//!   `i += batchSize` with `const batchSize = 6`): each iteration's call
//!   covers a chunk, the batched form.
//! - **Paging loops**: a `while` or `do…while` loop whose condition reads a
//!   name the body assigns from an awaited response, directly or through a
//!   name bound to one (`const page = await res.json(); token = page.next;`
//!   … `while (token)`): each iteration needs the previous response (a
//!   continuation token, a `hasMore` flag, a polled status), so the
//!   iterations cannot run together; so is a `while (true)` / `for (;;)`
//!   loop that sends the same request again after a pause (`await
//!   sleep(ms)`, no page counter or cursor it moves on) until a `break`
//!   under a test of such a name (polling until a job is done). Not quiet
//!   (the loop repeats per page). So is a loop bounded by a constant count
//!   (`for (let p = 0; p < MAX_PAGES; p++)`) that moves a page counter or
//!   cursor on and stops under a test of the response (`if (!cursor)
//!   return items`, `if (repos.length < 100) break`):
//!   [`HotPaths::pages`] says so, for the rules whose fix would be to start
//!   the calls together. A condition on anything else (`while
//!   (queue.length)` over items `shift()`ed in the body) is not one.
//! - **Paths walked down**: a loop whose body extends a string declared
//!   outside it (`path += '/' + seg`, `current = current + '/' + seg`,
//!   ``p = `${p}/${seg}` ``): a request whose URL reads it addresses, each
//!   iteration, a child of the previous one's (creating parent folders
//!   first, `MKCOL` per segment), which may have to go in order
//!   ([`HotPaths::walks_path`]).
//! - **Failure-only code**: `catch` clauses, the branch of an `if` that
//!   handles a failure (`if (!res.ok)`, `if (error)`, `if (res.status >= 400)`,
//!   the `else` of `if (res.ok)`), the statements after `if (res.ok) return
//!   …` or after a `switch (res.status)` whose 2xx cases return, `.catch(cb)`,
//!   `.then(_, onRejected)` and `onError(cb)` callbacks.

use swc_core::atoms::Atom;
use swc_core::common::{Span, Spanned};
use swc_core::ecma::ast::*;

use crate::knowledge::query::key;
use crate::model::collections::{HashMap, HashSet};
use crate::semantic::node::{Node, NodeKind};
use crate::semantic::scope::{Frame, Repeat};
use crate::syntax::ast::{method_name, pat_names, unwrap_expr};

/// A numeric literal's value.
pub fn number(expr: &Expr) -> Option<f64> {
    match unwrap_expr(expr) {
        Expr::Lit(Lit::Num(n)) => Some(n.value),
        _ => None,
    }
}

/// The smallest step of a loop over chunks.
const CHUNK: f64 = 10.0;

/// How many times a quiet loop or callback repeats: its constant count, or 1
/// for a retry loop (it usually runs once, whatever its bound).
#[derive(Debug, Clone, Copy)]
struct Quiet {
    times: f64,
}

/// The node kinds [`HotPaths::enter`] reads.
pub const INTERESTS: &[NodeKind] = &[
    NodeKind::Function,
    NodeKind::VarDecl,
    NodeKind::Loop,
    NodeKind::Call,
    NodeKind::Stmt,
    NodeKind::Stmts,
    NodeKind::Assign,
];

/// What the walk feeds it: `VarDecl`, `Loop`, `Call`, `Stmt` and `Assign` nodes (see
/// [`HotPaths::enter`]).
#[derive(Default)]
pub struct HotPaths {
    /// `const MAX = 3` (3) and `const endpoints = [a, b]` (2).
    consts: HashMap<Atom, f64>,
    /// The lists among `consts` (`const hooks = []`, `[a, b]`) and where each
    /// is declared: a `push` of one element where the declaration runs
    /// (not in a loop or function around the push only) makes it one longer.
    lists: HashMap<Atom, Span>,
    /// The loops and functions entered so far (what may repeat a `push`).
    scopes: Vec<Span>,
    /// Loops and callbacks (by span) that are retries or repeat a small
    /// constant number of times.
    quiet: HashMap<(u32, u32), Quiet>,
    /// Parts of a loop's body (by the loop's span) that run at most once per
    /// run of the loop: statements followed by an unconditional exit.
    once: HashMap<(u32, u32), Vec<Span>>,
    /// Paging loops (by span): each iteration needs the previous response.
    pages: HashSet<(u32, u32)>,
    /// Strings a loop's body (by the loop's span) extends each iteration.
    walked: HashMap<(u32, u32), HashSet<Atom>>,
    /// Code that runs only on a failure.
    cold: Vec<Span>,
    /// The queue consumers' largest batch (`ProjectInfo::queue_batch_size`).
    queue_batch_size: Option<u32>,
    /// The end of the functions and loops entered so far: code past it is
    /// at module scope.
    scopes_end: swc_core::common::BytePos,
    /// The lists declared at module scope (`const ROLES = ['a', 'b']`) and
    /// where: another file that imports one may know its length.
    module_lists: HashMap<Atom, Span>,
    /// Names iterated (`for (const x of xs)`, `xs.map(cb)`) whose length is
    /// not known here: another file's list, if imported; `f()` for the
    /// result of calling `f` (`for (const s of getAll())`, or through
    /// `const xs = getAll()`).
    unknown_lengths: HashSet<String>,
    /// Functions known to return a list of a known length (`f` for `f()`).
    call_results: HashMap<Atom, f64>,
    /// `const xs = f()`: the name of the list and the function it is from.
    call_aliases: HashMap<Atom, Atom>,
    /// `const PLANS = { free: …, pro: … }`: the number of properties of
    /// object literals bound to a `const` (for `Object.keys(PLANS)`).
    objects: HashMap<Atom, f64>,
    /// First parameters of `queue(batch, env, ctx)` handlers.
    queue_batches: HashSet<Atom>,
    /// The functions entered, innermost last (a stack pruned by span), with
    /// their name when callers can be matched to them (a module function
    /// whose parameters are one name each).
    functions: Vec<(Span, Option<Atom>, std::rc::Rc<[Atom]>)>,
    /// Each name of a function entered and its parameters (None: two
    /// functions have the name).
    function_params: HashMap<Atom, Option<std::rc::Rc<[Atom]>>>,
    /// Per function called by its name (`f(a, [x, y])`): how many calls,
    /// and per argument the most elements a list given there has (None: a
    /// call gives one of unknown length, or something else).
    call_args: HashMap<Atom, (u32, Vec<Option<f64>>)>,
    /// Parameters (function, position) iterated whose length is not known.
    looped_params: HashSet<(Atom, u32)>,
    /// Parameters known to hold a short list (function, parameter, length):
    /// every call of the function in its file gives one
    /// ([`HotPaths::know_param`]).
    known_params: Vec<(Atom, Atom, f64)>,
    /// The function whose known parameters are in `consts` now, and them.
    params_in_force: Option<(Span, Vec<Atom>)>,
    /// Per named function, the most elements a list it returns has, known
    /// where each `return` runs (`const keys = [path]; if (x) keys.push(y);
    /// return [...new Set(keys)]`: 2); None once a `return` gives a list
    /// of unknown length or something else.
    returned: HashMap<Atom, Option<f64>>,
}

impl HotPaths {
    pub fn new(queue_batch_size: Option<u32>) -> HotPaths {
        HotPaths {
            queue_batch_size,
            ..HotPaths::default()
        }
    }

    /// `name` is a queue consumer's batch (a parameter typed
    /// `MessageBatch`): its `messages` are at most the consumers' batch.
    pub fn note_queue_batch(&mut self, name: &Atom) {
        if self.queue_batch_size.is_some() {
            self.queue_batches.insert(name.clone());
        }
    }

    /// A function or loop is entered (in source order).
    fn enter_scope(&mut self, span: Span) {
        self.scopes_end = self.scopes_end.max(span.hi);
        self.scopes.push(span);
    }

    /// Records what the node says about the code that follows it.
    pub fn enter(&mut self, node: Node<'_>) {
        match node {
            Node::Function(Frame::Function {
                span,
                name,
                is_method,
                params,
                positional,
                ..
            }) => {
                self.enter_scope(*span);
                // Arguments are matched to parameters by position.
                let name = name.as_ref().filter(|_| !is_method && *positional);
                self.enter_function(*span, name, params);
            }
            Node::Loop(stmt) => self.enter_scope(stmt.span()),
            _ => {}
        }
        match node {
            Node::Function(Frame::Function {
                is_handler: true,
                name: Some(name),
                params,
                ..
            }) if name == "queue" && self.queue_batch_size.is_some() => {
                if let Some(batch) = params.first() {
                    self.queue_batches.insert(batch.clone());
                }
            }
            Node::VarDecl(v) if v.kind == VarDeclKind::Const => {
                for d in &v.decls {
                    let (Pat::Ident(name), Some(init)) = (&d.name, d.init.as_deref()) else {
                        continue;
                    };
                    let called = match unwrap_expr(init) {
                        Expr::Call(CallExpr {
                            callee: Callee::Expr(f),
                            ..
                        }) => match unwrap_expr(f) {
                            Expr::Ident(f) => Some(f.sym.clone()),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(f) = called {
                        match self.call_results.get(&f) {
                            Some(&n) => {
                                self.consts.insert(name.id.sym.clone(), n);
                                self.lists.insert(name.id.sym.clone(), d.span);
                            }
                            None => {
                                self.call_aliases.insert(name.id.sym.clone(), f);
                            }
                        }
                    } else if let Some(n) = number(init) {
                        self.consts.insert(name.id.sym.clone(), n);
                    } else if let Some(n) = (array_len(init).or_else(|| self.list_len(init)))
                        .or_else(|| self.limited_rows(init))
                    {
                        // A literal, or a list made from a known one
                        // (`ROUTES.filter(…)`, `Object.keys(PLANS)`).
                        self.consts.insert(name.id.sym.clone(), n);
                        self.lists.insert(name.id.sym.clone(), d.span);
                        // Module scope: past every function and loop entered so far.
                        if self.scopes_end <= d.span.lo {
                            self.module_lists.insert(name.id.sym.clone(), d.span);
                        }
                    } else if let Some(n) = object_len(init) {
                        self.objects.insert(name.id.sym.clone(), n);
                    }
                }
            }
            Node::Loop(stmt) => {
                // A retry loop usually runs once; a loop over chunks
                // (`for (let i = 0; i < n; i += 100)`) is the batched form
                // of a per-item loop: each of its calls covers a chunk.
                let times = if exits_on_success(loop_body(stmt))
                    || self.over_chunks(stmt)
                    || counts_attempts(stmt)
                    || probes_until_free(stmt)
                {
                    Some(1.0)
                } else {
                    self.loop_count(stmt)
                };
                if let Some(times) = times {
                    self.quiet.insert(key(stmt.span()), Quiet { times });
                } else if let Stmt::ForOf(f) = stmt {
                    self.note_unknown_length(&f.right);
                }
                if follows_response(stmt)
                    || (self.loop_count(stmt).is_some() && stops_at_last_page(stmt))
                {
                    self.pages.insert(key(stmt.span()));
                }
                let mut declared = HashSet::default();
                let mut extended = HashSet::default();
                extended_strings(stmts_of(loop_body(stmt)), &mut declared, &mut extended);
                extended.retain(|n| !declared.contains(n));
                if !extended.is_empty() {
                    self.walked.insert(key(stmt.span()), extended);
                }
                let mut once = Vec::new();
                once_regions(stmts_of(loop_body(stmt)), &Place::default(), &mut once);
                once_guarded(stmt, &mut once);
                self.chunk_flushes(stmts_of(loop_body(stmt)), &mut once);
                if !once.is_empty() {
                    self.once.insert(key(stmt.span()), once);
                }
            }
            Node::Call(call) => self.enter_call(call),
            // `PLANS[name] = plan`: the object has properties its literal
            // does not write out.
            Node::Assign(a) if !self.objects.is_empty() => {
                if let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &a.left {
                    if let Expr::Ident(id) = unwrap_expr(&m.obj) {
                        self.objects.remove(&id.sym);
                    }
                }
            }
            Node::Stmt(Stmt::Return(r)) => self.note_return(r),
            Node::Stmt(Stmt::Try(t)) => {
                if let Some(handler) = &t.handler {
                    self.cold.push(handler.body.span);
                }
            }
            // After `if (res.ok) return res;`, or a `switch (res.status)`
            // whose success cases return, the rest of the block runs only
            // on a failure.
            Node::Stmts(stmts) => {
                if let Some(i) = stmts.iter().position(returns_on_success) {
                    if let (Some(next), Some(last)) = (stmts.get(i + 1), stmts.last()) {
                        self.cold.push(Span::new(next.span().lo, last.span().hi));
                    }
                }
            }
            Node::Stmt(Stmt::If(i)) => {
                if failure_test(&i.test) || reports_an_error(&i.cons) {
                    self.cold.push(i.cons.span());
                } else if let (Some(alt), true) = (&i.alt, ok_test(&i.test)) {
                    self.cold.push(alt.span());
                }
            }
            _ => {}
        }
    }

    fn enter_call(&mut self, call: &CallExpr) {
        self.note_call_args(call);
        // A list given to a function (`collect(hooks)`) may grow there, and
        // an object (`Object.assign(PLANS, more)`) but to be listed.
        // Not one that only reads its arguments (`console.error('x', keys)`,
        // `JSON.stringify(keys)`).
        if (!self.lists.is_empty() || !self.objects.is_empty()) && !only_reads_arguments(call) {
            let listing = matches!(&call.callee, Callee::Expr(f) if is_object_listing(f));
            for arg in &call.args {
                if let Expr::Ident(id) = unwrap_expr(&arg.expr) {
                    self.forget_list(&id.sym);
                    if !listing {
                        self.objects.remove(&id.sym);
                    }
                }
            }
        }
        let Callee::Expr(callee) = &call.callee else {
            return;
        };
        let Expr::Member(m) = unwrap_expr(callee) else {
            return;
        };
        let method = method_name(call).map(|m| m.as_ref());
        let callback = |i: usize| {
            call.args.get(i).and_then(|a| match unwrap_expr(&a.expr) {
                Expr::Arrow(f) => Some(f.span),
                Expr::Fn(f) => Some(f.function.span),
                _ => None,
            })
        };
        match method {
            // `xs.push(x)`: `xs` is no longer the literal it was bound to;
            // one element more when the push runs once per declaration
            // (`if (admin) hooks.push(admin)`), else of any length.
            Some(verb @ ("push" | "unshift" | "splice")) => {
                if let Expr::Ident(id) = unwrap_expr(&m.obj) {
                    let once = verb != "splice"
                        && call.args.iter().all(|a| a.spread.is_none())
                        && self
                            .lists
                            .get(&id.sym)
                            .is_some_and(|&decl| !self.repeats_apart(decl, call.span));
                    match self.consts.get_mut(&id.sym) {
                        Some(n) if once => *n += call.args.len() as f64,
                        _ => self.forget_list(&id.sym),
                    }
                }
            }
            Some("catch") | Some("onError") => self.cold.extend(callback(0)),
            Some("then") => self.cold.extend(callback(1)),
            _ => {
                // `["a", "b"].forEach(cb)`: the callback repeats twice.
                match (self.list_len(&m.obj), callback(0)) {
                    (Some(n), Some(span)) => {
                        self.quiet.insert(key(span), Quiet { times: n });
                    }
                    (None, Some(_)) => self.note_unknown_length(&m.obj),
                    _ => {}
                }
            }
        }
    }

    /// `name` (imported) is a list of `len` elements another file declares
    /// (`f()`: `f` returns one): a loop over it repeats `len` times, unless
    /// the file grows it.
    pub fn know_list(&mut self, name: &str, len: f64) {
        // `f:p`: the parameter `p` of the module's function `f`.
        if let Some((function, param)) = name.split_once(':') {
            self.know_param(function.into(), param.into(), len);
            return;
        }
        if let Some(f) = name.strip_suffix("()") {
            self.call_results.insert(f.into(), len);
            return;
        }
        self.consts.insert(name.into(), len);
        // Declared nowhere here: a push in any function or loop forgets it.
        self.lists.insert(name.into(), Span::default());
    }

    /// The parameter `param` of the module's function `function` holds a
    /// list of at most `len` elements: every call of it says so.
    pub fn know_param(&mut self, function: Atom, param: Atom, len: f64) {
        self.known_params.push((function, param, len));
    }

    /// A function is entered: a named one goes on the stack, and the lists
    /// its parameters are known to hold come in force (those of a function
    /// it is not inside leave).
    fn enter_function(&mut self, span: Span, name: Option<&Atom>, params: &std::rc::Rc<[Atom]>) {
        let inside = |outer: Span| outer.lo <= span.lo && span.hi <= outer.hi;
        while self.functions.last().is_some_and(|(f, _, _)| !inside(*f)) {
            self.functions.pop();
        }
        self.functions.push((span, name.cloned(), params.clone()));
        if let Some(name) = name {
            self.function_params
                .entry(name.clone())
                .and_modify(|p| *p = None)
                .or_insert_with(|| Some(params.clone()));
        }
        if self.known_params.is_empty() {
            return;
        }
        if let Some((outer, names)) = self.params_in_force.take() {
            if inside(outer) {
                self.params_in_force = Some((outer, names));
                return;
            }
            for param in names {
                self.forget_list(&param);
            }
        }
        let Some(name) = name else { return };
        let known: Vec<(Atom, f64)> = (self.known_params.iter())
            .filter(|(f, p, _)| f == name && params.contains(p))
            .map(|(_, p, n)| (p.clone(), *n))
            .collect();
        if known.is_empty() {
            return;
        }
        for (param, len) in &known {
            self.consts.insert(param.clone(), *len);
            self.lists.insert(param.clone(), Span::default());
        }
        self.params_in_force = Some((span, known.into_iter().map(|(p, _)| p).collect()));
    }

    /// A `return` of the innermost function entered: the length of the list
    /// it gives, when that function has a name callers know it by.
    fn note_return(&mut self, r: &ReturnStmt) {
        // The innermost function around it (the stack is pruned only when a
        // function is entered: callbacks that ended may be above it).
        let around = (self.functions.iter().rev())
            .find(|(span, _, _)| span.lo <= r.span.lo && r.span.hi <= span.hi);
        let Some((_, Some(name), _)) = around else {
            return; // a callback's, or a function's callers cannot name
        };
        // A name counted as a list (`consts` holds numbers too).
        let len = r.arg.as_deref().and_then(|arg| match unwrap_expr(arg) {
            Expr::Ident(id) if !self.lists.contains_key(&id.sym) => None,
            // `return []` too: no element.
            arg => array_len(arg).or_else(|| self.list_len(arg)),
        });
        let slot = self.returned.entry(name.clone()).or_insert(len);
        *slot = match (*slot, len) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }

    /// The named functions every `return` of which gives a list of a known
    /// length: (name, the most elements). Not a name two functions have.
    pub fn returned_lists(&self) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = (self.returned.iter())
            .filter(|(name, _)| matches!(self.function_params.get(*name), Some(Some(_))))
            .filter_map(|(name, len)| Some((name.to_string(), (*len)? as u32)))
            .filter(|&(_, n)| n > 0)
            .collect();
        out.sort();
        out
    }

    /// `f(a, [x, y])`: what the call gives each parameter of `f`. Only
    /// calls that give a short list somewhere are counted: a function whose
    /// name is used elsewhere too is not judged (`looped_params`' caller
    /// compares the count with the uses of the name in the text).
    fn note_call_args(&mut self, call: &CallExpr) {
        if call.args.is_empty() {
            return;
        }
        let Callee::Expr(callee) = &call.callee else {
            return;
        };
        let Expr::Ident(f) = unwrap_expr(callee) else {
            return;
        };
        let lens: Vec<Option<f64>> = (call.args.iter())
            .map(|a| {
                // An empty list is no bound: the function may fill it.
                a.spread
                    .is_none()
                    .then(|| array_len(&a.expr).or_else(|| self.list_len(&a.expr)))
                    .flatten()
                    .filter(|&n| n > 0.0)
            })
            .collect();
        if lens.iter().all(Option::is_none) {
            return;
        }
        let (calls, args) = self.call_args.entry(f.sym.clone()).or_default();
        if *calls == 0 {
            *args = lens;
        } else {
            let n = args.len().max(lens.len());
            args.resize(n, None);
            for (i, slot) in args.iter_mut().enumerate() {
                *slot = match (*slot, lens.get(i).copied().flatten()) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
        }
        // A spread argument moves the positions after it.
        if call.args.iter().any(|a| a.spread.is_some()) {
            args.iter_mut().for_each(|slot| *slot = None);
        }
        *calls += 1;
    }

    /// Parameters of the module's named functions that a loop or callback
    /// iterates, with a finding maybe hanging on their length: (function,
    /// parameter, the most elements any call gives it, the calls counted).
    pub fn looped_params(&self) -> Vec<(Atom, Atom, f64, u32)> {
        let mut out: Vec<(Atom, Atom, f64, u32)> = Vec::new();
        for (f, i) in &self.looped_params {
            let Some((calls, args)) = self.call_args.get(f) else {
                continue;
            };
            let Some(Some(len)) = args.get(*i as usize) else {
                continue;
            };
            let Some(Some(params)) = self.function_params.get(f) else {
                continue;
            };
            let Some(param) = params.get(*i as usize).cloned() else {
                continue;
            };
            out.push((f.clone(), param, *len, *calls));
        }
        out.sort_by(|a, b| (&*a.0, &*a.1).cmp(&(&*b.0, &*b.1)));
        out
    }

    /// A loop or callback over `list`, whose length is not known here.
    fn note_unknown_length(&mut self, list: &Expr) {
        // A parameter of the named function it is in: its callers may say.
        if let Expr::Ident(id) = unwrap_expr(list) {
            let at = list.span();
            let within = |f: &Span| f.lo <= at.lo && at.hi <= f.hi;
            // The innermost function around it that declares the name.
            let declaring = (self.functions.iter().rev())
                .filter(|(f, _, _)| within(f))
                .find_map(|(_, name, params)| {
                    let i = params.iter().position(|p| *p == id.sym)?;
                    Some((name, i))
                });
            if let Some((Some(name), i)) = declaring {
                self.looped_params.insert((name.clone(), i as u32));
            }
        }
        let name = match unwrap_expr(list) {
            Expr::Ident(id) => match self.call_aliases.get(&id.sym) {
                Some(f) => format!("{f}()"),
                None => id.sym.to_string(),
            },
            Expr::Call(CallExpr {
                callee: Callee::Expr(f),
                ..
            }) => match unwrap_expr(f) {
                Expr::Ident(f) => format!("{}()", f.sym),
                _ => return,
            },
            _ => return,
        };
        self.unknown_lengths.insert(name);
    }

    /// The lists declared at module scope that keep their length as far as
    /// the file shows (no push in a function or loop): (name, length). Not
    /// an empty one: a registry other modules fill (`export const routes =
    /// []`, then `routes.push(…)` in each route module).
    pub fn module_lists(&self) -> Vec<(String, u32)> {
        let mut out: Vec<(String, u32)> = self
            .module_lists
            .iter()
            .filter(|(name, span)| self.lists.get(*name) == Some(*span))
            .filter_map(|(name, _)| Some((name.to_string(), *self.consts.get(name)? as u32)))
            .filter(|&(_, length)| length > 0)
            .collect();
        out.sort();
        out
    }

    /// The names iterated whose length the file does not know (`f()` for
    /// a list a call of `f` returns).
    pub fn unknown_lengths(&self) -> impl Iterator<Item = &String> {
        self.unknown_lengths.iter()
    }

    /// Stops counting the list `name` (a `const` of another kind stays).
    fn forget_list(&mut self, name: &Atom) {
        if self.lists.remove(name).is_some() {
            self.consts.remove(name);
        }
    }

    /// Whether a loop or function entered so far holds `at` but not `decl`:
    /// the code at `at` may run more often than the declaration.
    fn repeats_apart(&self, decl: Span, at: Span) -> bool {
        let holds = |s: &Span, x: Span| s.lo <= x.lo && x.hi <= s.hi;
        self.scopes.iter().any(|s| holds(s, at) && !holds(s, decl))
    }

    /// The number of elements of a list known to be small (at most): a
    /// literal, a `const` bound to one, `.slice(0, n)`, a list made from a
    /// known one (`xs.filter(cb)`), `Object.keys` of an object literal, a
    /// queue handler's batch.
    pub fn list_len(&self, expr: &Expr) -> Option<f64> {
        match unwrap_expr(expr) {
            // `[first, ...rest]`: its elements and those of the lists it spreads.
            Expr::Array(a) if a.elems.iter().flatten().any(|e| e.spread.is_some()) => {
                a.elems.iter().try_fold(0.0, |n, e| match e {
                    Some(e) if e.spread.is_some() => Some(n + self.list_len(&e.expr)?),
                    _ => Some(n + 1.0),
                })
            }
            e @ Expr::Array(_) => literal_len(e),
            // `new Set(xs)`, `Array.from(xs)`: at most as many as the list.
            Expr::New(NewExpr {
                callee,
                args: Some(args),
                ..
            }) if args.len() == 1
                && matches!(unwrap_expr(callee), Expr::Ident(c) if c.sym == "Set") =>
            {
                self.list_len(&args[0].expr)
            }
            Expr::Call(CallExpr {
                callee: Callee::Expr(f),
                args,
                ..
            }) if !args.is_empty()
                && matches!(unwrap_expr(f), Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. })
                    if matches!(unwrap_expr(obj), Expr::Ident(o) if o.sym == "Array") && p.sym == "from") =>
            {
                self.list_len(&args[0].expr)
            }
            // `one ? [one] : COLUMNS.filter(…)`: the longer of the two.
            Expr::Cond(c) => Some(self.list_len(&c.cons)?.max(self.list_len(&c.alt)?)),
            Expr::Ident(id) => self.consts.get(&id.sym).copied(),
            // `getAll()`, known to return a list of a known length.
            Expr::Call(CallExpr {
                callee: Callee::Expr(f),
                ..
            }) if matches!(unwrap_expr(f), Expr::Ident(f) if self.call_results.contains_key(&f.sym)) => {
                match unwrap_expr(f) {
                    Expr::Ident(f) => self.call_results.get(&f.sym).copied(),
                    _ => None,
                }
            }
            // `rows.results` of a D1 `.all()` of a known number of rows.
            Expr::Member(MemberExpr {
                obj,
                prop: MemberProp::Ident(prop),
                ..
            }) if prop.sym == "results" => match unwrap_expr(obj) {
                Expr::Ident(rows) => self.consts.get(&rows.sym).copied(),
                _ => None,
            },
            // `batch.messages` in a queue handler.
            Expr::Member(MemberExpr {
                obj,
                prop: MemberProp::Ident(prop),
                ..
            }) if prop.sym == "messages" => match (unwrap_expr(obj), self.queue_batch_size) {
                (Expr::Ident(batch), Some(n)) if self.queue_batches.contains(&batch.sym) => {
                    Some(n as f64)
                }
                _ => None,
            },
            Expr::Call(c) if method_name(c).is_some_and(|m| m == "slice") => {
                let arg = |i: usize| c.args.get(i).and_then(|a| self.constant(&a.expr));
                match (arg(0), arg(1)) {
                    (Some(start), Some(end)) if start >= 0.0 && end >= start => Some(end - start),
                    _ => self.receiver_len(c),
                }
            }
            // `await Promise.all(PLANS.map(cb))`: as many as the list.
            Expr::Await(a) => self.list_len(&a.arg),
            Expr::Call(CallExpr {
                callee: Callee::Expr(f),
                args,
                ..
            }) if args.len() == 1
                && matches!(unwrap_expr(f), Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. })
                    if matches!(unwrap_expr(obj), Expr::Ident(o) if o.sym == "Promise")
                        && matches!(p.sym.as_ref(), "all" | "allSettled")) =>
            {
                self.list_len(&args[0].expr)
            }
            // `xs.flatMap((x) => [a, b])`: two per element.
            Expr::Call(c) if method_name(c).is_some_and(|m| m == "flatMap") => {
                let per = c.args.first().and_then(|a| match unwrap_expr(&a.expr) {
                    Expr::Arrow(f) => match &*f.body {
                        ArrowFunctionBody::Expr(e) => literal_len(e),
                        ArrowFunctionBody::FunctionBody(_) => None,
                    },
                    _ => None,
                })?;
                Some(self.receiver_len(c)? * per)
            }
            // `PLANS.filter(cb)`, `xs.map(cb)`, `xs.toSorted()`: at most
            // as many elements as the list they are made from.
            Expr::Call(c)
                if method_name(c).is_some_and(|m| SAME_OR_FEWER.contains(&m.as_ref())) =>
            {
                self.receiver_len(c)
            }
            // `Object.keys(PLANS)` of an object literal: one per property.
            Expr::Call(CallExpr {
                callee: Callee::Expr(f),
                args,
                ..
            }) if args.len() == 1 && is_object_listing(f) => match unwrap_expr(&args[0].expr) {
                Expr::Ident(id) => self.objects.get(&id.sym).copied(),
                other => object_len(other),
            },
            _ => None,
        }
    }

    /// `await db.select()….limit(10)`, `await db.query.t.findMany({ limit:
    /// 10 })`: the rows of a query with a constant limit, at most that many.
    fn limited_rows(&self, init: &Expr) -> Option<f64> {
        let Expr::Await(a) = unwrap_expr(init) else {
            return None;
        };
        let Expr::Call(call) = unwrap_expr(&a.arg) else {
            return None;
        };
        let (_, segments) = crate::knowledge::drizzle::chain(call);
        let constant = |e: &Expr| self.constant(e).filter(|&n| n >= 1.0);
        segments.iter().rev().find_map(|s| match s.name.as_ref() {
            "limit" => s.args.first().and_then(|a| constant(&a.expr)),
            // D1: `prepare('SELECT … LIMIT 50').all()`.
            // (`LIMIT ${n}` reads as `LIMIT ?`: no constant.)
            "prepare" => s
                .args
                .first()
                .and_then(|a| crate::knowledge::drizzle::sql_text(&a.expr))
                .and_then(|text| sql_limit(&text)),
            "findMany" => match s.args.first().map(|a| unwrap_expr(&a.expr)) {
                Some(Expr::Object(o)) => {
                    crate::knowledge::drizzle::object_prop(o, "limit").and_then(constant)
                }
                _ => None,
            },
            _ => None,
        })
    }

    /// The known length of the list a method is called on (`xs` of `xs.filter(cb)`).
    fn receiver_len(&self, call: &CallExpr) -> Option<f64> {
        match &call.callee {
            Callee::Expr(f) => match unwrap_expr(f) {
                Expr::Member(m) => self.list_len(&m.obj),
                _ => None,
            },
            _ => None,
        }
    }

    fn constant(&self, expr: &Expr) -> Option<f64> {
        number(expr).or_else(|| match unwrap_expr(expr) {
            Expr::Ident(id) => self.consts.get(&id.sym).copied(),
            _ => None,
        })
    }

    /// The branches of a loop's body (not in a loop or function inside it)
    /// that flush a buffer once it holds a chunk: `if (batch.length >=
    /// BATCH_SIZE) { await save([...batch]); batch.length = 0; }` (a
    /// constant of at least 2; the branch empties the buffer: `= []`,
    /// `.length = 0`, `.splice(0)`). Each runs once per chunk of items, the
    /// batched form of a per-item call.
    fn chunk_flushes(&self, stmts: &[Stmt], out: &mut Vec<Span>) {
        for s in stmts {
            match s {
                Stmt::If(i) => {
                    if let Some(buffer) = self.full_buffer(&i.test) {
                        if empties(stmts_of(&i.cons), buffer) {
                            out.push(i.cons.span());
                        }
                    }
                    self.chunk_flushes(stmts_of(&i.cons), out);
                    if let Some(alt) = &i.alt {
                        self.chunk_flushes(stmts_of(alt), out);
                    }
                }
                Stmt::Block(b) => self.chunk_flushes(&b.stmts, out),
                Stmt::Try(t) => self.chunk_flushes(&t.block.stmts, out),
                _ => {}
            }
        }
    }

    /// `batch.length >= N` / `> N` with N a constant of at least 2: the name.
    fn full_buffer<'e>(&self, test: &'e Expr) -> Option<&'e Atom> {
        let Expr::Bin(b) = unwrap_expr(test) else {
            return None;
        };
        if !matches!(b.op, BinaryOp::GtEq | BinaryOp::Gt)
            || !self.constant(&b.right).is_some_and(|n| n >= 2.0)
        {
            return None;
        }
        match unwrap_expr(&b.left) {
            Expr::Member(MemberExpr {
                obj,
                prop: MemberProp::Ident(p),
                ..
            }) if p.sym == "length" => match unwrap_expr(obj) {
                Expr::Ident(id) => Some(&id.sym),
                _ => None,
            },
            _ => None,
        }
    }

    /// A counting loop that steps by a chunk: `i += 100` (a literal of at
    /// least 10), `i += batchSize` or `i += CONFIG.CHUNK_SIZE` (a name: a
    /// constant of at least 2, or one the file does not bind to a number:
    /// the author named the step, as the slice of each iteration does),
    /// `i = i + size`.
    fn over_chunks(&self, stmt: &Stmt) -> bool {
        let Stmt::For(f) = stmt else {
            return false;
        };
        let Some(update) = f.update.as_deref() else {
            return false;
        };
        let step = match unwrap_expr(update) {
            Expr::Assign(a) if a.op == AssignOp::AddAssign => &a.right,
            Expr::Assign(AssignExpr {
                op: AssignOp::Assign,
                right,
                ..
            }) => match unwrap_expr(right) {
                Expr::Bin(b) if b.op == BinaryOp::Add => &b.right,
                _ => return false,
            },
            _ => return false,
        };
        match unwrap_expr(step) {
            Expr::Ident(id) => self.consts.get(&id.sym).is_none_or(|n| *n >= 2.0),
            // `i += CONFIG.CHUNK_SIZE`: a named step of a config object.
            Expr::Member(MemberExpr {
                prop: MemberProp::Ident(_),
                ..
            }) => true,
            e => number(e).is_some_and(|n| n >= CHUNK),
        }
    }

    /// How many times the loop runs at most, when a constant says so.
    fn loop_count(&self, stmt: &Stmt) -> Option<f64> {
        match stmt {
            Stmt::ForOf(f) => self.list_len(&f.right),
            Stmt::For(f) => self.bound(f.test.as_deref()?),
            Stmt::While(w) => self.bound(&w.test),
            Stmt::DoWhile(d) => self.bound(&d.test),
            _ => None,
        }
    }

    /// The bound a loop condition puts on the iterations: `i < 3` (3),
    /// `attempt <= MAX` (MAX + 1), `!res.ok && ++tries < 5` (5).
    fn bound(&self, test: &Expr) -> Option<f64> {
        let Expr::Bin(b) = unwrap_expr(test) else {
            return None;
        };
        let (bound, inclusive) = match b.op {
            BinaryOp::LogicalAnd => {
                return match (self.bound(&b.left), self.bound(&b.right)) {
                    (Some(l), Some(r)) => Some(l.min(r)),
                    (l, r) => l.or(r),
                };
            }
            BinaryOp::Lt => (&b.right, false),
            BinaryOp::LtEq => (&b.right, true),
            BinaryOp::Gt => (&b.left, false),
            BinaryOp::GtEq => (&b.left, true),
            _ => return None,
        };
        let n = self.constant(bound)?;
        Some(if inclusive { n + 1.0 } else { n })
    }

    /// The innermost loop or per-element callback that repeats the current
    /// node (at `at`) more than `max` times in all, looking through quiet
    /// loops and callbacks, and loops it runs at most once per run of (a
    /// first match), to the ones around them (within the function): `None`
    /// when the node is not repeated, or only a few times.
    pub fn hot_repeat(&self, frames: &[Frame], at: Span, max: f64) -> Option<Repeat> {
        self.hot_repeat_past(frames, at, max, false)
    }

    /// [`HotPaths::hot_repeat`], also looking through paging loops
    /// ([`HotPaths::pages`]) when `past_pages`: for a rule whose concern is
    /// calls that could run together, a paging loop is one chain of calls,
    /// and only a loop around it repeats the chain.
    pub fn hot_repeat_past(
        &self,
        frames: &[Frame],
        at: Span,
        max: f64,
        past_pages: bool,
    ) -> Option<Repeat> {
        let mut times = 1.0;
        for frame in frames.iter().rev() {
            let repeat = frame.repeat()?;
            let quiet =
                if self.once_per_run(repeat.span, at) || (past_pages && self.pages(repeat.span)) {
                    Some(1.0)
                } else {
                    self.loop_times(repeat.span)
                };
            match quiet {
                Some(q) => {
                    times *= q;
                    if times > max {
                        return Some(repeat);
                    }
                }
                None => return Some(repeat),
            }
        }
        None
    }

    /// How many times the loop (by span) runs when that is known to be few:
    /// its constant count, or 1 for a retry loop; `None` for a loop that
    /// repeats per item.
    pub fn loop_times(&self, span: Span) -> Option<f64> {
        self.quiet.get(&key(span)).map(|q| q.times)
    }

    /// Whether `at` runs at most once per run of the loop (by span): it is
    /// followed, in its block, by an unconditional exit of the loop (a first
    /// match, see the module documentation).
    pub fn once_per_run(&self, loop_span: Span, at: Span) -> bool {
        self.once
            .get(&key(loop_span))
            .is_some_and(|r| r.iter().any(|r| r.lo <= at.lo && at.hi <= r.hi))
    }

    /// Whether the loop (by span) pages: a `while`/`do…while` whose
    /// condition reads a name the body assigns from an awaited response (see
    /// the module documentation).
    pub fn pages(&self, loop_span: Span) -> bool {
        self.pages.contains(&key(loop_span))
    }

    /// The string the loop (by span) extends each iteration that the call's
    /// first argument (its URL) reads: each request addresses a child of the
    /// previous one's (see the module documentation).
    pub fn walks_path(&self, loop_span: Span, call: &CallExpr) -> Option<&Atom> {
        let names = self.walked.get(&key(loop_span))?;
        let url = call.args.first()?;
        names
            .iter()
            .find(|n| mentions(&url.expr, &std::iter::once((*n).clone()).collect()))
    }

    /// Whether `span` runs only on a failure (a `catch`, an error branch).
    pub fn is_cold(&self, span: Span) -> bool {
        self.cold.iter().any(|c| c.lo <= span.lo && span.hi <= c.hi)
    }
}

/// Array methods whose result has at most as many elements as the list
/// they are called on.
const SAME_OR_FEWER: &[&str] = &[
    "filter",
    "map",
    "toSorted",
    "toReversed",
    "sort",
    "reverse",
    "toSpliced",
];

/// `Object.keys`, `Object.values` or `Object.entries`.
/// A call of the runtime's that reads its arguments and changes none:
/// `console.*`, `JSON.stringify`.
fn only_reads_arguments(call: &CallExpr) -> bool {
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    matches!(unwrap_expr(callee), Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. })
        if matches!(unwrap_expr(obj), Expr::Ident(o)
            if o.sym == "console" || (o.sym == "JSON" && p.sym == "stringify")))
}

fn is_object_listing(callee: &Expr) -> bool {
    matches!(unwrap_expr(callee), Expr::Member(MemberExpr { obj, prop: MemberProp::Ident(p), .. })
        if matches!(unwrap_expr(obj), Expr::Ident(o) if o.sym == "Object")
            && matches!(p.sym.as_ref(), "keys" | "values" | "entries"))
}

/// The number of properties of an object literal whose keys are all
/// written out (no spread, no computed key).
fn object_len(expr: &Expr) -> Option<f64> {
    let Expr::Object(o) = unwrap_expr(expr) else {
        return None;
    };
    let written = o.props.iter().all(|p| match p {
        PropOrSpread::Spread(_) => false,
        PropOrSpread::Prop(p) => match &**p {
            Prop::KeyValue(kv) => !matches!(kv.key, PropName::Computed(_)),
            Prop::Method(m) => !matches!(m.key, PropName::Computed(_)),
            Prop::Shorthand(_) => true,
            _ => false,
        },
    });
    written.then_some(o.props.len() as f64)
}

/// The length of an array literal without spreads, empty or not.
fn array_len(expr: &Expr) -> Option<f64> {
    match unwrap_expr(expr) {
        Expr::Array(a) if a.elems.iter().flatten().all(|e| e.spread.is_none()) => {
            Some(a.elems.len() as f64)
        }
        _ => None,
    }
}

/// The length of an array literal without spreads.
fn literal_len(expr: &Expr) -> Option<f64> {
    match unwrap_expr(expr) {
        Expr::Array(a)
            if !a.elems.is_empty() && a.elems.iter().flatten().all(|e| e.spread.is_none()) =>
        {
            Some(a.elems.len() as f64)
        }
        _ => None,
    }
}

fn loop_body(stmt: &Stmt) -> &Stmt {
    match stmt {
        Stmt::For(f) => &f.body,
        Stmt::ForOf(f) => &f.body,
        Stmt::ForIn(f) => &f.body,
        Stmt::While(w) => &w.body,
        Stmt::DoWhile(d) => &d.body,
        other => other,
    }
}

fn stmts_of(stmt: &Stmt) -> &[Stmt] {
    match stmt {
        Stmt::Block(b) => &b.stmts,
        other => std::slice::from_ref(other),
    }
}

/// Where a statement list sits inside a loop's body, for
/// [`once_regions`].
#[derive(Clone, Default)]
struct Place<'a> {
    /// Inside a `try` block with a `catch` (in the loop): a `throw` there
    /// stays in the loop.
    in_try: bool,
    /// Inside a `switch` or a nested loop: an unlabeled `break` ends that,
    /// not the loop.
    nested_break: bool,
    /// Labels of the statements around the list inside the loop's body: a
    /// `break` to one stays in the loop.
    labels: Vec<&'a Atom>,
}

/// The statements empty the list `name`: `name = []`, `name.length = 0`,
/// `name.splice(0)`.
fn empties(stmts: &[Stmt], name: &Atom) -> bool {
    stmts.iter().any(|s| {
        let Stmt::Expr(e) = s else { return false };
        match unwrap_expr(&e.expr) {
            Expr::Assign(a) => match &a.left {
                AssignTarget::Simple(SimpleAssignTarget::Ident(id)) => {
                    &id.sym == name && matches!(unwrap_expr(&a.right), Expr::Array(arr) if arr.elems.is_empty())
                }
                AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                    matches!(&m.prop, MemberProp::Ident(p) if p.sym == "length")
                        && matches!(unwrap_expr(&m.obj), Expr::Ident(id) if &id.sym == name)
                        && number(&a.right) == Some(0.0)
                }
                _ => false,
            },
            Expr::Call(c) => {
                method_name(c).is_some_and(|m| m == "splice")
                    && matches!(&c.callee, Callee::Expr(f) if matches!(unwrap_expr(f), Expr::Member(m) if matches!(unwrap_expr(&m.obj), Expr::Ident(id) if &id.sym == name)))
                    && c.args.first().and_then(|a| number(&a.expr)) == Some(0.0)
            }
            _ => false,
        }
    })
}

/// The branches of a loop's body that run on one iteration only: under a
/// test of the first (`if (i === 0 && …)`, `i` the loop's counter or the
/// index of `for (const [i, x] of xs.entries())`), or under a flag the
/// branch itself sets (`if (!headerDone) { headerDone = true; … }`).
fn once_guarded(stmt: &Stmt, out: &mut Vec<Span>) {
    let counter: Option<&Atom> = match stmt {
        Stmt::For(f) => match f.init.as_ref() {
            Some(VarDeclOrExpr::VarDecl(v)) => v.decls.first().and_then(|d| match &d.name {
                Pat::Ident(id) => Some(&id.id.sym),
                _ => None,
            }),
            _ => None,
        },
        Stmt::ForOf(f) => match &f.left {
            ForHead::VarDecl(v) => v.decls.first().and_then(|d| match &d.name {
                Pat::Array(a) => match a.elems.first() {
                    Some(Some(Pat::Ident(id))) => Some(&id.id.sym),
                    _ => None,
                },
                _ => None,
            }),
            _ => None,
        },
        _ => None,
    };
    // `i === 0` (either side), alone or a conjunct of `&&`.
    fn tests_first(test: &Expr, counter: &Atom) -> bool {
        match unwrap_expr(test) {
            Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
                tests_first(&b.left, counter) || tests_first(&b.right, counter)
            }
            Expr::Bin(b) if matches!(b.op, BinaryOp::EqEqEq | BinaryOp::EqEq) => {
                let is_counter =
                    |e: &Expr| matches!(unwrap_expr(e), Expr::Ident(id) if &id.sym == counter);
                (is_counter(&b.left) && number(&b.right) == Some(0.0))
                    || (number(&b.left) == Some(0.0) && is_counter(&b.right))
            }
            _ => false,
        }
    }
    // `!flag` whose branch sets `flag = true`.
    let sets_its_flag = |i: &IfStmt| {
        match unwrap_expr(&i.test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => match unwrap_expr(&u.arg) {
            Expr::Ident(flag) => stmts_of(&i.cons).iter().any(|s| {
                matches!(s, Stmt::Expr(e) if matches!(unwrap_expr(&e.expr), Expr::Assign(a)
                    if matches!(&a.left, AssignTarget::Simple(SimpleAssignTarget::Ident(id)) if id.sym == flag.sym)
                    && matches!(unwrap_expr(&a.right), Expr::Lit(Lit::Bool(b)) if b.value)))
            }),
            _ => false,
        },
        _ => false,
    }
    };
    for s in stmts_of(loop_body(stmt)) {
        if let Stmt::If(i) = s {
            if counter.is_some_and(|c| tests_first(&i.test, c)) || sets_its_flag(i) {
                out.push(i.cons.span());
            }
        }
    }
}

/// The parts of these statements (of a loop's body, or nested in it) that
/// run at most once per run of the loop: from a statement to the first one
/// after it that always leaves the loop, with no jump back into the loop
/// between them (see the module documentation). Into nested blocks,
/// branches, `try`, `switch` and loops (a `return` there leaves this loop
/// too), not into functions.
fn once_regions<'a>(stmts: &'a [Stmt], place: &Place<'a>, out: &mut Vec<Span>) {
    // From the end: the region that ends at the nearest exit grows back to
    // the first statement that may jump back into the loop.
    let mut region: Option<Span> = None;
    for s in stmts.iter().rev() {
        if escapes(s, place, &mut Inside::default()) {
            out.extend(region.take());
        } else if leaves(s, place) {
            out.extend(region.take());
            region = Some(s.span());
        } else if let Some(r) = &mut region {
            r.lo = s.span().lo;
        }
    }
    out.extend(region);
    for s in stmts {
        nested_regions(s, place, out);
    }
}

fn nested_regions<'a>(s: &'a Stmt, place: &Place<'a>, out: &mut Vec<Span>) {
    match s {
        Stmt::Block(b) => once_regions(&b.stmts, place, out),
        Stmt::If(i) => {
            once_regions(stmts_of(&i.cons), place, out);
            if let Some(alt) = &i.alt {
                once_regions(stmts_of(alt), place, out);
            }
        }
        Stmt::Try(t) => {
            let inner = Place {
                in_try: place.in_try || t.handler.is_some(),
                ..place.clone()
            };
            once_regions(&t.block.stmts, &inner, out);
            if let Some(h) = &t.handler {
                once_regions(&h.body.stmts, place, out);
            }
            if let Some(f) = &t.finalizer {
                once_regions(&f.stmts, place, out);
            }
        }
        Stmt::Labeled(l) => {
            let mut inner = place.clone();
            inner.labels.push(&l.label.sym);
            once_regions(std::slice::from_ref(&*l.body), &inner, out);
        }
        Stmt::Switch(sw) => {
            let inner = Place {
                nested_break: true,
                ..place.clone()
            };
            for case in &sw.cases {
                once_regions(&case.cons, &inner, out);
            }
        }
        Stmt::For(_) | Stmt::ForIn(_) | Stmt::ForOf(_) | Stmt::While(_) | Stmt::DoWhile(_) => {
            let inner = Place {
                nested_break: true,
                ..place.clone()
            };
            once_regions(stmts_of(loop_body(s)), &inner, out);
        }
        _ => {}
    }
}

/// The statement, run to its end, always leaves the loop: `return`, a
/// `throw` no `try` in the loop catches, a `break` of the loop (or of one
/// around it), a block that reaches one, an `if` whose branches both do.
fn leaves(s: &Stmt, place: &Place<'_>) -> bool {
    match s {
        Stmt::Return(_) => true,
        Stmt::Throw(_) => !place.in_try,
        Stmt::Break(b) => match &b.label {
            None => !place.nested_break,
            Some(l) => !place.labels.iter().any(|p| **p == l.sym),
        },
        Stmt::Block(b) => b.stmts.iter().any(|s| leaves(s, place)),
        Stmt::If(i) => {
            leaves(&i.cons, place) && i.alt.as_deref().is_some_and(|alt| leaves(alt, place))
        }
        _ => false,
    }
}

/// What a statement inside a region has around it within the region.
#[derive(Default)]
struct Inside {
    /// In a loop within the region: unlabeled `continue` and `break` are
    /// its own.
    in_loop: bool,
    /// In a `switch` within the region: an unlabeled `break` is its own.
    in_switch: bool,
    /// Labels of statements within the region around it.
    labels: Vec<Atom>,
}

/// The statement may jump back into the loop without leaving it: a
/// `continue` of the loop (or of a label it cannot tell from the loop's), a
/// `break` of a `switch`, nested loop or labeled statement around the region
/// (the rest of the body runs, then the next iteration).
fn escapes(s: &Stmt, place: &Place<'_>, inside: &mut Inside) -> bool {
    let in_region = |l: &Atom, inside: &Inside| inside.labels.contains(l);
    match s {
        Stmt::Continue(c) => match &c.label {
            None => !inside.in_loop,
            Some(l) => !in_region(&l.sym, inside),
        },
        Stmt::Break(b) => match &b.label {
            None => !inside.in_loop && !inside.in_switch && place.nested_break,
            Some(l) => !in_region(&l.sym, inside) && place.labels.iter().any(|p| **p == l.sym),
        },
        Stmt::Block(b) => b.stmts.iter().any(|s| escapes(s, place, inside)),
        Stmt::If(i) => {
            escapes(&i.cons, place, inside)
                || i.alt
                    .as_deref()
                    .is_some_and(|alt| escapes(alt, place, inside))
        }
        Stmt::Try(t) => {
            t.block.stmts.iter().any(|s| escapes(s, place, inside))
                || t.handler
                    .as_ref()
                    .is_some_and(|h| h.body.stmts.iter().any(|s| escapes(s, place, inside)))
                || t.finalizer
                    .as_ref()
                    .is_some_and(|f| f.stmts.iter().any(|s| escapes(s, place, inside)))
        }
        Stmt::Labeled(l) => {
            inside.labels.push(l.label.sym.clone());
            let found = escapes(&l.body, place, inside);
            inside.labels.pop();
            found
        }
        Stmt::Switch(sw) => {
            let was = std::mem::replace(&mut inside.in_switch, true);
            let found = sw
                .cases
                .iter()
                .any(|c| c.cons.iter().any(|s| escapes(s, place, inside)));
            inside.in_switch = was;
            found
        }
        Stmt::For(_) | Stmt::ForIn(_) | Stmt::ForOf(_) | Stmt::While(_) | Stmt::DoWhile(_) => {
            let was = std::mem::replace(&mut inside.in_loop, true);
            let found = escapes(loop_body(s), place, inside);
            inside.in_loop = was;
            found
        }
        _ => false,
    }
}

/// The body leaves the loop where an awaited call succeeded (see the module
/// documentation).
/// A counting loop over attempts (`for (let attempt = 1; attempt <=
/// maxRetries; attempt++)`, `tries < MAX_TRIES`) whose body can leave the
/// loop: it stops at the first attempt that works (a hash that is not taken
/// yet, a lock acquired), so it usually runs once, whatever the exit tests.
fn counts_attempts(stmt: &Stmt) -> bool {
    let Stmt::For(f) = stmt else {
        return false;
    };
    let attempt_word = |name: &str| {
        let lower = name.to_ascii_lowercase();
        ["attempt", "retr", "tries", "trial"]
            .iter()
            .any(|w| lower.contains(w))
    };
    let counter = match f.init.as_ref() {
        Some(VarDeclOrExpr::VarDecl(v)) => v.decls.first().and_then(|d| match &d.name {
            Pat::Ident(id) => Some(id.id.sym.as_str()),
            _ => None,
        }),
        _ => None,
    };
    let bound = match f.test.as_deref().map(unwrap_expr) {
        Some(Expr::Bin(b)) => {
            [&b.left, &b.right]
                .into_iter()
                .find_map(|side| match unwrap_expr(side) {
                    Expr::Ident(id) => Some(id.sym.as_str()),
                    Expr::Member(m) => match &m.prop {
                        MemberProp::Ident(p) => Some(p.sym.as_str()),
                        _ => None,
                    },
                    _ => None,
                })
        }
        _ => None,
    };
    (counter.is_some_and(attempt_word) || bound.is_some_and(attempt_word))
        && can_leave(stmts_of(&f.body))
}

/// Whether these statements (through blocks, `if`, `try`, not into nested
/// loops, switches or functions) hold a `return`, a `throw` or a `break`.
fn can_leave(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Return(_) | Stmt::Throw(_) | Stmt::Break(_) => true,
        Stmt::Block(b) => can_leave(&b.stmts),
        Stmt::If(i) => {
            can_leave(stmts_of(&i.cons)) || i.alt.as_deref().is_some_and(|a| can_leave(stmts_of(a)))
        }
        Stmt::Try(t) => {
            can_leave(&t.block.stmts)
                || t.handler.as_ref().is_some_and(|h| can_leave(&h.body.stmts))
        }
        _ => false,
    })
}

fn exits_on_success(body: &Stmt) -> bool {
    let mut awaited = HashSet::default();
    collect_awaited(stmts_of(body), &mut awaited);
    exits(stmts_of(body), &awaited, false)
}

/// Names bound or assigned to an awaited value in these statements (through
/// blocks, `try` and `if`, not into nested functions or loops).
fn collect_awaited(stmts: &[Stmt], out: &mut HashSet<Atom>) {
    for s in stmts {
        match s {
            Stmt::Decl(Decl::Var(v)) => {
                for d in &v.decls {
                    if d.init.as_deref().is_some_and(is_await) {
                        let mut names = Vec::new();
                        pat_names(&d.name, &mut names);
                        out.extend(names);
                    }
                }
            }
            Stmt::Expr(e) => {
                if let Expr::Assign(a) = unwrap_expr(&e.expr) {
                    if let (AssignTarget::Simple(SimpleAssignTarget::Ident(id)), true) =
                        (&a.left, is_await(&a.right))
                    {
                        out.insert(id.sym.clone());
                    }
                }
            }
            Stmt::Block(b) => collect_awaited(&b.stmts, out),
            Stmt::Try(t) => collect_awaited(&t.block.stmts, out),
            Stmt::If(i) => {
                collect_awaited(stmts_of(&i.cons), out);
                if let Some(alt) = &i.alt {
                    collect_awaited(stmts_of(alt), out);
                }
            }
            _ => {}
        }
    }
}

/// The constant `LIMIT n` of a statement's outermost query (`SELECT …
/// LIMIT 50`; not a subquery's, in parentheses), when it has one.
fn sql_limit(sql: &str) -> Option<f64> {
    let bytes = sql.as_bytes();
    let mut depth = 0i32;
    let mut limit = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'l' | b'L'
                if depth == 0
                    && bytes
                        .get(i..i + 5)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"limit"))
                    && (i == 0 || !crate::syntax::text::is_word_byte(bytes[i - 1]))
                    && bytes.get(i + 5).is_some_and(u8::is_ascii_whitespace) =>
            {
                let rest = sql[i + 5..].trim_start();
                let digits = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
                // The last one counts; `LIMIT ?` is no constant.
                limit = digits
                    .parse::<u32>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .map(f64::from);
                i += 5;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    limit
}

/// The condition (none in `for (;;)`) and body of a `while`, `do…while`
/// or `for` loop; None for a loop over a collection.
fn test_and_body(stmt: &Stmt) -> Option<(Option<&Expr>, &Stmt)> {
    match stmt {
        Stmt::While(w) => Some((Some(&*w.test), &*w.body)),
        Stmt::DoWhile(d) => Some((Some(&*d.test), &*d.body)),
        Stmt::For(f) => Some((f.test.as_deref(), &*f.body)),
        _ => None,
    }
}

/// A loop over no collection that stops at the first lookup that finds
/// nothing: a probe for a free name. `while (true) { id = random(); if
/// ((await kv.get(id)) === null) break; }` (the check last: a loop that
/// goes on to use what it found drains a list), `for (let i = 0; i < 32;
/// i++) { … if (!clash) return candidate; }` or `do { id = random(); }
/// while ((await kv.get(id)) !== null)`. It usually runs once: the first
/// name is almost always free.
fn probes_until_free(stmt: &Stmt) -> bool {
    let Some((test, body)) = test_and_body(stmt) else {
        return false;
    };
    let mut awaited = HashSet::default();
    collect_awaited(stmts_of(body), &mut awaited);
    // The lookup's result, awaited inline or bound to a name before.
    let lookup = |e: &Expr| match unwrap_expr(e) {
        Expr::Await(_) => true,
        Expr::Ident(id) => awaited.contains(&id.sym),
        _ => false,
    };
    let nullish_check = |test: &Expr, ops: [BinaryOp; 2]| match unwrap_expr(test) {
        Expr::Bin(b) if ops.contains(&b.op) => {
            (lookup(&b.left) && is_nullish(&b.right)) || (is_nullish(&b.left) && lookup(&b.right))
        }
        _ => false,
    };
    if let (Stmt::DoWhile(_), Some(test)) = (stmt, test) {
        return nullish_check(test, [BinaryOp::NotEqEq, BinaryOp::NotEq]) || is_await(test);
    }
    // `for (let i = 0; i < 32; i++)`: tries at most a constant number of
    // names (`${base}${i}`), over no collection.
    let tries_a_few = |t: &Expr| {
        matches!(stmt, Stmt::For(_))
            && matches!(unwrap_expr(t), Expr::Bin(b) if matches!(b.op, BinaryOp::Lt | BinaryOp::LtEq) && number(&b.right).is_some())
    };
    if test.is_some_and(|t| !is_true(t) && !tries_a_few(t)) {
        return false;
    }
    let finds_nothing = |test: &Expr| {
        nullish_check(test, [BinaryOp::EqEqEq, BinaryOp::EqEq])
            || matches!(unwrap_expr(test), Expr::Unary(u) if u.op == UnaryOp::Bang && lookup(&u.arg))
    };
    matches!(stmts_of(body).last(), Some(Stmt::If(i)) if i.alt.is_none()
        && finds_nothing(&i.test)
        && matches!(stmts_of(&i.cons), [Stmt::Break(_) | Stmt::Return(_)]))
}

/// A `while` or `do…while` loop whose condition reads a name the body
/// assigns from an awaited response: `token = page.next` with `const page =
/// await res.json()`, `cursor = (await r.json()).cursor`, `more =
/// data.has_more ?? false`.
fn follows_response(stmt: &Stmt) -> bool {
    let Some((test, body)) = test_and_body(stmt) else {
        return false;
    };
    let mut responses = HashSet::default();
    let mut assigned = HashSet::default();
    response_names(stmts_of(body), &mut responses, &mut assigned);
    match test {
        Some(test) if !is_true(test) => {
            !assigned.is_empty() && !matches!(stmt, Stmt::For(_)) && mentions(test, &assigned)
        }
        // `while (true) { r = await poll(); if (r.status !== 'pending') break;
        // await sleep(1000); }`: polling until a response says it is done,
        // a pause between requests (a loop over pages has none: each page
        // is a new request, and the pages have no bound).
        _ => {
            responses.extend(assigned);
            let body = stmts_of(body);
            !responses.is_empty()
                && body.iter().any(pauses)
                && !advances(body)
                && body.iter().any(|s| {
                    matches!(s, Stmt::If(i) if leaves_loop(&i.cons) && mentions(&i.test, &responses))
                })
        }
    }
}

/// A bounded loop over pages (`for (let p = 0; p < MAX_PAGES; p++)`,
/// `while (page <= 10)`) that stops at the last one: an exit under a test of
/// a name the body takes from an awaited response (`if (!cursor) return
/// items`, `if (repos.length < 100) break`), and a counter or cursor it
/// moves on. Each request needs the previous response, as in a loop whose
/// condition reads the token.
fn stops_at_last_page(stmt: &Stmt) -> bool {
    let mut responses = HashSet::default();
    let mut assigned = HashSet::default();
    let body = stmts_of(loop_body(stmt));
    response_names(body, &mut responses, &mut assigned);
    let moves_on = !assigned.is_empty()
        || matches!(stmt, Stmt::For(f) if f.update.is_some())
        || advances(body);
    responses.extend(assigned);
    !responses.is_empty()
        && moves_on
        && body.iter().any(
            |s| matches!(s, Stmt::If(i) if leaves_loop(&i.cons) && mentions(&i.test, &responses)),
        )
}

/// The body moves on between requests: a counter or cursor it updates
/// (`page += 1`, `offset++`) or a name it assigns that an awaited call in
/// it reads (`url = page.next` … `await fetch(url)`): a loop over pages,
/// not a poll of one request.
fn advances(body: &[Stmt]) -> bool {
    let mut written = HashSet::default();
    let mut awaited: Vec<&Expr> = Vec::new();
    let mut counts = false;
    for_each_flat(body, &mut |s| {
        let expr = match s {
            Stmt::Expr(e) => unwrap_expr(&e.expr),
            Stmt::Decl(Decl::Var(v)) => {
                awaited.extend(v.decls.iter().filter_map(|d| d.init.as_deref()));
                return;
            }
            _ => return,
        };
        match expr {
            Expr::Update(_) => counts = true,
            Expr::Assign(a) => {
                if a.op != AssignOp::Assign {
                    counts = true;
                } else if let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left {
                    written.insert(id.id.sym.clone());
                }
                awaited.push(&a.right);
            }
            e => awaited.push(e),
        }
    });
    counts
        || (!written.is_empty()
            && awaited
                .iter()
                .any(|e| matches!(unwrap_expr(e), Expr::Await(a) if mentions(&a.arg, &written))))
}

/// `await sleep(ms)`, `await scheduler.wait(ms)`, `await new Promise((r) =>
/// setTimeout(r, ms))`: a statement that waits before the next request.
fn pauses(stmt: &Stmt) -> bool {
    let Stmt::Expr(e) = stmt else {
        return false;
    };
    let Expr::Await(a) = unwrap_expr(&e.expr) else {
        return false;
    };
    match unwrap_expr(&a.arg) {
        Expr::Call(c) => method_name(c)
            .or_else(|| match &c.callee {
                Callee::Expr(f) => match unwrap_expr(f) {
                    Expr::Ident(id) => Some(&id.sym),
                    _ => None,
                },
                _ => None,
            })
            .is_some_and(|name| {
                matches!(
                    name.as_ref(),
                    "sleep" | "delay" | "wait" | "pause" | "setTimeout"
                )
            }),
        Expr::New(n) => {
            matches!(unwrap_expr(&n.callee), Expr::Ident(p) if p.sym == "Promise")
                && n.args.as_ref().is_some_and(|args| {
                    args.iter().any(|arg| match unwrap_expr(&arg.expr) {
                        Expr::Arrow(f) => match &*f.body {
                            ArrowFunctionBody::Expr(body) => calls_set_timeout(body),
                            ArrowFunctionBody::FunctionBody(b) => b
                                .stmts
                                .iter()
                                .any(|s| matches!(s, Stmt::Expr(e) if calls_set_timeout(&e.expr))),
                        },
                        _ => false,
                    })
                })
        }
        _ => false,
    }
}

/// `setTimeout(…)`.
fn calls_set_timeout(expr: &Expr) -> bool {
    matches!(unwrap_expr(expr), Expr::Call(CallExpr { callee: Callee::Expr(f), .. })
        if matches!(unwrap_expr(f), Expr::Ident(id) if id.sym == "setTimeout"))
}

/// `true` (or `1`): a loop that only a `break` ends.
fn is_true(test: &Expr) -> bool {
    match unwrap_expr(test) {
        Expr::Lit(Lit::Bool(b)) => b.value,
        e => number(e).is_some_and(|n| n != 0.0),
    }
}

/// A `break`, `return` or `throw`, or a block that ends with one.
fn leaves_loop(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Break(_) | Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(leaves_loop),
        _ => false,
    }
}

/// Names bound in these statements (through blocks, `if`, `try`, not into
/// nested functions or loops) to an awaited value or one read from such a
/// name (`const res = await fetch(u); const page = await res.json(); const
/// next = page.next;`) go to `responses`; names assigned such a value
/// (`token = page.next`) to `assigned`.
fn response_names(stmts: &[Stmt], responses: &mut HashSet<Atom>, assigned: &mut HashSet<Atom>) {
    for_each_flat(stmts, &mut |s| match s {
        Stmt::Decl(Decl::Var(v)) => {
            for d in &v.decls {
                if d.init
                    .as_deref()
                    .is_some_and(|e| from_response(e, responses))
                {
                    let mut names = Vec::new();
                    pat_names(&d.name, &mut names);
                    responses.extend(names);
                }
            }
        }
        Stmt::Expr(e) => {
            let mut exprs = vec![unwrap_expr(&e.expr)];
            if let Expr::Seq(seq) = unwrap_expr(&e.expr) {
                exprs = seq.exprs.iter().map(|e| unwrap_expr(e)).collect();
            }
            for e in exprs {
                if let Expr::Assign(a) = e {
                    if let (AssignTarget::Simple(SimpleAssignTarget::Ident(id)), true) =
                        (&a.left, from_response(&a.right, responses))
                    {
                        assigned.insert(id.sym.clone());
                    }
                }
            }
        }
        _ => {}
    });
}

/// Names declared in these statements (through blocks, `if`, `try`, not
/// into nested functions or loops) go to `declared`; names extended with a
/// string (`p += '/' + seg`, `p = p + '/' + seg`, ``p = `${p}/${seg}` ``)
/// to `extended`.
fn extended_strings(stmts: &[Stmt], declared: &mut HashSet<Atom>, extended: &mut HashSet<Atom>) {
    for_each_flat(stmts, &mut |s| match s {
        Stmt::Decl(Decl::Var(v)) => {
            for d in &v.decls {
                let mut names = Vec::new();
                pat_names(&d.name, &mut names);
                declared.extend(names);
            }
        }
        Stmt::Expr(e) => {
            let Expr::Assign(a) = unwrap_expr(&e.expr) else {
                return;
            };
            let AssignTarget::Simple(SimpleAssignTarget::Ident(id)) = &a.left else {
                return;
            };
            let grows = match a.op {
                AssignOp::AddAssign => stringy(&a.right),
                AssignOp::Assign => match unwrap_expr(&a.right) {
                    Expr::Bin(b) if b.op == BinaryOp::Add => {
                        leftmost(b).is_some_and(|l| l == &id.sym) && stringy(&a.right)
                    }
                    Expr::Tpl(t) => {
                        t.quasis.first().is_some_and(|q| q.raw.is_empty())
                            && t.exprs.first().is_some_and(
                                |e| matches!(unwrap_expr(e), Expr::Ident(x) if x.sym == id.sym),
                            )
                    }
                    _ => false,
                },
                _ => false,
            };
            if grows {
                extended.insert(id.sym.clone());
            }
        }
        _ => {}
    });
}

/// Calls `f` on each statement of `stmts` and of the blocks, `try` blocks
/// and `if` branches among them (not into nested functions or loops), in
/// order.
fn for_each_flat<'a>(stmts: &'a [Stmt], f: &mut impl FnMut(&'a Stmt)) {
    for s in stmts {
        match s {
            Stmt::Block(b) => for_each_flat(&b.stmts, f),
            Stmt::Try(t) => for_each_flat(&t.block.stmts, f),
            Stmt::If(i) => {
                for_each_flat(stmts_of(&i.cons), f);
                if let Some(alt) = &i.alt {
                    for_each_flat(stmts_of(alt), f);
                }
            }
            other => f(other),
        }
    }
}

/// The first operand of a chain of `+`: `p` in `p + '/' + seg`.
fn leftmost(b: &BinExpr) -> Option<&Atom> {
    match unwrap_expr(&b.left) {
        Expr::Bin(inner) if inner.op == BinaryOp::Add => leftmost(inner),
        Expr::Ident(id) => Some(&id.sym),
        _ => None,
    }
}

/// A string piece of a concatenation: a string literal or a template, or a
/// `+` with one (`'/' + seg`), not a number (`offset += 100`).
fn stringy(expr: &Expr) -> bool {
    match unwrap_expr(expr) {
        Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) => true,
        Expr::Bin(b) if b.op == BinaryOp::Add => stringy(&b.left) || stringy(&b.right),
        _ => false,
    }
}

/// The value is awaited here (outside nested functions) or read from a
/// name bound to a response.
fn from_response(expr: &Expr, responses: &HashSet<Atom>) -> bool {
    use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node};
    struct Finder {
        found: bool,
    }
    impl Hooks for Finder {
        fn kinds(&self) -> u64 {
            bit(Kind::Await) | bit(Kind::Arrow) | bit(Kind::Function)
        }

        fn enter(&mut self, node: Node<'_>) -> Descend {
            match node {
                Node::Await(_) => {
                    self.found = true;
                    Descend::Skip
                }
                _ => Descend::Skip,
            }
        }
    }
    let mut finder = Finder { found: false };
    probe::walk(expr, &mut finder);
    finder.found || mentions(expr, responses)
}

fn is_await(expr: &Expr) -> bool {
    matches!(unwrap_expr(expr), Expr::Await(_))
}

/// The statements leave the loop unconditionally, or under a success check
/// of an awaited value. Under a check of the call's outcome (`r.ok`, a 2xx
/// status, `!error`) any `return` is the success's (`if (r.ok) return true`);
/// under a check that something was found (`if (row)`, `rows.length > 0`)
/// a `return` must return what was awaited: `if (found) return found`, not
/// `if (found) return c.json(error)` (a per-item check that stops on a
/// conflict).
fn exits(stmts: &[Stmt], awaited: &HashSet<Atom>, guarded: bool) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::Return(r) => !guarded || r.arg.as_deref().is_some_and(|a| mentions(a, awaited)),
        Stmt::Break(_) => true,
        Stmt::Block(b) => exits(&b.stmts, awaited, guarded),
        Stmt::Try(t) => exits(&t.block.stmts, awaited, guarded),
        Stmt::If(i) => {
            let guarded = !checks_outcome(&i.test, awaited);
            (success_test(&i.test, awaited) && exits(stmts_of(&i.cons), awaited, guarded))
                || (failure_of_awaited(&i.test, awaited)
                    && i.alt
                        .as_deref()
                        .is_some_and(|alt| exits(stmts_of(alt), awaited, guarded)))
        }
        _ => false,
    })
}

/// The test reads the outcome of an awaited call, not only whether it found
/// something: `r.ok`, `!res.success`, `r.status === 200`, `!error`,
/// `!result.error`, a part of `a && b`.
fn checks_outcome(test: &Expr, awaited: &HashSet<Atom>) -> bool {
    match unwrap_expr(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => checks_outcome(&u.arg, awaited),
        Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalAnd | BinaryOp::LogicalOr) => {
            checks_outcome(&b.left, awaited) || checks_outcome(&b.right, awaited)
        }
        Expr::Bin(b) => {
            status_check(b).is_some()
                && (rooted_in(&b.left, awaited) || rooted_in(&b.right, awaited))
        }
        e => {
            rooted_in(e, awaited)
                && path_ends(e).is_some_and(|(root, last)| {
                    let last = last.unwrap_or(root);
                    ok_test(e) || failure_name(last)
                })
        }
    }
}

/// Whether the expression reads one of the names.
fn mentions(expr: &Expr, names: &HashSet<Atom>) -> bool {
    use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node};
    struct Finder<'a> {
        names: &'a HashSet<Atom>,
        found: bool,
    }
    impl Hooks for Finder<'_> {
        fn kinds(&self) -> u64 {
            bit(Kind::Ident)
        }

        fn enter(&mut self, node: Node<'_>) -> Descend {
            if let Node::Ident(id) = node {
                self.found |= self.names.contains(&id.sym);
            }
            Descend::Children
        }
    }
    let mut finder = Finder {
        names,
        found: false,
    };
    probe::walk(expr, &mut finder);
    finder.found
}

/// The root name and the last property of `r`, `r.ok`, `r?.data.items`.
fn path_ends(expr: &Expr) -> Option<(&Atom, Option<&Atom>)> {
    match unwrap_expr(expr) {
        Expr::Ident(id) => Some((&id.sym, None)),
        Expr::Member(m) => member_ends(m),
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Member(m) => member_ends(m),
            OptChainBase::Call(_) => None,
        },
        _ => None,
    }
}

fn member_ends(m: &MemberExpr) -> Option<(&Atom, Option<&Atom>)> {
    let (root, _) = path_ends(&m.obj)?;
    let last = match &m.prop {
        MemberProp::Ident(p) => Some(&p.sym),
        _ => None,
    };
    Some((root, last.or(Some(root))))
}

/// `error`, `err`, `hasError`, `failed`, `errors`.
fn failure_name(name: &str) -> bool {
    let has = |part: &[u8]| {
        name.as_bytes()
            .windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part))
    };
    name.eq_ignore_ascii_case("e") || has(b"err") || has(b"fail")
}

/// `status`, `statusCode`.
fn is_status(expr: &Expr) -> bool {
    path_ends(expr)
        .and_then(|(_, last)| last)
        .is_some_and(|l| l.as_ref() == "status" || l.as_ref() == "statusCode")
}

/// A comparison of a status with a number: whether it holds for success
/// (2xx), for failure, or neither.
fn status_check(b: &BinExpr) -> Option<bool> {
    let (n, op) = match (number(&b.left), number(&b.right)) {
        (None, Some(n)) if is_status(&b.left) => (n, b.op),
        (Some(n), None) if is_status(&b.right) => (
            n,
            match b.op {
                BinaryOp::Lt => BinaryOp::Gt,
                BinaryOp::LtEq => BinaryOp::GtEq,
                BinaryOp::Gt => BinaryOp::Lt,
                BinaryOp::GtEq => BinaryOp::LtEq,
                op => op,
            },
        ),
        _ => return None,
    };
    let ok = (200.0..300.0).contains(&n);
    match op {
        BinaryOp::EqEqEq | BinaryOp::EqEq => Some(ok),
        BinaryOp::NotEqEq | BinaryOp::NotEq if ok => Some(false),
        // `status < 300`, `status < 400`
        BinaryOp::Lt | BinaryOp::LtEq if n > 200.0 && n <= 500.0 => Some(true),
        // `status >= 400`, `status > 299`
        BinaryOp::Gt | BinaryOp::GtEq if n >= 299.0 => Some(false),
        _ => None,
    }
}

/// The test holds when an awaited value succeeded: `r`, `r.ok`, `data`,
/// `!error`, `r.status === 200`, `a && b`.
fn success_test(test: &Expr, awaited: &HashSet<Atom>) -> bool {
    match unwrap_expr(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => failure_of_awaited(&u.arg, awaited),
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
            success_test(&b.left, awaited) && success_test(&b.right, awaited)
        }
        Expr::Bin(b)
            if matches!(b.op, BinaryOp::NotEqEq | BinaryOp::NotEq) && is_nullish(&b.right) =>
        {
            success_test(&b.left, awaited)
        }
        // `found.size > 0`, `rows.length >= 1`: something was found.
        Expr::Bin(b)
            if (b.op == BinaryOp::Gt && number(&b.right) == Some(0.0))
                || (b.op == BinaryOp::GtEq && number(&b.right) == Some(1.0)) =>
        {
            rooted_in(&b.left, awaited)
        }
        Expr::Bin(b) => {
            status_check(b) == Some(true)
                && (rooted_in(&b.left, awaited) || rooted_in(&b.right, awaited))
        }
        e => path_ends(e).is_some_and(|(root, last)| {
            awaited.contains(root) && !failure_name(last.unwrap_or(root))
        }),
    }
}

/// The test holds when an awaited value failed: `!r.ok`, `!r`, `error`.
fn failure_of_awaited(test: &Expr, awaited: &HashSet<Atom>) -> bool {
    match unwrap_expr(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => success_test(&u.arg, awaited),
        e => {
            path_ends(e).is_some_and(|(root, last)| {
                awaited.contains(root) && failure_name(last.unwrap_or(root))
            }) || failure_test(e)
        }
    }
}

fn rooted_in(expr: &Expr, awaited: &HashSet<Atom>) -> bool {
    path_ends(expr).is_some_and(|(root, _)| awaited.contains(root))
}

fn is_nullish(expr: &Expr) -> bool {
    match unwrap_expr(expr) {
        Expr::Lit(Lit::Null(_)) => true,
        Expr::Ident(id) => id.sym == "undefined",
        _ => false,
    }
}

/// `r.ok`, `res.success`, `ok`: a positive outcome flag.
fn ok_test(test: &Expr) -> bool {
    path_ends(test).is_some_and(|(root, last)| {
        matches!(
            last.unwrap_or(root).as_ref(),
            "ok" | "success" | "succeeded"
        )
    })
}

/// `if (res.ok) return res;` (no `else`), or `switch (res.status)` with a
/// success status (2xx) among cases that return or throw: the statements
/// after it run only when the call failed.
fn returns_on_success(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::If(i) => i.alt.is_none() && ok_test(&i.test) && returns(&i.cons),
        Stmt::Switch(s) if is_status(&s.discriminant) => {
            let success = |c: &SwitchCase| {
                c.test
                    .as_deref()
                    .and_then(number)
                    .is_some_and(|n| (200.0..300.0).contains(&n))
            };
            // A case falls through to the first one below with statements.
            s.cases.iter().enumerate().any(|(i, c)| {
                success(c)
                    && s.cases[i..]
                        .iter()
                        .find(|c| !c.cons.is_empty())
                        .is_some_and(|c| c.cons.iter().any(returns))
            })
        }
        _ => false,
    }
}

/// A `return` or `throw`, or a block that reaches one (a `break` leaves
/// only a `switch` or a loop, not the function).
fn returns(stmt: &Stmt) -> bool {
    let place = Place {
        nested_break: true,
        ..Place::default()
    };
    leaves(stmt, &place)
}

/// A branch that logs an error or a warning (`console.error`,
/// `console.warn`) and leaves, or skips to the next item of its loop: its
/// author handles a failure there (`if (!data?.items) {
/// console.error('malformed', data); return []; }`, `if (!item.sku) {
/// console.error('invalid', item); continue; }`).
fn reports_an_error(branch: &Stmt) -> bool {
    let stmts = stmts_of(branch);
    let logs = stmts.iter().any(|s| {
        matches!(s, Stmt::Expr(e) if matches!(unwrap_expr(&e.expr), Expr::Call(c)
            if method_name(c).is_some_and(|m| m == "error" || m == "warn")
                && matches!(&c.callee, Callee::Expr(f) if matches!(unwrap_expr(f),
                    Expr::Member(m) if matches!(unwrap_expr(&m.obj), Expr::Ident(o) if o.sym == "console")))))
    });
    logs && stmts
        .last()
        .is_some_and(|s| matches!(s, Stmt::Return(_) | Stmt::Throw(_) | Stmt::Continue(_)))
}

/// The test holds on a failure, whatever the value: `!res.ok`, `error`,
/// `result.error`, `res.status >= 400`, `a || error`.
fn failure_test(test: &Expr) -> bool {
    match unwrap_expr(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => ok_test(&u.arg),
        Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalOr | BinaryOp::LogicalAnd) => {
            failure_test(&b.left) || failure_test(&b.right)
        }
        Expr::Bin(b) => status_check(b) == Some(false),
        e => path_ends(e).is_some_and(|(root, last)| failure_name(last.unwrap_or(root))),
    }
}

/// The module's functions that return one of its `lists` (name, length) as
/// it is (`export function getAll() { return SOURCES; }`, `const all = () =>
/// SOURCES`): as `(name(), length)`, what a file that imports one knows of
/// a loop over its result.
pub fn functions_returning(
    program: &Program,
    lists: &[(String, u32)],
    returned: &[(String, u32)],
) -> Vec<(String, u32)> {
    // Most files have no such list: their items are not looked at again.
    let Program::Module(module) = program else {
        return Vec::new();
    };
    if lists.is_empty() && returned.is_empty() {
        return Vec::new();
    }
    // A function of the module the walk saw return short lists only
    // (built in its body: `const keys = [path]; … return keys`).
    let walked = |name: &Atom| {
        returned
            .iter()
            .find(|(n, _)| *n == **name)
            .map(|(_, len)| *len)
    };
    let length_of = |expr: &Expr| match unwrap_expr(expr) {
        Expr::Ident(id) => lists
            .iter()
            .find(|(name, _)| *name == *id.sym)
            .map(|(_, n)| *n),
        _ => None,
    };
    let returned = |body: &FunctionBody| match body.stmts.as_slice() {
        [Stmt::Return(ReturnStmt { arg: Some(arg), .. })] => length_of(arg),
        _ => None,
    };
    let mut out = Vec::new();
    for item in &module.body {
        let decl = match item {
            ModuleItem::Stmt(Stmt::Decl(decl)) => decl,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(e)) => &e.decl,
            _ => continue,
        };
        match decl {
            Decl::Fn(f) => {
                if let Some(n) =
                    (f.function.body.as_ref().and_then(returned)).or_else(|| walked(&f.ident.sym))
                {
                    out.push((format!("{}()", f.ident.sym), n));
                }
            }
            Decl::Var(v) if v.kind == VarDeclKind::Const => {
                for d in &v.decls {
                    let (Pat::Ident(name), Some(init)) = (&d.name, d.init.as_deref()) else {
                        continue;
                    };
                    let n = match unwrap_expr(init) {
                        Expr::Arrow(a) => match &*a.body {
                            ArrowFunctionBody::Expr(e) => length_of(e),
                            ArrowFunctionBody::FunctionBody(b) => returned(b),
                        },
                        Expr::Fn(f) => f.function.body.as_ref().and_then(returned),
                        _ => None,
                    }
                    .or_else(|| {
                        matches!(unwrap_expr(init), Expr::Arrow(_) | Expr::Fn(_))
                            .then(|| walked(&name.id.sym))
                            .flatten()
                    });
                    if let Some(n) = n {
                        out.push((format!("{}()", name.id.sym), n));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
