//! Effect summaries across files: whether a function — itself, or through
//! the functions it calls, across imports and re-exports — makes a
//! subrequest or runs a database query, with the chain that shows it.
//! Computed on demand from each file's `calls` facts, once per function and
//! effect (memoized in the project), after every file was walked.

use super::calls::{bit, Called, Chain, Effect, FunctionFact, FunctionRef, Target};
use super::project::Load;
use super::{Condition, Deferred, Project};
use crate::knowledge::query::ReExport;
use crate::model::collections::HashMap;
use crate::model::report::{Diagnostic, Related};

/// How far a chain is followed (calls within calls).
const MAX_DEPTH: u32 = 12;

impl Project<'_> {
    fn function(&self, (file, index): FunctionRef) -> &FunctionFact {
        &self.files[file].1.functions[index]
    }

    /// The one function of `file` named `name`, or none when the name is
    /// ambiguous. A plain call (`save()`) names a top-level function, else
    /// a nested one declared where it is called, never a method (in
    /// `export default { async fetch() { … fetch(url) } }` the inner call
    /// is the global `fetch`); a method call (`this.save()`, `methods`)
    /// names a function of any level (a class's methods are not nested in
    /// a function).
    fn function_named(&self, file: usize, name: &str, methods: bool) -> Option<usize> {
        let functions = &self.files[file].1.functions;
        let by_name = self.functions_by_name.get_or_init(|| {
            self.files
                .iter()
                .map(|(_, facts)| {
                    // Sized for every function at once: no growth on the way.
                    let mut map: HashMap<&str, Vec<usize>> = HashMap::with_capacity_and_hasher(
                        facts.functions.len(),
                        Default::default(),
                    );
                    for (i, f) in facts.functions.iter().enumerate() {
                        if let Some(name) = f.name.as_deref() {
                            map.entry(name).or_default().push(i);
                        }
                    }
                    map
                })
                .collect()
        });
        let named = by_name[file].get(name).map_or(&[][..], Vec::as_slice);
        let unique = |level: Option<bool>| {
            let mut found = named
                .iter()
                .copied()
                .filter(|&i| methods || !functions[i].is_method)
                .filter(|&i| level.is_none_or(|top| functions[i].top_level == top));
            let first = found.next()?;
            found.next().is_none().then_some(first)
        };
        if methods {
            unique(None)
        } else {
            unique(Some(true)).or_else(|| unique(Some(false)))
        }
    }

    /// The project function a call in `file` names, when it is one.
    pub fn function_of(&self, file: usize, target: &Target) -> Option<FunctionRef> {
        match &target.called {
            Called::Name(name) => {
                let (defined_in, local) = self.resolve_local(file, name, 0)?;
                Some((defined_in, self.function_named(defined_in, &local, false)?))
            }
            Called::This(method) => Some((file, self.function_named(file, method, true)?)),
            Called::Member(object, member) => {
                let facts = &self.files[file].1;
                if let Some(import) = facts.import_of(object) {
                    if import.imported.is_some() {
                        return None; // a named import's member: not a module namespace
                    }
                    let module = self.resolve_module(file, &import.source)?;
                    let (defined_in, local) = self.resolve_export(module, member, 0)?;
                    return Some((defined_in, self.function_named(defined_in, &local, false)?));
                }
                // An instance of a project class: the method of that name in
                // the class's file.
                let (defined_in, _) = match self.held_class(file, object) {
                    Some(class) => self.resolve_local(file, class, 0)?,
                    None => self.constructed_class(file, object)?,
                };
                Some((defined_in, self.function_named(defined_in, member, true)?))
            }
        }
    }

    /// The class of the instances `held` (a variable or `this.field`) holds
    /// in `file`, as written there, when they are of one class.
    fn held_class(&self, file: usize, held: &str) -> Option<&str> {
        let facts = &self.files[file].1;
        let mut classes = facts.instances.iter().filter(|(h, _)| h == held);
        let (_, class) = classes.next()?;
        if classes.any(|(_, other)| other != class) {
            return None; // holds instances of different classes
        }
        Some(class)
    }

    /// The class whose instance a constructor stores in `field` of a class
    /// of `file` from an untyped parameter (`constructor(svc) { this.svc =
    /// svc }`): what every `new` of that class in the project passes there
    /// (`new Calculator(new GithubService(t))`, or a variable holding one).
    /// (file, class name there) of its definition.
    fn constructed_class(&self, file: usize, field: &str) -> Option<(usize, String)> {
        let key = (file, field.to_string());
        if let Some(known) = self.constructed.borrow().get(&key) {
            return known.clone();
        }
        let facts = &self.files[file].1;
        let mut owners = facts.ctor_fields.iter().filter(|(_, f, _)| f == field);
        let (class, _, index) = owners.next()?;
        let found = if owners.next().is_some() {
            None // several classes of the file store such a field
        } else {
            let mut passed: Option<(usize, String)> = None;
            let mut agree = true;
            for (at, (_, other)) in self.files.iter().enumerate() {
                for (written, args) in &other.news {
                    if self.resolve_local(at, written, 0).as_ref() != Some(&(file, class.clone())) {
                        continue;
                    }
                    let held = match args.get(*index).cloned().flatten() {
                        Some(super::calls::Arg::New(c)) => self.resolve_local(at, &c, 0),
                        Some(super::calls::Arg::Var(v)) => self
                            .held_class(at, &v)
                            .and_then(|c| self.resolve_local(at, c, 0)),
                        None => None,
                    };
                    match (held, &passed) {
                        (Some(h), None) => passed = Some(h),
                        (Some(h), Some(p)) if &h == p => {}
                        _ => agree = false,
                    }
                }
            }
            passed.filter(|_| agree)
        };
        self.constructed.borrow_mut().insert(key, found.clone());
        found
    }

    /// Whether the function `target` names in `file` has `effect`, and the
    /// chain that shows it.
    pub fn effect_of(&self, file: usize, target: &Target, effect: Effect) -> Option<Chain> {
        let function = self.function_of(file, target)?;
        self.summary(function, effect, !target.truthy_args, &mut Vec::new())
    }

    /// The chain of `function` for `effect`, called with its option
    /// parameters at the positions of `unset` left at their default
    /// (`false`); `path` holds the functions being followed (a recursion
    /// ends there).
    fn summary(
        &self,
        function: FunctionRef,
        effect: Effect,
        unset: u32,
        path: &mut Vec<FunctionRef>,
    ) -> Option<Chain> {
        let fact = self.function(function);
        // What its options gate happens unless the call leaves them unset.
        let set = fact.gated_params() & !unset;
        let memo_key = (function.0, function.1, effect as u8, set);
        if let Some(known) = self.summaries.borrow().get(&memo_key) {
            return known.clone();
        }
        if path.contains(&function) || path.len() as u32 >= MAX_DEPTH {
            return None;
        }
        let own_of = |subrequest: &Option<_>, query: &Option<_>, write: &Option<_>| match effect {
            Effect::Subrequest => *subrequest,
            Effect::Query => *query,
            Effect::Io => subrequest.or(*query),
            Effect::Write => *write,
        };
        let gated = fact.gated.iter().filter(|g| set & bit(g.param) != 0);
        let own = own_of(&fact.subrequest, &fact.query, &fact.write).or_else(|| {
            gated
                .clone()
                .find_map(|g| own_of(&g.subrequest, &g.query, &g.write))
        });
        let mut cut_short = false;
        let found = match own {
            Some(evidence) => Some(Chain {
                functions: vec![function],
                evidence,
            }),
            None => {
                path.push(function);
                let mut calls = fact.calls.iter().chain(gated.flat_map(|g| &g.calls));
                let found = calls.find_map(|target| {
                    let callee = self.function_of(function.0, target)?;
                    if path.contains(&callee) {
                        cut_short = true;
                        return None;
                    }
                    let mut chain = self.summary(callee, effect, !target.truthy_args, path)?;
                    chain.functions.insert(0, function);
                    Some(chain)
                });
                path.pop();
                found
            }
        };
        // A negative answer reached through a cycle may be incomplete.
        if found.is_some() || !cut_short {
            self.summaries.borrow_mut().insert(memo_key, found.clone());
        }
        found
    }

    /// The deferred findings whose condition holds, with the evidence in
    /// the message and as related locations.
    pub fn deferred(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (file, (_, facts)) in self.files.iter().enumerate() {
            // One line index per file with a finding that stands.
            let index = std::cell::OnceCell::new();
            let path = &self.files[file].0;
            let place = |deferred: &Deferred| {
                // The text only for a finding that stands (read then, if deferred).
                let source = self.source(file);
                let index = index.get_or_init(|| crate::syntax::position::LineIndex::new(source));
                deferred.placed(path, source, |offset| index.position(offset))
            };
            for deferred in &facts.deferred {
                match &deferred.condition {
                    Condition::Calls(target, effect) => {
                        if let Some(chain) = self.effect_of(file, target, *effect) {
                            out.push(self.with_chain(place(deferred), target, *effect, &chain));
                        }
                    }
                    Condition::CallsAtLeast(targets, n, effect) => {
                        if let Some(d) =
                            self.calls_at_least(file, targets, *n, *effect, || place(deferred))
                        {
                            out.push(d);
                        }
                    }
                    Condition::CallsAtLeastAndNone(targets, n, effect, none) => {
                        if targets
                            .iter()
                            .any(|t| self.effect_of(file, t, *none).is_some())
                        {
                            continue;
                        }
                        if let Some(d) =
                            self.calls_at_least(file, targets, *n, *effect, || place(deferred))
                        {
                            out.push(d);
                        }
                    }
                    Condition::NoneCalls(targets, effect) => {
                        if targets
                            .iter()
                            .all(|t| self.effect_of(file, t, *effect).is_none())
                        {
                            out.push(place(deferred));
                        }
                    }
                    Condition::CallsAndNone(target, effect, others, none) => {
                        if let Some(chain) = self.effect_of(file, target, *effect) {
                            if others
                                .iter()
                                .all(|t| self.effect_of(file, t, *none).is_none())
                            {
                                out.push(self.with_chain(place(deferred), target, *effect, &chain));
                            }
                        }
                    }
                    Condition::UnusedStarExport(source) => {
                        if let Some(d) = self.unused_star_export(file, source, || place(deferred)) {
                            out.push(d);
                        }
                    }
                }
            }
        }
        out
    }

    /// The finding `placed` makes, when at least `n` of `targets` have
    /// `effect` (with the chain of the first that has it; none needed when
    /// `n` is 0).
    fn calls_at_least(
        &self,
        file: usize,
        targets: &[Target],
        n: usize,
        effect: Effect,
        placed: impl FnOnce() -> Diagnostic,
    ) -> Option<Diagnostic> {
        if n == 0 {
            return Some(placed());
        }
        let mut found = targets
            .iter()
            .filter_map(|t| self.effect_of(file, t, effect).map(|chain| (t, chain)));
        let (target, chain) = found.next()?;
        (1 + found.take(n - 1).count() >= n)
            .then(|| self.with_chain(placed(), target, effect, &chain))
    }

    /// `export * from 'source'` in `barrel`, when the module it names (a
    /// project file) runs code at startup and nothing the Worker runs uses
    /// any of its exports: not through the barrel (every import from the
    /// barrel names its bindings, none of them the module's) and not
    /// directly. Anything the facts cannot follow (a namespace import of the
    /// barrel, a star re-export of it, a dynamic import, a module that
    /// re-exports further) keeps the finding away.
    fn unused_star_export(
        &self,
        barrel: usize,
        source: &str,
        placed: impl FnOnce() -> Diagnostic,
    ) -> Option<Diagnostic> {
        let module = self.resolve_module(barrel, source)?;
        let facts = &self.files[module].1;
        let startup = facts.module_call.as_ref()?;
        if facts
            .reexports
            .iter()
            .any(|r| matches!(r, ReExport::Star(_)))
        {
            return None;
        }
        let mut names: Vec<&str> = facts.exports.iter().map(|(e, _)| e.as_str()).collect();
        names.extend(facts.reexports.iter().filter_map(|r| match r {
            ReExport::Named(exported, _, _) => Some(exported.as_str()),
            ReExport::Star(_) => None,
        }));
        if names.is_empty() {
            return None;
        }
        let importers = self.importers();
        if importers[module].iter().any(|(file, _)| *file != barrel) {
            return None; // loaded by other code too
        }
        let mut uses = 0;
        for (_, name) in &importers[barrel] {
            match name {
                Some(name) if !names.contains(&name.as_str()) => uses += 1,
                _ => return None,
            }
        }
        if uses == 0 {
            return None; // an entry or a public module: its exports are for others
        }
        let startup = self.quote(module, *startup);
        let mut d = placed();
        let shown: Vec<String> = names.iter().take(4).map(|n| format!("`{n}`")).collect();
        let more = if names.len() > 4 { ", …" } else { "" };
        d.message = format!(
            "{}: no code the Worker runs uses any of its exports ({}{more}), yet its top-level code runs at startup (`{}` at {}:{})",
            d.message,
            shown.join(", "),
            startup.text,
            self.path(module),
            startup.line
        );
        d.related.push(Related {
            file: self.path(module).to_string(),
            line: startup.line,
            column: startup.column,
            message: format!("`{}` runs when the module loads", startup.text),
        });
        Some(d)
    }

    /// For each file, what loads it: (loading file, the name it takes —
    /// `None` for the whole module: a namespace import, `export *`,
    /// `import()`, `require()`). Every specifier is resolved once, on the
    /// first question.
    fn importers(&self) -> &[Vec<Load>] {
        self.importers.get_or_init(|| {
            let mut out: Vec<Vec<Load>> = vec![Vec::new(); self.files.len()];
            for (file, (_, facts)) in self.files.iter().enumerate() {
                for (spec, takes) in facts.loads() {
                    if let Some(target) = self.resolve_module(file, spec) {
                        let name = match takes {
                            super::Takes::Export(name) => Some(name.to_string()),
                            super::Takes::Whole | super::Takes::EveryExport => None,
                        };
                        out[target].push((file, name));
                    }
                }
            }
            out
        })
    }

    fn with_chain(
        &self,
        mut d: Diagnostic,
        target: &Target,
        effect: Effect,
        chain: &Chain,
    ) -> Diagnostic {
        let last = *chain.functions.last().unwrap_or(&(0, 0));
        let name = |f: FunctionRef| {
            self.function(f)
                .name
                .clone()
                .unwrap_or_else(|| "a function".into())
        };
        let verb = match effect {
            Effect::Subrequest | Effect::Io | Effect::Write => "calls",
            Effect::Query => "runs",
        };
        let through = if chain.functions.len() > 1 {
            let names: Vec<String> = chain.functions.iter().map(|&f| name(f)).collect();
            format!(" (through {})", names.join(" → "))
        } else {
            String::new()
        };
        let evidence = self.quote(last.0, chain.evidence);
        d.message = format!(
            "{}: `{}`{through} {verb} `{}` at {}:{}",
            d.message,
            target.text(),
            evidence.text,
            self.path(last.0),
            evidence.line
        );
        for pair in chain.functions.windows(2) {
            let f = self.function(pair[0]);
            d.related.push(Related {
                file: self.path(pair[0].0).to_string(),
                line: self.quote(pair[0].0, f.span).line,
                column: 1,
                message: format!("`{}` calls `{}`", name(pair[0]), name(pair[1])),
            });
        }
        d.related.push(Related {
            file: self.path(last.0).to_string(),
            line: evidence.line,
            column: evidence.column,
            message: format!("`{}` {verb} `{}`", name(last), evidence.text),
        });
        d
    }
}
