//! The metafile's import graph (as esbuild resolved it) and `why`: the
//! import chains from the entry to a package or file.

use std::collections::VecDeque;

use super::Metafile;
use crate::knowledge::packages::{self, Origin};
use crate::model::collections::HashMap;

/// The metafile's import graph.
pub struct Graph<'m> {
    pub nodes: Vec<&'m str>,
    /// (target, specifier as written) per node.
    pub edges: Vec<Vec<(usize, &'m str)>>,
    pub entries: Vec<usize>,
}

impl<'m> Graph<'m> {
    pub fn new(metafile: &'m Metafile) -> Graph<'m> {
        let nodes: Vec<&str> = metafile.inputs.keys().map(String::as_str).collect();
        let index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let edges: Vec<Vec<(usize, &str)>> = metafile
            .inputs
            .values()
            .map(|input| {
                input
                    .imports
                    .iter()
                    .filter(|i| !i.external)
                    .filter_map(|i| {
                        let to = *index.get(i.path.as_str())?;
                        Some((to, i.original.as_deref().unwrap_or(&i.path)))
                    })
                    .collect()
            })
            .collect();
        let mut entries: Vec<usize> = metafile
            .code_outputs()
            .filter_map(|(_, o)| o.entry_point.as_deref())
            .filter_map(|e| index.get(e).copied())
            .collect();
        if entries.is_empty() {
            // No entryPoint recorded: every input nothing imports.
            let mut imported = vec![false; nodes.len()];
            for targets in &edges {
                for (to, _) in targets {
                    imported[*to] = true;
                }
            }
            entries = (0..nodes.len()).filter(|i| !imported[*i]).collect();
        }
        crate::model::collections::sort_by(&mut entries, |a, b| a.cmp(b));
        entries.dedup();
        Graph {
            nodes,
            edges,
            entries,
        }
    }

    /// Breadth-first from the entries; nodes where `stop` holds are reached
    /// but not expanded. Returns each node's parent (entries: themselves).
    pub fn bfs(&self, stop: impl Fn(usize) -> bool) -> Vec<Option<usize>> {
        let mut parent = vec![None; self.nodes.len()];
        let mut queue = VecDeque::new();
        for &e in &self.entries {
            parent[e] = Some(e);
            queue.push_back(e);
        }
        while let Some(n) = queue.pop_front() {
            if stop(n) {
                continue;
            }
            for &(to, _) in &self.edges[n] {
                if parent[to].is_none() {
                    parent[to] = Some(n);
                    queue.push_back(to);
                }
            }
        }
        parent
    }

    pub fn path_to(&self, parent: &[Option<usize>], node: usize) -> Option<Vec<usize>> {
        let mut path = vec![node];
        let mut n = node;
        loop {
            let p = parent[n]?;
            if p == n {
                break;
            }
            path.push(p);
            n = p;
        }
        path.reverse();
        Some(path)
    }

    pub fn specifier(&self, from: usize, to: usize) -> &'m str {
        self.edges[from]
            .iter()
            .find(|(t, _)| *t == to)
            .map_or(self.nodes[to], |(_, s)| s)
    }
}

/// The import chains from the entry to `target` (a package name or an input
/// path, or its tail), shortest first, as lists of metafile input paths.
/// One chain per distinct importer of the target; at most 20.
pub fn why(metafile: &Metafile, target: &str) -> Vec<Vec<String>> {
    let graph = Graph::new(metafile);
    let target = target.trim_start_matches("./");
    let is_target: Vec<bool> = graph
        .nodes
        .iter()
        .map(|path| {
            *path == target
                || path.ends_with(&format!("/{target}"))
                || matches!(packages::origin(path), Origin::Package { name, .. } if name == target)
        })
        .collect();
    let parent = graph.bfs(|n| is_target[n]);
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for &e in &graph.entries {
        if is_target[e] {
            chains.push(vec![e]);
        }
    }
    for (from, targets) in graph.edges.iter().enumerate() {
        if is_target[from] || parent[from].is_none() {
            continue;
        }
        for &(to, _) in targets {
            if is_target[to] {
                if let Some(mut path) = graph.path_to(&parent, from) {
                    path.push(to);
                    chains.push(path);
                }
            }
        }
    }
    crate::model::collections::sort_by(&mut chains, |a, b| {
        a.len().cmp(&b.len()).then_with(|| {
            a.iter()
                .map(|n| graph.nodes[*n])
                .cmp(b.iter().map(|n| graph.nodes[*n]))
        })
    });
    chains.dedup();
    chains.truncate(20);
    chains
        .into_iter()
        .map(|c| c.into_iter().map(|n| graph.nodes[n].to_string()).collect())
        .collect()
}
