//! Values that stand for a binding under a name of their own: Durable
//! Object ids and stubs (`const id = env.ROOMS.idFromName(x); const stub =
//! env.ROOMS.get(id)`) and names typed as a binding (`db: D1Database`).
//! Found by one light walk of the whole file, on the first question.

use swc_core::ecma::ast::*;
use text_marks::Marks;

use crate::knowledge::bindings::{returns_object_stub, BINDING_TYPES, OBJECT_ID_METHODS};
use crate::semantic::file::Bindings;
use crate::semantic::graph::{ObjectIdMarks, OBJECT_ID_MARKS};
use crate::syntax::ast::{method_name, unwrap_expr};
use crate::syntax::probe::{self, bit, Descend, Hooks, Kind, Node};

/// See the module doc.
#[derive(Default)]
pub struct BindingValues {
    /// `const id = ….idFromName(x)` (or `idFromString`, `newUniqueId`).
    pub object_ids: Bindings,
    /// `const stub = ….get(id)` or `….getByName(x)`: getting a stub sends
    /// nothing, each call on it is a subrequest to the object.
    pub object_stubs: Bindings,
    /// Parameters and variables typed as a binding.
    pub typed: Bindings,
    /// Class fields typed as a binding (`private registry: R2Bucket`,
    /// `constructor(private db: D1Database)`): `this.registry.get(k)` is a
    /// call on the binding.
    pub typed_fields: Vec<swc_core::atoms::Atom>,
    /// The file's module-scope type aliases of a binding type (`type Db =
    /// Pick<D1Database, 'prepare'>`).
    aliases: Vec<swc_core::atoms::Atom>,
}

/// The id methods' names are the Durable Object API's own; a file that
/// names none of them, and no binding type in a type annotation, has no such
/// values (no walk: most files). Looked for in one pass over the text (the
/// role's pass may have read its head already: see [`ObjectIdMarks`]).
static MARKERS: Marks = Marks::new(&OBJECT_ID_MARKS);
/// The length of the longest of the names.
const LONGEST_MARKER: usize = {
    let (mut i, mut longest) = (0, 0);
    while i < OBJECT_ID_MARKS.len() {
        if OBJECT_ID_MARKS[i].text_len() > longest {
            longest = OBJECT_ID_MARKS[i].text_len();
        }
        i += 1;
    }
    longest
};

impl BindingValues {
    /// `typescript`: the file can annotate types (JavaScript cannot).
    /// `seen`: what the role's pass over the file's head saw of the id
    /// methods' names.
    pub fn of(
        program: &Program,
        source: &str,
        typescript: bool,
        seen: ObjectIdMarks,
    ) -> BindingValues {
        let mut found = BindingValues::default();
        let annotated = || {
            // `db: D1Database`, `q:Queue<Job>`: a type name after a colon;
            // `Pick<D1Database, 'prepare'>`, `type Db = D1Database`.
            BINDING_TYPES.iter().any(|t| {
                crate::syntax::text::occurrences(source, t).any(|at| {
                    source[..at]
                        .trim_end_matches([' ', '\t'])
                        .ends_with([':', '<', '=', '|'])
                })
            })
        };
        let named = match seen {
            ObjectIdMarks::Present => true,
            // A name may straddle the end of what was read.
            ObjectIdMarks::AbsentBefore(end) if end < source.len() => {
                let mut from = end.saturating_sub(LONGEST_MARKER - 1);
                while !source.is_char_boundary(from) {
                    from -= 1;
                }
                MARKERS.first_in(&source[from..]).is_some()
            }
            ObjectIdMarks::AbsentBefore(_) => false,
            ObjectIdMarks::Unknown => MARKERS.first_in(source).is_some(),
        };
        if named || (typescript && annotated()) {
            found.aliases = binding_aliases(program);
            probe::walk(program, &mut found);
        }
        found
    }
}

impl Hooks for BindingValues {
    fn kinds(&self) -> u64 {
        bit(Kind::VarDeclarator)
            | bit(Kind::BindingIdent)
            | bit(Kind::ClassProp)
            | bit(Kind::TsParamProp)
    }

    fn enter(&mut self, node: Node<'_>) -> Descend {
        match node {
            Node::BindingIdent(b)
                if b.type_ann
                    .as_deref()
                    .is_some_and(|t| binding_type(&t.type_ann, &self.aliases)) =>
            {
                self.typed.insert(&b.id);
            }
            Node::ClassProp(p) => {
                if let (PropName::Ident(name), Some(ty)) = (&p.key, &p.type_ann) {
                    if binding_type(&ty.type_ann, &self.aliases) {
                        self.typed_fields.push(name.sym.clone());
                    }
                }
            }
            Node::TsParamProp(p) => {
                if let TsParamPropParam::Ident(b) = &p.param {
                    if b.type_ann
                        .as_deref()
                        .is_some_and(|t| binding_type(&t.type_ann, &self.aliases))
                    {
                        self.typed_fields.push(b.id.sym.clone());
                    }
                }
            }
            Node::VarDeclarator(d) => {
                if let (Pat::Ident(name), Some(init)) = (&d.name, &d.init) {
                    if let Expr::Call(call) = unwrap_expr(init) {
                        if object_id_call(call) {
                            self.object_ids.insert(&name.id);
                        } else if let Some(method) = method_name(call) {
                            let id_argument =
                                call.args
                                    .first()
                                    .is_some_and(|a| match unwrap_expr(&a.expr) {
                                        Expr::Call(c) => object_id_call(c),
                                        Expr::Ident(id) => self.object_ids.contains_name(&id.sym),
                                        _ => false,
                                    });
                            if returns_object_stub(method, id_argument) {
                                self.object_stubs.insert(&name.id);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        Descend::Children
    }
}

/// `call` makes a Durable Object id (`env.ROOMS.idFromName(x)`).
pub fn object_id_call(call: &CallExpr) -> bool {
    method_name(call).is_some_and(|m| OBJECT_ID_METHODS.contains(&m.as_ref()))
}

/// A type reference to one of the runtime's binding types
/// (`D1Database`, `DurableObjectNamespace<Room>`), a part of one
/// (`Pick<D1Database, 'prepare'>`, `Omit`, `Readonly`), one or `undefined`
/// (`D1Database | undefined`), or one of the file's `aliases` of these.
fn binding_type(ty: &TsType, aliases: &[swc_core::atoms::Atom]) -> bool {
    match ty {
        TsType::TsTypeRef(r) => {
            let TsEntityName::Ident(id) = &r.type_name else {
                return false;
            };
            if BINDING_TYPES.contains(&&*id.sym) || aliases.contains(&id.sym) {
                return true;
            }
            matches!(
                &*id.sym,
                "Pick" | "Omit" | "Readonly" | "Partial" | "Required"
            ) && r
                .type_params
                .as_ref()
                .and_then(|p| p.params.first())
                .is_some_and(|first| binding_type(first, aliases))
        }
        TsType::TsUnionOrIntersectionType(TsUnionOrIntersectionType::TsUnionType(u)) => {
            let mut some = false;
            let all = u.types.iter().all(|t| match &**t {
                TsType::TsKeywordType(k) => matches!(
                    k.kind,
                    TsKeywordTypeKind::TsUndefinedKeyword | TsKeywordTypeKind::TsNullKeyword
                ),
                t => {
                    some = true;
                    binding_type(t, aliases)
                }
            });
            all && some
        }
        TsType::TsParenthesizedType(p) => binding_type(&p.type_ann, aliases),
        _ => false,
    }
}

/// The module-scope type aliases of a binding type, in declaration order
/// (an alias of an alias declared before it counts).
fn binding_aliases(program: &Program) -> Vec<swc_core::atoms::Atom> {
    let Program::Module(module) = program else {
        return Vec::new();
    };
    let mut aliases = Vec::new();
    for item in &module.body {
        let alias = match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::TsTypeAlias(a))) => a,
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl {
                decl: Decl::TsTypeAlias(a),
                ..
            })) => a,
            _ => continue,
        };
        if binding_type(&alias.type_ann, &aliases) {
            aliases.push(alias.id.sym.clone());
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::graph::role_and_marks;

    /// Whether the binding values' walk, told what the role pass saw, finds
    /// the stub `s` of `src/a.js`.
    fn finds_stub(source: &str) -> bool {
        let program = crate::syntax::parse("src/a.js", source, None).unwrap();
        let (_, seen) = role_and_marks("src/a.js", source);
        let values = BindingValues::of(&program, source, false, seen);
        values.object_stubs.contains_name(&"s".into())
    }

    #[test]
    fn id_methods_named_anywhere_after_the_role_pass() {
        let stub = "const s = env.ROOMS.getByName(n);\n";
        assert!(finds_stub(stub));
        // Past the head the role pass reads, and across its end.
        for pad in [9000, 8192 - 24, 8192 - 28, 8192 - 33] {
            let source = format!("{}\n{stub}", "//".repeat(pad / 2));
            assert!(finds_stub(&source), "{pad}");
        }
        assert!(!finds_stub(&format!(
            "{}\nconst s = 1;\n",
            "//".repeat(5000)
        )));
    }
}
