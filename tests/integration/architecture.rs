//! The shape of `src/`: layers, and no cycles between modules (issue 14).
//!
//! `src/` is grouped in layers, bottom to top `domain < config < io < app <
//! service < cli`. A module may use its own layer or a lower one, never a
//! higher one, and no two modules (files) may need each other, directly or
//! round a loop, siblings of one folder included. The compiler checks
//! neither, so this test does, on the source text alone (std only, fast).
//!
//! Which edges count. Every `src/**/*.rs` but `src/main.rs` (a crate of its
//! own) is a module: `src/io/ledger/mod.rs` is `io::ledger`,
//! `src/io/ledger/jobs.rs` is `io::ledger::jobs`, `src/lib.rs` is `crate`.
//! Outside comments and string and char literals, each `crate::…`,
//! `super::…` or `self::…` path, in `use` lines and expressions alike, gives
//! one edge per leaf (`use crate::{a, b::{c, d}}` gives three) to the longest
//! existing module it starts with (`crate::io::ledger::Ledger` is
//! `io::ledger`; one naming no module is `crate`). `super` and `self` count
//! from the file's module, or from the inline `mod x { … }` they sit in.
//! `#[cfg(test)]` code counts too: tests obey the layers. Other paths (extern
//! crates, a child named bare as `rows::check`) and a module naming itself
//! give no edge.
//! - Layer rule: every edge. A module's layer is its first segment if that is
//!   one of the six; an edge with an end outside them is not checked.
//! - Cycles: each edge is lifted to the two sibling modules just under the
//!   deepest folder its ends share (`io::workbook::form -> domain::validate`
//!   counts as `io -> domain`; `io::pdf::layout -> io::pdf::sheet` stays as
//!   it is), and an edge between a module and anything in its own folder's
//!   subtree lifts to nothing: a folder is one module with its parts. So two
//!   folders that need each other are a cycle even when no two of their
//!   files are (`a::form -> b -> a::mod` is one). The cycles are the
//!   strongly connected components (Tarjan) of the lifted edges.
//!
//! Reading a failure: each edge is `from -> to (file:line)`, the line being
//! the first place `file` names `to`. Under "imports from a higher layer",
//! each edge must go (move the item down, or pass it in from above). Under
//! "cycle between {…}" come all the edges among those modules; one of them
//! has to go, usually by moving what they share into a lower module. There
//! is no allow-list: change the code, not this test.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::Path;

/// The layers, bottom to top.
const LAYERS: [&str; 6] = ["domain", "config", "io", "app", "service", "cli"];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    at: String,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {} ({})", self.from, self.to, self.at)
    }
}

struct Findings {
    back_edges: Vec<Edge>,
    /// Each cycle's members, and the edges among them.
    cycles: Vec<(Vec<String>, Vec<Edge>)>,
}

impl fmt::Display for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layers = format!("imports from a higher layer ({}):", LAYERS.join(" < "));
        let cycles = self
            .cycles
            .iter()
            .map(|(members, edges)| (format!("cycle between {{{}}}:", members.join(", ")), edges));
        for (title, edges) in std::iter::once((layers, &self.back_edges)).chain(cycles) {
            if !edges.is_empty() {
                writeln!(f, "{title}")?;
            }
            for edge in edges {
                writeln!(f, "  {edge}")?;
            }
        }
        Ok(())
    }
}

/// The index of the first `ch` in `c` at or after `i`, or the end.
fn find(c: &[char], i: usize, ch: char) -> usize {
    c.iter()
        .skip(i)
        .position(|&x| x == ch)
        .map_or(c.len(), |n| i + n)
}

/// Where the string literal whose body starts at `i` ends; `raw` is the
/// number of `#` of a raw string.
fn string_end(c: &[char], mut i: usize, raw: Option<usize>) -> usize {
    while i < c.len() {
        match (c[i], raw) {
            ('\\', None) => i += 1,
            ('"', None) => return i + 1,
            ('"', Some(n)) if c[i + 1..].iter().take_while(|&&h| h == '#').count() >= n => {
                return i + 1 + n;
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// `text` as tokens (words, `::`, single marks) with their line, comments
/// and literals left out.
fn tokens(text: &str) -> Vec<(String, usize)> {
    let c: Vec<char> = text.chars().collect();
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let word = |k: usize| at(k).is_alphanumeric() || at(k) == '_';
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    while i < c.len() {
        let start = i;
        match (c[i], at(i + 1)) {
            ('/', '/') => i = find(&c, i, '\n'),
            ('/', '*') => {
                let mut depth = 0;
                while i < c.len() {
                    match (c[i], at(i + 1)) {
                        ('/', '*') => (depth, i) = (depth + 1, i + 1),
                        ('*', '/') => (depth, i) = (depth - 1, i + 1),
                        _ => {}
                    }
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            ('"', _) => i = string_end(&c, i + 1, None),
            ('\'', '\\') => i = find(&c, i + 3, '\'') + 1,
            ('\'', _) if at(i + 2) == '\'' => i += 3,
            _ if word(i) => {
                while word(i) {
                    i += 1;
                }
                let w: String = c[start..i].iter().collect();
                let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
                if matches!(&*w, "r" | "br" | "cr") && at(i + hashes) == '"' {
                    i = string_end(&c, i + hashes + 1, Some(hashes));
                } else if matches!(&*w, "b" | "c") && at(i) == '"' {
                    i = string_end(&c, i + 1, None);
                } else {
                    out.push((w, line));
                }
            }
            (ch, next) => {
                let sep = ch == ':' && next == ':';
                if !ch.is_whitespace() {
                    out.push((if sep { "::".into() } else { ch.to_string() }, line));
                }
                i += 1 + usize::from(sep);
            }
        }
        i = i.min(c.len());
        line += c[start..i].iter().filter(|&&ch| ch == '\n').count();
    }
    out
}

type Leaf = (Vec<String>, usize);

fn is(toks: &[(String, usize)], i: usize, tok: &str) -> bool {
    toks.get(i).is_some_and(|(t, _)| t == tok)
}

/// Reads one path or use-tree from `toks[i]` on, below `path`, into `out`;
/// returns where it ends.
fn tree(
    toks: &[(String, usize)],
    mut i: usize,
    mut path: Vec<String>,
    out: &mut Vec<Leaf>,
) -> usize {
    while let Some((tok, line)) = toks.get(i) {
        match tok.as_str() {
            "{" => {
                i += 1;
                while let Some((tok, _)) = toks.get(i) {
                    match tok.as_str() {
                        "}" => return i + 1,
                        "," => i += 1,
                        "as" => i += 2,
                        _ => i = tree(toks, i, path.clone(), out).max(i + 1),
                    }
                }
                return i;
            }
            "super" => drop(path.pop()),
            "self" => {}
            w if w.starts_with(|ch: char| ch.is_alphanumeric() || ch == '_') => path.push(w.into()),
            _ => {
                out.push((path, *line));
                return i + usize::from(tok == "*");
            }
        }
        i += 1;
        if !is(toks, i, "::") {
            out.push((path, *line));
            return i;
        }
        i += 1;
    }
    i
}

/// Every `crate::`, `super::`, `self::` path in the file of `module`, as
/// segments below the root, with its line.
fn paths(toks: &[(String, usize)], module: &str) -> Vec<Leaf> {
    let mut scope: Vec<String> = module
        .split("::")
        .filter(|s| *s != "crate")
        .map(String::from)
        .collect();
    let (mut out, mut opened, mut depth, mut i) = (Vec::new(), Vec::new(), 0, 0);
    while let Some((tok, _)) = toks.get(i) {
        match tok.as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if opened.last() == Some(&depth) {
                    opened.pop();
                    scope.pop();
                }
            }
            "mod" if is(toks, i + 2, "{") => {
                scope.push(toks[i + 1].0.clone());
                opened.push(depth);
            }
            head @ ("crate" | "super" | "self") if is(toks, i + 1, "::") => {
                let start = match head {
                    "crate" => Vec::new(),
                    "super" => scope[..scope.len().saturating_sub(1)].to_vec(),
                    _ => scope.clone(),
                };
                i = tree(toks, i + 2, start, &mut out);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `src/io/ledger/mod.rs` -> `io::ledger`, `src/lib.rs` -> `crate`.
fn module_of(file: &str) -> Option<String> {
    match file.strip_prefix("src/")?.strip_suffix(".rs")? {
        "main" => None,
        "lib" => Some("crate".into()),
        rel => Some(rel.strip_suffix("/mod").unwrap_or(rel).replace('/', "::")),
    }
}

/// Tarjan's strongly connected components of the graph `next`.
struct Tarjan<'a> {
    next: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    stack: Vec<usize>,
    components: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn visit(&mut self, v: usize) {
        let count = self.index.iter().flatten().count();
        (self.index[v], self.low[v]) = (Some(count), count);
        self.stack.push(v);
        for &w in &self.next[v] {
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(iw) if self.stack.contains(&w) => self.low[v] = self.low[v].min(iw),
                Some(_) => {}
            }
        }
        if self.index[v] == Some(self.low[v]) {
            let at = self
                .stack
                .iter()
                .position(|&w| w == v)
                .expect("on the stack");
            let component = self.stack.split_off(at);
            self.components.push(component);
        }
    }
}

/// Checks a source tree given as (path from the repo root, text) pairs.
fn check(files: &[(String, String)]) -> Findings {
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|(file, _)| module_of(file))
        .collect();
    let mut edges = BTreeMap::new();
    for (file, text) in files {
        let Some(from) = module_of(file) else {
            continue;
        };
        for (path, line) in paths(&tokens(text), &from) {
            let mut to = (1..=path.len()).rev().map(|n| path[..n].join("::"));
            let to = to
                .find(|m| modules.contains(m))
                .unwrap_or_else(|| "crate".into());
            if to != from {
                edges
                    .entry((from.clone(), to))
                    .or_insert_with(|| format!("{file}:{line}"));
            }
        }
    }
    let edges: Vec<Edge> = edges
        .into_iter()
        .map(|((from, to), at)| Edge { from, to, at })
        .collect();
    let layer = |m: &str| LAYERS.iter().position(|l| m.split("::").next() == Some(l));
    let back_edges = edges
        .iter()
        .filter(|e| matches!((layer(&e.from), layer(&e.to)), (Some(a), Some(b)) if b > a))
        .cloned()
        .collect();

    // Each edge lifted to the two sibling modules under the ends' deepest
    // common folder: `io::workbook::form -> domain::validate` is also
    // `io -> domain`, so folders that need each other form a cycle even when
    // no two of their files do. An edge into one's own folder lifts to
    // nothing (a folder is one module with its parts).
    // One witness per lifted pair: the first edge that gives it.
    let mut lifted: Vec<Edge> = edges
        .iter()
        .filter_map(|e| {
            let (f, t): (Vec<&str>, Vec<&str>) =
                (e.from.split("::").collect(), e.to.split("::").collect());
            let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
            // The crate root is every module's folder.
            if common == f.len() || common == t.len() || e.from == "crate" || e.to == "crate" {
                return None;
            }
            let (from, to) = (f[..=common].join("::"), t[..=common].join("::"));
            let at = if (&from, &to) == (&e.from, &e.to) {
                e.at.clone()
            } else {
                format!("through {} -> {}, {}", e.from, e.to, e.at)
            };
            Some(Edge { from, to, at })
        })
        .collect();
    lifted.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    lifted.dedup_by(|b, a| (&a.from, &a.to) == (&b.from, &b.to));
    let counted: Vec<&Edge> = lifted.iter().collect();
    let nodes: BTreeSet<&str> = counted.iter().flat_map(|e| [&*e.from, &*e.to]).collect();
    let nodes: Vec<&str> = nodes.into_iter().collect();
    let id = |m: &str| nodes.binary_search(&m).expect("a node");
    let mut next = vec![Vec::new(); nodes.len()];
    for e in &counted {
        next[id(&e.from)].push(id(&e.to));
    }
    let (index, low, stack) = (vec![None; nodes.len()], vec![0; nodes.len()], Vec::new());
    let mut tarjan = Tarjan {
        next: &next,
        index,
        low,
        stack,
        components: Vec::new(),
    };
    for v in 0..nodes.len() {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    let mut cycles = Vec::new();
    for component in tarjan.components.into_iter().filter(|c| c.len() > 1) {
        let mut members: Vec<String> = component.iter().map(|&v| nodes[v].into()).collect();
        members.sort();
        let inside = |e: &&&Edge| members.contains(&e.from) && members.contains(&e.to);
        let among = counted.iter().filter(inside).map(|&e| e.clone()).collect();
        cycles.push((members, among));
    }
    cycles.sort();
    Findings { back_edges, cycles }
}

fn read_tree(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_tree(root, &path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let rel = path.strip_prefix(root).expect("under the repo");
            let text = fs::read_to_string(&path).expect("a source file is UTF-8");
            files.push((rel.to_string_lossy().replace('\\', "/"), text));
        }
    }
}

#[test]
fn layers_and_no_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    read_tree(root, &root.join("src"), &mut files);
    files.sort();
    assert!(
        files.iter().any(|(p, _)| p == "src/lib.rs") && files.len() > 20,
        "{} files read under src/",
        files.len()
    );
    let findings = check(&files);
    assert!(
        findings.back_edges.is_empty() && findings.cycles.is_empty(),
        "src/ breaks its layering (read the top of tests/integration/architecture.rs):\n{findings}"
    );
}

/// A planted tree, each file after its `== path` line: a back edge from
/// `domain::vn` to `app::x` among look-alikes in comments and literals, a
/// cycle `io::a -> io::b -> io::a`, parent/child edges that are none, and
/// two folders that need each other through different files
/// (`app::p::form -> app::q -> app::p`), which no two files do.
const PLANTED: &str = r#"
== src/lib.rs
pub mod app;
pub mod domain;
pub mod io;
== src/main.rs
use crate::cli::run;
== src/app/mod.rs
pub mod p;
pub mod q;
pub mod x;
== src/app/p/mod.rs
pub mod form;
pub struct Cell;
== src/app/p/form.rs
use crate::app::q::Check;
== src/app/q.rs
pub struct Check(crate::app::p::Cell);
== src/app/x.rs
pub fn g() -> char { '"' }
== src/domain/mod.rs
pub mod vn; /* crate::io::a /* nested */ crate::io::b */
== src/domain/vn.rs
//! crate::io::a
const S: &str = r"crate::io::b"; // "
pub fn f<'a>(_: &'a str) -> char { crate::app::x::g() }
== src/io/mod.rs
mod a;
mod b;
pub use self::{a::A, b::B};
pub struct Error;
== src/io/a.rs
use super::{Error, b::B as Bee};
pub struct A;
== src/io/b.rs
use crate::{domain::vn::{self}, io::a::{self as _}};
pub struct B(char);
#[cfg(test)]
mod tests {
    use super::super::a::A;
}
fn h() { crate::domain::vn::f("crate::app::x"); B('\''); }
"#;

#[test]
fn the_check_finds_a_planted_back_edge_and_cycle() {
    let files: Vec<(String, String)> = PLANTED
        .split("\n== ")
        .skip(1)
        .map(|part| part.split_once('\n').expect("a path line"))
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    let findings = check(&files);
    let shown = |edges: &[Edge]| edges.iter().map(ToString::to_string).collect::<Vec<_>>();
    let back = ["domain::vn -> app::x (src/domain/vn.rs:3)"];
    assert_eq!(shown(&findings.back_edges), back, "{findings}");
    assert_eq!(findings.cycles.len(), 2, "{findings}");
    let (members, edges) = &findings.cycles[0];
    assert_eq!(members, &["app::p", "app::q"]);
    let folders = [
        "app::p -> app::q (through app::p::form -> app::q, src/app/p/form.rs:1)",
        "app::q -> app::p (src/app/q.rs:1)",
    ];
    assert_eq!(shown(edges), folders);
    let (members, edges) = &findings.cycles[1];
    assert_eq!(members, &["io::a", "io::b"]);
    let cycle = [
        "io::a -> io::b (src/io/a.rs:1)",
        "io::b -> io::a (src/io/b.rs:1)",
    ];
    assert_eq!(shown(edges), cycle);
    let text = findings.to_string();
    assert!(
        text.contains("cycle between {io::a, io::b}:\n  io::a -> io::b"),
        "{text}"
    );
}
