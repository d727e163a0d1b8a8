//! The layers of `src/` hold (ARCHITECTURE.md): the pure core (`domain`, with the records and the policy model)
//! imports nothing that reads files and touches no file system, clock or randomness, and no top-level module
//! imports another that imports it back, directly or around a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of `src/` and the top-level modules its non-test code names as `crate::X`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .replace(".rs", "");
            if top == "main" || top == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            let refs = out.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (i, _) in line.match_indices("crate::") {
                    let name: String = line[i + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    // Items of the crate root (macros, `Outcome`, `hash`) belong to no layer.
                    let is_module = src.join(format!("{name}.rs")).exists() || src.join(&name).is_dir();
                    if is_module && name != top {
                        refs.insert(name);
                    }
                }
            }
        }
    }
    out
}

/// `policy` is a re-export of `domain::policy` at the crate root.
fn layer(module: &str) -> &str {
    if module == "policy" {
        "domain"
    } else {
        module
    }
}

#[test]
fn the_pure_core_imports_only_itself_and_touches_no_file() {
    let all = imports();
    let core: BTreeSet<&str> = all["domain"]
        .iter()
        .map(|m| layer(m))
        .filter(|m| *m != "domain")
        .collect();
    let allowed: BTreeSet<&str> = ["i18n"].into();
    assert!(
        core.is_subset(&allowed),
        "domain imports {core:?}; only {allowed:?} may be"
    );
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for banned in [
                "std::fs",
                "File::open",
                "SystemTime",
                "Local::now",
                "Utc::now",
                "rand::",
                "std::process",
            ] {
                assert!(!code.contains(banned), "{} uses {banned}", path.display());
            }
        }
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let all = imports();
    let graph: BTreeMap<&str, BTreeSet<&str>> = all
        .iter()
        .map(|(m, refs)| {
            (
                layer(m),
                refs.iter().map(|r| layer(r)).filter(|r| *r != layer(m)).collect(),
            )
        })
        .fold(BTreeMap::new(), |mut g, (m, refs): (&str, BTreeSet<&str>)| {
            g.entry(m).or_insert_with(BTreeSet::new).extend(refs);
            g
        });
    // Depth-first search for a cycle, naming it.
    fn visit<'a>(
        m: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(i) = path.iter().position(|p| *p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m);
            return Some(cycle);
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for r in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(r, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(cycle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("an import cycle: {}\nall imports: {graph:#?}", cycle.join(" → "));
        }
    }
}
