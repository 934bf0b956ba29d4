//! One shared AST visitor for the small walks (declared names, row uses, hot
//! paths, identifier and `await` searches). swc's `Visit` trait compiles the
//! whole traversal once per implementing type; these walks implement
//! [`Hooks`] instead and share the one traversal of [`Probe`], which hands
//! them the node kinds below and lets them decide whether it walks into the
//! children (most of the wasm's visitor code was one copy per small walk).

use swc_core::ecma::ast::*;
use swc_core::ecma::visit::{Visit, VisitWith};

/// Whether the probe walks into a node's children after its hook.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Descend {
    /// Walk the children (what a visitor does for a node it does not handle).
    Children,
    /// The hook walked what it wanted (with [`walk`] or [`children`]) or
    /// nothing.
    Skip,
}

/// A small walk: called for each node of the kinds of [`Node`].
pub trait Hooks {
    fn enter(&mut self, node: Node<'_>) -> Descend;

    /// The kinds `enter` is called for (a set of [`bit`]s); the probe walks
    /// into the children of the others without asking.
    fn kinds(&self) -> u64 {
        u64::MAX
    }
}

/// The kind's bit in [`Hooks::kinds`].
pub const fn bit(kind: Kind) -> u64 {
    1 << kind as u32
}

/// The traversal shared by every [`Hooks`].
pub struct Probe<'h> {
    hooks: &'h mut dyn Hooks,
    kinds: u64,
}

impl<'h> Probe<'h> {
    fn new(hooks: &'h mut dyn Hooks) -> Self {
        let kinds = hooks.kinds();
        Probe { hooks, kinds }
    }
}

/// Walks `node` itself (its hook first, as `visit_with`).
pub fn walk<N: for<'h> VisitWith<Probe<'h>> + ?Sized>(node: &N, hooks: &mut dyn Hooks) {
    node.visit_with(&mut Probe::new(hooks));
}

/// Walks the children of `node` (as `visit_children_with`).
pub fn children<N: for<'h> VisitWith<Probe<'h>> + ?Sized>(node: &N, hooks: &mut dyn Hooks) {
    node.visit_children_with(&mut Probe::new(hooks));
}

macro_rules! probe_nodes {
    ($($method:ident($ty:ty) => $variant:ident,)*) => {
        /// The node kinds a [`Hooks`] is told about.
        #[derive(Clone, Copy)]
        pub enum Node<'a> {
            $($variant(&'a $ty),)*
        }

        /// The kind of a [`Node`], for [`Hooks::kinds`].
        #[derive(Clone, Copy)]
        pub enum Kind {
            $($variant,)*
        }

        impl Visit for Probe<'_> {
            $(
                fn $method(&mut self, n: &$ty) {
                    if self.kinds & bit(Kind::$variant) == 0
                        || self.hooks.enter(Node::$variant(n)) == Descend::Children
                    {
                        n.visit_children_with(self);
                    }
                }
            )*
        }
    };
}

probe_nodes! {
    visit_arrow_expr(ArrowExpr) => Arrow,
    visit_await_expr(AwaitExpr) => Await,
    visit_bin_expr(BinExpr) => Bin,
    visit_binding_ident(BindingIdent) => BindingIdent,
    visit_call_expr(CallExpr) => Call,
    visit_class(Class) => Class,
    visit_class_prop(ClassProp) => ClassProp,
    visit_class_expr(ClassExpr) => ClassExpr,
    visit_cond_expr(CondExpr) => Cond,
    visit_constructor(Constructor) => Constructor,
    visit_expr(Expr) => Expr,
    visit_fn_decl(FnDecl) => FnDecl,
    visit_fn_expr(FnExpr) => FnExpr,
    visit_for_of_stmt(ForOfStmt) => ForOf,
    visit_function(Function) => Function,
    visit_ident(Ident) => Ident,
    visit_if_stmt(IfStmt) => If,
    visit_jsx_element_name(JSXElementName) => JsxElementName,
    visit_key_value_prop(KeyValueProp) => KeyValue,
    visit_member_expr(MemberExpr) => Member,
    visit_param(Param) => Param,
    visit_prop(Prop) => Prop,
    visit_return_stmt(ReturnStmt) => Return,
    visit_simple_assign_target(SimpleAssignTarget) => SimpleAssignTarget,
    visit_spread_element(SpreadElement) => Spread,
    visit_stmt(Stmt) => Stmt,
    visit_ts_entity_name(TsEntityName) => TsEntityName,
    visit_ts_param_prop(TsParamProp) => TsParamProp,
    visit_ts_type(TsType) => TsType,
    visit_ts_type_ann(TsTypeAnn) => TsTypeAnn,
    visit_ts_type_param_decl(TsTypeParamDecl) => TsTypeParamDecl,
    visit_ts_type_param_instantiation(TsTypeParamInstantiation) => TsTypeParamInstantiation,
    visit_unary_expr(UnaryExpr) => Unary,
    visit_var_declarator(VarDeclarator) => VarDeclarator,
}
