//! Writes every guided scenario's whole-scenario scripts, and those of lab runs, for one scenario
//! document, so that `cargo xtask sdk export` can run the very files the playground offers:
//! `cargo run -p entra-core --example export_scripts -- SCENARIO.json OUT_DIR`.
//! Each scenario gets a directory with one file per language and `expect.json` (each step's id,
//! its request name in the `.http` file and the AADSTS codes it deliberately provokes). The lab
//! runs are `lab-none` (no mistake), `lab-{mistake}` for every mistake a script can reproduce
//! alone, and `lab-combined` (two mistakes at once: either code).

use std::error::Error;
use std::path::Path;

use entra_core::directory::Directory;
use entra_core::export::lab_plan;
use entra_core::export::script::{Outcome, Plan, ScriptLang, rest_request_names, script};
use entra_core::lab::{MISTAKES, Mistake};
use entra_core::scenario::{SCENARIOS, World};
use serde_json::{Value, json};

fn write(out: &Path, name: &str, plan: &Plan) -> Result<(), Box<dyn Error>> {
    let d = out.join(name);
    std::fs::create_dir_all(&d)?;
    for lang in ScriptLang::ALL {
        std::fs::write(d.join(lang.file_name()), script(plan, lang))?;
    }
    let expect: Vec<Value> = plan
        .steps
        .iter()
        .zip(rest_request_names(plan))
        .map(|(s, request)| {
            let aadsts = match &s.expect {
                Outcome::Success => Value::Null,
                Outcome::Aadsts(codes) => json!(codes),
            };
            json!({ "id": s.id, "request": request, "aadsts": aadsts })
        })
        .collect();
    std::fs::write(d.join("expect.json"), serde_json::to_vec_pretty(&expect)?)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [scenario, out] = &args[..] else {
        return Err("usage: export_scripts SCENARIO.json OUT_DIR".into());
    };
    let out = Path::new(out);
    let dir: Directory = serde_json::from_slice(&std::fs::read(scenario)?)?;
    let world = World::from_directory(&dir);
    for sc in SCENARIOS {
        write(out, sc.id, &sc.plan(&world))?;
    }
    write(out, "lab-none", &lab_plan(&dir, &[]).plan)?;
    let mut alone: Vec<&'static Mistake> = vec![];
    for m in MISTAKES {
        let run = lab_plan(&dir, &[m]);
        if run.left_out.is_empty() {
            write(out, &format!("lab-{}", m.id), &run.plan)?;
            alone.push(m);
        }
    }
    // A FIC mistake and a request mistake at once: the script accepts either code.
    let fic = alone.iter().find(|m| m.edit_directory.is_some());
    let flow = alone.iter().find(|m| m.edit_flow.is_some());
    if let (Some(a), Some(b)) = (fic, flow) {
        write(out, "lab-combined", &lab_plan(&dir, &[*a, *b]).plan)?;
    }
    Ok(())
}
