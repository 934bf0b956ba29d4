//! Values that stand for a binding under a name of their own: Durable
//! Object ids and stubs (`const id = env.ROOMS.idFromName(x); const stub =
//! env.ROOMS.get(id)`) and names typed as a binding (`db: D1Database`).
//! Found by one light walk of the whole file, on the first question.

use swc_core::ecma::ast::*;
use text_marks::{Mark, Marks};

use crate::knowledge::bindings::{returns_object_stub, BINDING_TYPES, OBJECT_ID_METHODS};
use crate::semantic::file::Bindings;
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
}

/// The id methods' names are the Durable Object API's own; a file that
/// names none of them, and no binding type in a type annotation, has no such
/// values (no walk: most files). Looked for in one pass over the text, each
/// anchored on a capital letter (rarer in code than the lower-case ones).
static MARKERS: Marks = Marks::new(&[
    Mark::plain_at("idFromName", 2),
    Mark::plain_at("idFromString", 2),
    Mark::plain_at("newUniqueId", 3),
    Mark::plain_at("getByName", 3),
]);

impl BindingValues {
    /// `typescript`: the file can annotate types (JavaScript cannot).
    pub fn of(program: &Program, source: &str, typescript: bool) -> BindingValues {
        let mut found = BindingValues::default();
        let annotated = || {
            // `db: D1Database`, `q:Queue<Job>`: a type name after a colon.
            BINDING_TYPES.iter().any(|t| {
                source
                    .match_indices(t)
                    .any(|(at, _)| source[..at].trim_end_matches([' ', '\t']).ends_with(':'))
            })
        };
        if MARKERS.first_in(source).is_some() || (typescript && annotated()) {
            probe::walk(program, &mut found);
        }
        found
    }
}

impl Hooks for BindingValues {
    fn kinds(&self) -> u64 {
        bit(Kind::VarDeclarator) | bit(Kind::BindingIdent)
    }

    fn enter(&mut self, node: Node<'_>) -> Descend {
        match node {
            Node::BindingIdent(b)
                if b.type_ann
                    .as_deref()
                    .is_some_and(|t| binding_type(&t.type_ann)) =>
            {
                self.typed.insert(&b.id);
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
/// (`D1Database`, `DurableObjectNamespace<Room>`).
fn binding_type(ty: &TsType) -> bool {
    matches!(ty, TsType::TsTypeRef(r)
        if matches!(&r.type_name, TsEntityName::Ident(id) if BINDING_TYPES.contains(&&*id.sym)))
}
