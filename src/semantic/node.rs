//! The nodes of the one traversal that rules and fact collectors hook.

use swc_core::ecma::ast::*;

use super::scope::Frame;

/// The nodes rules can hook. `Enter` and `exit` see the same set.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Program(&'a Program),
    /// A statement list: a block body, a function body or a switch case.
    Stmts(&'a [Stmt]),
    /// The module's top-level items.
    ModuleItems(&'a [ModuleItem]),
    Stmt(&'a Stmt),
    ExprStmt(&'a ExprStmt),
    Call(&'a CallExpr),
    /// A call in an optional chain (`a?.b()`, the `.c()` of `a?.b.c()`):
    /// not a `Call`, which most rules judge by its callee's path.
    OptCall(&'a OptCall),
    New(&'a NewExpr),
    Await(&'a AwaitExpr),
    Import(&'a ImportDecl),
    ExportAll(&'a ExportAll),
    NamedExport(&'a NamedExport),
    VarDecl(&'a VarDecl),
    VarDeclarator(&'a VarDeclarator),
    Assign(&'a AssignExpr),
    Update(&'a UpdateExpr),
    Object(&'a ObjectLit),
    Array(&'a ArrayLit),
    Member(&'a MemberExpr),
    Return(&'a ReturnStmt),
    /// A function, arrow, method or constructor body is entered / left.
    Function(&'a Frame),
    /// A loop statement (its body is walked inside a `Frame::Loop`).
    Loop(&'a Stmt),
    /// An identifier: a reference, or a binding name in a pattern (property
    /// names of member expressions and object keys are not identifiers).
    Ident(&'a Ident),
}

/// The kind of a [`Node`], without its data: rules list the kinds they act on
/// so that the walker dispatches each node only to the rules that want it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Program,
    Stmts,
    ModuleItems,
    Stmt,
    ExprStmt,
    Call,
    OptCall,
    New,
    Await,
    Import,
    ExportAll,
    NamedExport,
    VarDecl,
    VarDeclarator,
    Assign,
    Update,
    Object,
    Array,
    Member,
    Return,
    Function,
    Loop,
    /// Delivered only while `LintContext::wants_idents` is set: a rule that
    /// asks for identifiers sets it while it tracks names (identifiers are
    /// most of the nodes).
    Ident,
}

impl NodeKind {
    /// How many kinds there are.
    pub const COUNT: usize = NodeKind::Ident as usize + 1;
    /// Every kind: the default interest of a rule.
    pub const ALL: &'static [NodeKind] = &[
        NodeKind::Program,
        NodeKind::Stmts,
        NodeKind::ModuleItems,
        NodeKind::Stmt,
        NodeKind::ExprStmt,
        NodeKind::Call,
        NodeKind::OptCall,
        NodeKind::New,
        NodeKind::Await,
        NodeKind::Import,
        NodeKind::ExportAll,
        NodeKind::NamedExport,
        NodeKind::VarDecl,
        NodeKind::VarDeclarator,
        NodeKind::Assign,
        NodeKind::Update,
        NodeKind::Object,
        NodeKind::Array,
        NodeKind::Member,
        NodeKind::Return,
        NodeKind::Function,
        NodeKind::Loop,
        NodeKind::Ident,
    ];
    /// The nodes `imports::module_ref` reads.
    pub const MODULE_REFS: &'static [NodeKind] = &[
        NodeKind::Import,
        NodeKind::NamedExport,
        NodeKind::ExportAll,
        NodeKind::Call,
    ];
}

impl Node<'_> {
    pub fn kind(&self) -> NodeKind {
        match self {
            Node::Program(_) => NodeKind::Program,
            Node::Stmts(_) => NodeKind::Stmts,
            Node::ModuleItems(_) => NodeKind::ModuleItems,
            Node::Stmt(_) => NodeKind::Stmt,
            Node::ExprStmt(_) => NodeKind::ExprStmt,
            Node::Call(_) => NodeKind::Call,
            Node::OptCall(_) => NodeKind::OptCall,
            Node::New(_) => NodeKind::New,
            Node::Await(_) => NodeKind::Await,
            Node::Import(_) => NodeKind::Import,
            Node::ExportAll(_) => NodeKind::ExportAll,
            Node::NamedExport(_) => NodeKind::NamedExport,
            Node::VarDecl(_) => NodeKind::VarDecl,
            Node::VarDeclarator(_) => NodeKind::VarDeclarator,
            Node::Assign(_) => NodeKind::Assign,
            Node::Update(_) => NodeKind::Update,
            Node::Object(_) => NodeKind::Object,
            Node::Array(_) => NodeKind::Array,
            Node::Member(_) => NodeKind::Member,
            Node::Return(_) => NodeKind::Return,
            Node::Function(_) => NodeKind::Function,
            Node::Loop(_) => NodeKind::Loop,
            Node::Ident(_) => NodeKind::Ident,
        }
    }
}
