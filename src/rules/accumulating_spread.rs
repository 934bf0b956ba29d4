//! `accumulating-spread`: copying an accumulator on every step. In a reduce
//! callback, `{ ...acc, [k]: v }` / `[...acc, x]` (or `acc.concat(x)`,
//! `Object.assign({}, acc, …)`) copies everything gathered so far, once per
//! element: O(n²) time and garbage. The same holds in a loop that assigns
//! the copy back: `acc = { ...acc, [k]: v }`, `arr = [...arr, x]`.

use swc_core::atoms::Atom;
use swc_core::ecma::ast::*;

use crate::engine::context::{callee_is, unwrap_expr, Frame, Node};
use crate::engine::{LintContext, NodeKind, Rule, RuleEntry};

pub static RULE: RuleEntry = crate::engine::declare::source!(
    "accumulating-spread", Cpu, Warning,
    "`{...acc, k: v}` / `[...acc, x]` in a reduce callback or a loop: O(n²) copying; mutate the accumulator or push.",
    |_| Box::new(AccumulatingSpread)
);

#[cfg(test)]
static DOCS: crate::engine::declare::Docs = crate::engine::declare::Docs {
    header_note: "",
    intro: "",
    sections: &[
        (
            "What it finds",
            r#"
Copying an accumulator on every step:

- in a `reduce`/`reduceRight` callback, a copy of the accumulator parameter:
  `{ ...acc, [k]: v }`, `[...acc, x]`, `acc.concat(x)`, `Object.assign({}, acc, …)`;
- in a loop or per-element callback, the same copy assigned back to the variable
  it spreads: `acc = { ...acc, [k]: v }`, `arr = [...arr, x]`, `arr = arr.concat(x)`.
"#,
        ),
        (
            "Why it matters on Workers",
            r#"
Each step copies everything gathered so far, so n elements cost n²/2 property or
element copies and as much short-lived garbage. With 2,000 rows that is two
million copies, on the request's CPU time (10 ms per request on the free plan)
and against the isolate's 128 MB of memory.
"#,
        ),
        (
            "Bad",
            r#"
```ts
const totalsByStatus = userOrders.reduce<Record<string, number>>(
  (acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + o.total }),
  {},
);

let ids: string[] = [];
for (const row of rows) {
  ids = [...ids, row.id];
}
```
"#,
        ),
        (
            "Good",
            r#"
```ts
const totalsByStatus: Record<string, number> = {};
for (const o of userOrders) {
  totalsByStatus[o.status] = (totalsByStatus[o.status] ?? 0) + o.total;
}

// or, keeping reduce: mutate the accumulator the reduce call created
const totals = userOrders.reduce<Record<string, number>>((acc, o) => {
  acc[o.status] = (acc[o.status] ?? 0) + o.total;
  return acc;
}, {});

const ids = rows.map((row) => row.id);
```

Mutating the accumulator is safe: the initial `{}`/`[]` is created by the reduce
call and no one else holds it.
"#,
        ),
        (
            "Not reported",
            r#"
- Spreads of the current element (`rows.map((o) => ({ ...o, total }))`).
- `acc[k] = { ...x }; return acc;` (the accumulator is not copied).
- `Object.assign(acc, …)` (mutates; no copy).
- A copy assigned to another variable, or outside any loop (`config = { ...config, debug: true }`).
- An object copy that sets only named keys (`snapshot = { ...snapshot, system: s }`):
  it keeps its size, so the copies add up linearly.
- A spread inside a function nested in the reduce callback.
- A reduce over at most 100 known elements: an array literal or a `const`
  bound to one, a list made from one (`ROLES.filter(…)`), `Object.entries`
  of an object literal (`Object.entries(COLUMNS).reduce((acc, [k, v]) => ({ ...acc, [v]: k }), {})`).
"#,
        ),
        (
            "Options",
            r#"
None.
"#,
        ),
        (
            "Known limits",
            r#"
A copy built in one statement and assigned back in another
(`const next = [...arr, x]; arr = next;`) is not recognized. When the reduce
callback's first parameter is destructured, the first bound name is taken as the
accumulator.
"#,
        ),
    ],
    setup: "",
    examples: crate::engine::declare::Examples::Run,
};

struct AccumulatingSpread;

/// A reduce over at most this many known elements is not reported: its
/// copies move 5,050 keys in all, microseconds.
const FEW_ELEMENTS: f64 = 100.0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Object,
    Array,
}

impl Rule for AccumulatingSpread {
    fn interests(&self) -> &'static [NodeKind] {
        &[
            NodeKind::Array,
            NodeKind::Assign,
            NodeKind::Call,
            NodeKind::Object,
        ]
    }

    fn hot_paths(&self) -> bool {
        true
    }

    fn enter(&mut self, node: Node<'_>, cx: &mut LintContext<'_>) {
        match node {
            // In a reduce callback: any copy of the accumulator parameter.
            Node::Object(_) | Node::Array(_) | Node::Call(_) => {
                let Some(acc) = reduce_accumulator(cx) else {
                    return;
                };
                // A reduce over a few known elements
                // (`Object.entries(COLUMNS).reduce(…)` of a literal): its
                // copies cost nothing worth a change.
                if matches!(cx.function(), Some(Frame::Function { span, .. })
                    if cx.hot.loop_times(*span).is_some_and(|n| n <= FEW_ELEMENTS))
                {
                    return;
                }
                let expr_span = match node {
                    Node::Object(o) => o.span,
                    Node::Array(a) => a.span,
                    Node::Call(c) => c.span,
                    _ => return,
                };
                let Some(shape) = copy_of(node, &acc) else {
                    return;
                };
                let help = match shape {
                    Shape::Object => format!(
                        "Mutate the accumulator and return it: `({acc}, x) => {{ {acc}[key] = value; return {acc}; }}` \
                         (the initial `{{}}` belongs to this reduce call, so the mutation stays local), or fill an object in a for-of loop."
                    ),
                    Shape::Array => format!(
                        "Push and return the accumulator: `({acc}, x) => {{ {acc}.push(x); return {acc}; }}`, \
                         or use `map`/`filter`/`flatMap` instead of reduce."
                    ),
                };
                cx.report(
                    expr_span,
                    format!(
                        "`{}` copies the whole accumulator on every call of the reduce callback: O(n²) in the number of elements",
                        cx.snippet(expr_span)
                    ),
                    help,
                );
            }
            // In a loop: `x = { ...x, … }` assigned back.
            Node::Assign(a) => {
                if a.op != AssignOp::Assign {
                    return;
                }
                let AssignTarget::Simple(SimpleAssignTarget::Ident(target)) = &a.left else {
                    return;
                };
                let name = &target.id.sym;
                if reduce_accumulator(cx).as_ref() == Some(name) {
                    return; // reported on the copy itself
                }
                let Some(repeat) = cx.repeating() else {
                    return;
                };
                let shape = match unwrap_expr(&a.right) {
                    Expr::Object(o) => copy_of(Node::Object(o), name),
                    Expr::Array(arr) => copy_of(Node::Array(arr), name),
                    Expr::Call(c) => copy_of(Node::Call(c), name),
                    _ => None,
                };
                let Some(shape) = shape else {
                    return;
                };
                let help = match shape {
                    Shape::Object => format!(
                        "Mutate it in place: `{name}[key] = value` (or use a `Map`); if you need a fresh object, copy it once after the loop."
                    ),
                    Shape::Array => format!(
                        "Push in place: `{name}.push(x)`; if you need a fresh array, copy it once after the loop."
                    ),
                };
                cx.report(
                    a.span,
                    format!(
                        "`{}` copies all of `{name}` on every iteration of the {}: O(n²)",
                        cx.snippet(a.span),
                        repeat.describe()
                    ),
                    help,
                );
            }
            _ => {}
        }
    }
}

/// The first parameter of the innermost function when it is a
/// `reduce`/`reduceRight` callback.
fn reduce_accumulator(cx: &LintContext<'_>) -> Option<Atom> {
    match cx.function()? {
        Frame::Function {
            iteration_method: Some(m),
            params,
            ..
        } if m == "reduce" || m == "reduceRight" => params.first().cloned(),
        _ => None,
    }
}

/// Whether `node` builds a copy of `name`: `{ ...name }`, `[...name]`,
/// `name.concat(…)`, `Object.assign({}, name, …)`.
fn copy_of(node: Node<'_>, name: &Atom) -> Option<Shape> {
    let is_name = |e: &Expr| matches!(unwrap_expr(e), Expr::Ident(id) if id.sym == *name);
    match node {
        // `{ ...acc, [key]: v }` grows by a key per iteration; with static
        // keys alone (`{ ...snapshot, system: s }`) it keeps its size, and
        // each copy costs the same: linear, not quadratic.
        Node::Object(o) => {
            let copies = o
                .props
                .iter()
                .any(|p| matches!(p, PropOrSpread::Spread(s) if is_name(&s.expr)));
            let grows = o.props.iter().any(|p| match p {
                PropOrSpread::Spread(s) => !is_name(&s.expr),
                PropOrSpread::Prop(p) => matches!(&**p,
                    Prop::KeyValue(KeyValueProp { key: PropName::Computed(_), .. })),
            });
            (copies && grows).then_some(Shape::Object)
        }
        Node::Array(a) => a
            .elems
            .iter()
            .flatten()
            .any(|e| e.spread.is_some() && is_name(&e.expr))
            .then_some(Shape::Array),
        Node::Call(c) => {
            let Callee::Expr(callee) = &c.callee else {
                return None;
            };
            if let Expr::Member(m) = unwrap_expr(callee) {
                if is_name(&m.obj) && matches!(&m.prop, MemberProp::Ident(p) if p.sym == "concat") {
                    return Some(Shape::Array);
                }
            }
            let fresh_target = c.args.first().is_some_and(
                |a| matches!(unwrap_expr(&a.expr), Expr::Object(o) if o.props.is_empty()),
            );
            (callee_is(c, "Object.assign")
                && fresh_target
                && c.args.iter().skip(1).any(|a| is_name(&a.expr)))
            .then_some(Shape::Object)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_util::{assert_fires, assert_silent, lint_with};

    #[test]
    fn fires_on_copies_of_the_accumulator() {
        assert_fires(
            "accumulating-spread",
            r#"const totals = orders.reduce<Record<string, number>>(
  (acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + o.total }),
  {},
);
const ids = rows.reduce((list, r) => [...list, r.id], []);
const flat = groups.reduceRight(function (all, g) { return all.concat(g.items); }, []);
const merged = parts.reduce((acc, p) => Object.assign({}, acc, p), {});
"#,
            &[
                (2, "`{ ...acc, [o.status]: (acc[o.status] ?? 0) + o.total }` copies the whole accumulator"),
                (5, "`[...list, r.id]`"),
                (6, "`all.concat(g.items)`"),
                (7, "`Object.assign({}, acc, p)`"),
            ],
        );
    }

    /// A reduce over a few known elements (a literal, `Object.entries` of
    /// one) copies next to nothing; one over rows of any number does.
    #[test]
    fn reduces_over_a_few_known_elements_are_silent() {
        assert_fires(
            "accumulating-spread",
            r#"export const blobsMap = { blob1: 'slug', blob2: 'url', blob3: 'ua' } as const;
export const byName = Object.entries(blobsMap).reduce((acc, [k, v]) => ({ ...acc, [v]: k }), {});
const ROLES = ['admin', 'editor', 'viewer'];
export const flags = ROLES.filter(Boolean).reduce((acc, r) => ({ ...acc, [r]: false }), {});
export const byId = (rows: Row[]) => rows.reduce((acc, r) => ({ ...acc, [r.id]: r }), {});
"#,
            &[(5, "`{ ...acc, [r.id]: r }` copies the whole accumulator")],
        );
    }

    #[test]
    fn fires_on_copies_assigned_back_in_loops() {
        assert_fires(
            "accumulating-spread",
            r#"export function build(rows: Row[]) {
  let byId: Record<string, Row> = {};
  let list: string[] = [];
  for (const r of rows) {
    byId = { ...byId, [r.id]: r };
    list = [...list, r.id];
  }
  let i = 0;
  while (i < 10) { list = list.concat(String(i++)); }
  rows.forEach((r) => { byId = { ...byId, [r.id]: r }; });
  return { byId, list };
}
const out = xs.reduce((acc, x) => { acc = { ...acc, [x.id]: x }; return acc; }, {});
// Named keys only: the copy keeps its size.
let snapshot = { system: "", tools: [] };
for (const ext of extensions) snapshot = { ...snapshot, system: ext.system };
"#,
            &[
                (5, "`byId = { ...byId, [r.id]: r }` copies all of `byId` on every iteration of the for-of loop"),
                (6, "copies all of `list`"),
                (9, "while loop"),
                (10, "forEach callback"),
                (13, "`{ ...acc, [x.id]: x }` copies the whole accumulator"),
            ],
        );
    }

    #[test]
    fn help_mutates() {
        let found = lint_with(
            "accumulating-spread",
            "test.ts",
            "xs.reduce((acc, x) => ({ ...acc, [x.k]: x }), {});\nxs.reduce((out, x) => [...out, x], []);\n",
        );
        assert!(found[0].help.contains("acc[key] = value; return acc;"));
        assert!(found[1].help.contains("out.push(x); return out;"));
    }

    #[test]
    fn silent_on_linear_patterns() {
        assert_silent(
            "accumulating-spread",
            r#"const total = items.reduce((sum, i) => sum + i.qty * i.unitPrice, 0);
const views = rows.map((o) => ({ ...o, total: format(o.total) }));
const byId = rows.reduce((acc, r) => { acc[r.id] = { ...r }; return acc; }, {});
const withItem = (list: string[], x: string) => [...list, x];
let config = { ...defaults };
config = { ...config, debug: true };
for (const r of rows) {
  const copy = { ...r, seen: true };
  other = { ...base, [r.id]: r };
  list.push(...r.items);
}
const nested = rows.reduce((acc, r) => { r.children.forEach((c) => log({ ...acc })); return acc; }, {});
const objs = rows.reduce((acc, r) => Object.assign(acc, { [r.id]: r }), {});
"#,
        );
    }
}
