//! Architecture invariants, checked as tests so that they stay true:
//! core performs no IO and reads no clock or RNG; every source file says why it exists; no test
//! is ignored.

#![cfg(test)]

use std::fs;
use std::path::{Path, PathBuf};

use crate::root;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target"
            || name == "node_modules"
            || name == "dist"
            || name.to_string_lossy().starts_with('.')
        {
            continue;
        }
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with("//"))
}

/// The source with the contents of string and char literals blanked (line breaks kept), so that
/// code core *writes* for others (the exported scripts) is not read as code core *runs*.
fn without_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        // Raw strings: r"…", r#"…"#, br#"…"#.
        if c == 'r' && (i == 0 || !chars[i - 1].is_alphanumeric() || chars[i - 1] == 'b') {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == '#' {
                j += 1;
            }
            if j < chars.len() && chars[j] == '"' {
                let hashes = j - i - 1;
                out.extend(&chars[i..=j]);
                i = j + 1;
                while i < chars.len() {
                    if chars[i] == '"'
                        && chars[i + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&h| h == '#')
                            .count()
                            == hashes
                    {
                        break;
                    }
                    out.push(blank(chars[i]));
                    i += 1;
                }
                continue;
            }
        }
        if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    out.push(' ');
                    i += 1;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
            if i < chars.len() {
                out.push('"');
                i += 1;
            }
            continue;
        }
        // Char literals ('x', '\n', '"'); a lifetime ('a) has no closing quote two chars on.
        if c == '\'' {
            let end = if chars.get(i + 1) == Some(&'\\') {
                chars[i + 2..]
                    .iter()
                    .position(|&q| q == '\'')
                    .map(|p| i + 2 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            if let Some(end) = end {
                out.push_str("' '");
                i = end + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[test]
fn literals_are_blanked_but_code_is_kept() {
    let src = "let a = std::env::var(\"X\");\nlet s = \"std::env\";\nlet r = r#\"std::fs \"x\"\"#; let c = '\"'; fn f<'a>() {}\n";
    let out = without_literals(src);
    assert!(out.contains("let a = std::env::var("));
    assert_eq!(out.matches("std::env").count(), 1, "{out}");
    assert!(!out.contains("std::fs"), "{out}");
    assert!(out.contains("fn f<'a>() {}"), "{out}");
    assert_eq!(out.lines().count(), src.lines().count());
}

#[test]
fn core_depends_on_no_io_crate() {
    let manifest = fs::read_to_string(root().join("core/Cargo.toml")).unwrap();
    for io_crate in [
        "tokio", "axum", "hyper", "reqwest", "leptos", "gloo-net", "web-sys", "mio", "rustls",
    ] {
        assert!(
            !manifest
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{io_crate} "))
                    || l.trim_start().starts_with(&format!("{io_crate}."))
                    || l.trim_start().starts_with(&format!("{io_crate}="))),
            "core/Cargo.toml depends on {io_crate}: core must stay no-IO"
        );
    }
}

/// The packages `entra-core` depends on, transitively, from Cargo.lock (what `cargo tree -p
/// entra-core` prints, without running cargo).
fn core_dependency_closure() -> Vec<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let mut deps: std::collections::HashMap<String, Vec<String>> = Default::default();
    for block in lock.split("[[package]]").skip(1) {
        let mut name = String::new();
        let mut list = Vec::new();
        let mut in_deps = false;
        for line in block.lines() {
            let line = line.trim();
            if let Some(n) = line.strip_prefix("name = ") {
                name = n.trim_matches('"').to_owned();
            } else if line.starts_with("dependencies = [") {
                in_deps = true;
            } else if in_deps && line.starts_with(']') {
                in_deps = false;
            } else if in_deps {
                let dep = line.trim_matches(|c| c == '"' || c == ',');
                list.push(dep.split(' ').next().unwrap_or(dep).to_owned());
            }
        }
        deps.entry(name).or_default().extend(list);
    }
    let mut seen = vec!["entra-core".to_owned()];
    let mut i = 0;
    while i < seen.len() {
        for d in deps.get(&seen[i]).cloned().unwrap_or_default() {
            if !seen.contains(&d) {
                seen.push(d);
            }
        }
        i += 1;
    }
    seen
}

#[test]
fn core_pulls_in_no_io_crate_even_transitively() {
    let closure = core_dependency_closure();
    assert!(
        closure.contains(&"serde".to_owned()),
        "the lock file was read"
    );
    for io_crate in [
        "tokio", "axum", "hyper", "reqwest", "leptos", "gloo-net", "web-sys", "mio", "rustls",
        "socket2", "tower",
    ] {
        assert!(
            !closure.iter().any(|c| c == io_crate),
            "entra-core pulls in {io_crate} through its dependencies: core must stay no-IO"
        );
    }
}

#[test]
fn the_server_builds_no_protocol_body_itself() {
    // mock-entra is the engine's IO shell: every answer's body comes from core. Its source may
    // not assemble JSON bodies or error envelopes of its own.
    let forbidden = [
        "json!(",
        "\"error_description\"",
        "\"error\":",
        "GraphError",
        "ArmError",
        "StorageError",
        "ImdsError",
        "AppServiceError",
        "EntraError",
        // As methods: `into_body()` (an HTTP client's response body) is not a render.
        ".to_body(",
        ".to_xml(",
    ];
    for file in rust_files(&root().join("mock-entra/src")) {
        // The CLI's own files (instance.json, `env` output) are not protocol answers.
        if file.ends_with("main.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code_lines(code) {
            for f in forbidden {
                assert!(
                    !line.contains(f),
                    "{} builds a protocol answer ({f}): the engine in core renders every body",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn core_reads_no_clock_rng_file_or_socket() {
    let forbidden = [
        "SystemTime::now",
        "Instant::now",
        "thread_rng",
        "OsRng",
        "getrandom::",
        // jsonwebtoken's signers draw blinding randomness from `thread_rng`: core verifies with
        // jsonwebtoken but signs with its own deterministic `RsaSigner` (ARCHITECTURE.md).
        "jsonwebtoken::encode",
        "crypto::sign",
        "signer_factory",
        "std::fs",
        "std::net",
        "std::thread",
        "std::env",
        "std::process",
    ];
    for file in rust_files(&root().join("core/src")) {
        let text = without_literals(&fs::read_to_string(&file).unwrap());
        for line in code_lines(&text) {
            for f in forbidden {
                assert!(
                    !line.contains(f),
                    "{} uses {f}: pass time, randomness and data in as values",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn every_source_file_starts_by_saying_why_it_exists() {
    let silent: Vec<String> = rust_files(&root())
        .into_iter()
        .filter(|file| {
            !fs::read_to_string(file)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        silent.is_empty(),
        "files without a //! module comment:\n{}",
        silent.join("\n")
    );
}

#[test]
fn no_test_is_ignored_or_expected_to_panic() {
    let markers = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    for file in rust_files(&root()) {
        let text = fs::read_to_string(&file).unwrap();
        for m in markers {
            assert!(
                !text.contains(m),
                "{} contains {m}]: a test must run and assert behaviour",
                file.display()
            );
        }
    }
}

/// The core modules each file refers to through `crate::` paths (test code excluded: files named
/// `tests.rs` and everything after a file's first `#[cfg(test)]`).
fn core_module_dependencies()
-> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = root().join("core/src");
    let mut deps: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for file in rust_files(&src) {
        let rel = file.strip_prefix(&src).unwrap();
        if file
            .file_name()
            .is_some_and(|n| n == "tests.rs" || n == "lib.rs")
        {
            continue;
        }
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        let text = fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let entry = deps.entry(module.clone()).or_default();
        for line in code_lines(code) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    entry.insert(name);
                }
            }
        }
    }
    deps
}

#[test]
fn core_modules_form_no_dependency_circle() {
    let deps = core_module_dependencies();
    // Depth-first search for a back edge; the path names the circle.
    fn visit(
        m: &str,
        deps: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = path.iter().position(|p| p == m) {
            panic!(
                "core modules depend on each other in a circle: {} -> {m}",
                path[at..].join(" -> ")
            );
        }
        path.push(m.to_owned());
        for d in deps.get(m).into_iter().flatten() {
            visit(d, deps, path, done);
        }
        path.pop();
        done.insert(m.to_owned());
    }
    assert!(deps.contains_key("graph") && deps.contains_key("directory"));
    let mut done = std::collections::BTreeSet::new();
    for m in deps.keys() {
        visit(m, &deps, &mut Vec::new(), &mut done);
    }
}
