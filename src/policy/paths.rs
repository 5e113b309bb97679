//! Dependency paths: the shortest chain of edges from a direct dependency to a component.

use std::collections::{HashMap, VecDeque};

use super::eval::Finding;
use crate::model::{ComponentKind, Inventory};

/// Fills each component finding's path: the shortest chain of dependency edges from a direct dependency
/// (or, when none leads there, from a root of the graph) to the component. One breadth-first search over
/// the whole graph, only when there is a finding to place.
pub(super) fn add_paths(inv: &Inventory, findings: &mut [Finding]) {
    if !findings.iter().any(|f| f.component.is_some()) {
        return;
    }
    let index: HashMap<&str, usize> =
        inv.components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let n = inv.components.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut has_parent = vec![false; n];
    for e in &inv.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            out[a].push(b);
            has_parent[b] = true;
        }
    }
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut queue = VecDeque::new();
    let starts_direct: Vec<usize> = (0..n)
        .filter(|&i| inv.components[i].direct && inv.components[i].kind != ComponentKind::Application)
        .collect();
    for &i in &starts_direct {
        seen[i] = true;
        queue.push_back(i);
    }
    let bfs = |queue: &mut VecDeque<usize>, seen: &mut Vec<bool>, parent: &mut Vec<Option<usize>>| {
        while let Some(i) = queue.pop_front() {
            for &j in &out[i] {
                if !seen[j] {
                    seen[j] = true;
                    parent[j] = Some(i);
                    queue.push_back(j);
                }
            }
        }
    };
    bfs(&mut queue, &mut seen, &mut parent);
    // Components no direct dependency leads to: from the graph's roots.
    for i in 0..n {
        if !seen[i] && !has_parent[i] && inv.components[i].kind != ComponentKind::Application {
            seen[i] = true;
            queue.push_back(i);
        }
    }
    bfs(&mut queue, &mut seen, &mut parent);
    for f in findings.iter_mut() {
        let Some(&target) = f.component.as_deref().and_then(|id| index.get(id)) else { continue };
        let mut chain = vec![target];
        let mut cur = target;
        while let Some(p) = parent[cur] {
            if chain.len() > n {
                break;
            }
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        f.path = chain.into_iter().map(|i| inv.components[i].id.clone()).collect();
    }
}
