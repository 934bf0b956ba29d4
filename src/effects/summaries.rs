//! Effect summaries across files: whether a function — itself, or through
//! the functions it calls, across imports and re-exports — makes a
//! subrequest or runs a database query, with the chain that shows it.
//! Computed on demand from each file's `calls` facts, once per function and
//! effect (memoized in the project), after every file was walked.

use super::calls::{Chain, Effect, FunctionFact, FunctionRef, Target};
use super::{Deferred, Project};
use crate::model::report::{Diagnostic, Related};

/// How far a chain is followed (calls within calls).
const MAX_DEPTH: u32 = 12;

impl Project<'_> {
    fn function(&self, (file, index): FunctionRef) -> &FunctionFact {
        &self.files[file].1.functions[index]
    }

    /// The one function of `file` named `name`, or none when the name is
    /// ambiguous. A plain call (`save()`) names a top-level function, else
    /// a nested one declared where it is called; a method call
    /// (`this.save()`, `methods`) names a function of any level (a class's
    /// methods are not nested in a function).
    fn function_named(&self, file: usize, name: &str, methods: bool) -> Option<usize> {
        let functions = &self.files[file].1.functions;
        let unique = |level: Option<bool>| {
            let mut found = functions
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    f.name.as_deref() == Some(name) && level.is_none_or(|top| f.top_level == top)
                })
                .map(|(i, _)| i);
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
        match target {
            Target::Name(name) => {
                let (defined_in, local) = self.resolve_local(file, name, 0)?;
                Some((defined_in, self.function_named(defined_in, &local, false)?))
            }
            Target::This(method) => Some((file, self.function_named(file, method, true)?)),
            Target::Member(object, member) => {
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
                let mut classes = facts.instances.iter().filter(|(held, _)| held == object);
                let (_, class) = classes.next()?;
                if classes.any(|(_, other)| other != class) {
                    return None; // holds instances of different classes
                }
                let (defined_in, _) = self.resolve_local(file, class, 0)?;
                Some((defined_in, self.function_named(defined_in, member, true)?))
            }
        }
    }

    /// Whether the function `target` names in `file` has `effect`, and the
    /// chain that shows it.
    pub fn effect_of(&self, file: usize, target: &Target, effect: Effect) -> Option<Chain> {
        let function = self.function_of(file, target)?;
        self.summary(function, effect, &mut Vec::new())
    }

    /// The chain of `function` for `effect`; `path` holds the functions
    /// being followed (a recursion ends there).
    fn summary(
        &self,
        function: FunctionRef,
        effect: Effect,
        path: &mut Vec<FunctionRef>,
    ) -> Option<Chain> {
        let memo_key = (function.0, function.1, effect as u8);
        if let Some(known) = self.summaries.borrow().get(&memo_key) {
            return known.clone();
        }
        if path.contains(&function) || path.len() as u32 >= MAX_DEPTH {
            return None;
        }
        let fact = self.function(function);
        let own = match effect {
            Effect::Subrequest => &fact.subrequest,
            Effect::Query => &fact.query,
        };
        let mut cut_short = false;
        let found = match own {
            Some(evidence) => Some(Chain {
                functions: vec![function],
                evidence: evidence.clone(),
            }),
            None => {
                path.push(function);
                let found = fact.calls.iter().find_map(|target| {
                    let callee = self.function_of(function.0, target)?;
                    if path.contains(&callee) {
                        cut_short = true;
                        return None;
                    }
                    let mut chain = self.summary(callee, effect, path)?;
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

    /// The deferred findings of every file whose call leads to the effect
    /// they need, with the chain in the message and as related locations.
    pub fn deferred(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (file, (_, facts)) in self.files.iter().enumerate() {
            for deferred in &facts.deferred {
                if let Some(chain) = self.effect_of(file, &deferred.target, deferred.effect) {
                    out.push(self.with_chain(deferred, &chain));
                }
            }
        }
        out
    }

    fn with_chain(&self, deferred: &Deferred, chain: &Chain) -> Diagnostic {
        let mut d = deferred.diagnostic.clone();
        let last = *chain.functions.last().unwrap_or(&(0, 0));
        let name = |f: FunctionRef| {
            self.function(f)
                .name
                .clone()
                .unwrap_or_else(|| "a function".into())
        };
        let verb = match deferred.effect {
            Effect::Subrequest => "calls",
            Effect::Query => "runs",
        };
        let through = if chain.functions.len() > 1 {
            let names: Vec<String> = chain.functions.iter().map(|&f| name(f)).collect();
            format!(" (through {})", names.join(" → "))
        } else {
            String::new()
        };
        d.message = format!(
            "{}: `{}`{through} {verb} `{}` at {}:{}",
            d.message,
            deferred.target.text(),
            chain.evidence.text,
            self.path(last.0),
            chain.evidence.line
        );
        for pair in chain.functions.windows(2) {
            let f = self.function(pair[0]);
            d.related.push(Related {
                file: self.path(pair[0].0).to_string(),
                line: f.line,
                column: 1,
                message: format!("`{}` calls `{}`", name(pair[0]), name(pair[1])),
            });
        }
        d.related.push(Related {
            file: self.path(last.0).to_string(),
            line: chain.evidence.line,
            column: chain.evidence.column,
            message: format!("`{}` {verb} `{}`", name(last), chain.evidence.text),
        });
        d
    }
}
