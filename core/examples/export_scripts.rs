//! Writes every guided scenario's whole-scenario scripts for one scenario document, so that
//! `cargo xtask sdk export` can run the very files the playground offers:
//! `cargo run -p entra-core --example export_scripts -- SCENARIO.json OUT_DIR`.
//! Each scenario gets a directory with one file per language and `expect.json` (each step's id,
//! its request name in the `.http` file and the AADSTS code it deliberately provokes).

use std::error::Error;
use std::path::Path;

use entra_core::directory::Directory;
use entra_core::export::script::{ScriptLang, rest_request_names, script};
use entra_core::scenario::{Expect, SCENARIOS, World};
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [scenario, out] = &args[..] else {
        return Err("usage: export_scripts SCENARIO.json OUT_DIR".into());
    };
    let dir: Directory = serde_json::from_slice(&std::fs::read(scenario)?)?;
    let world = World::from_directory(&dir);
    for sc in SCENARIOS {
        let plan = sc.plan(&world);
        let d = Path::new(out).join(sc.id);
        std::fs::create_dir_all(&d)?;
        for lang in ScriptLang::ALL {
            std::fs::write(d.join(lang.file_name()), script(&plan, lang))?;
        }
        let expect: Vec<Value> = plan
            .steps
            .iter()
            .zip(rest_request_names(&plan))
            .map(|(s, request)| {
                let aadsts = match s.expect {
                    Expect::Success => Value::Null,
                    Expect::Aadsts(c) => json!(c),
                };
                json!({ "id": s.id, "request": request, "aadsts": aadsts })
            })
            .collect();
        std::fs::write(d.join("expect.json"), serde_json::to_vec_pretty(&expect)?)?;
    }
    Ok(())
}
