//! The misconfiguration lab: toggle mistakes, run the flow (the cross-tenant managed identity, or
//! the GitHub workflow or AKS pod a mistake is about) against a directory that contains them,
//! read Entra's exact error, its explanation and the fix. The live scenario is saved first and
//! put back afterwards.
use entra_core::export::lab_plan;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::inspector::{ExchangeView, ScenarioExport};
use crate::components::token_view::FicCompare;
use crate::core_bridge::aadsts_template;
use crate::lab::{LabFlow, MISTAKES, by_id};
use crate::state::{AppState, StepResult};
use crate::world::{find_fic, parse_directory};

/// What one lab run produced.
#[derive(Debug, Clone, PartialEq)]
struct LabOutcome {
    mistakes: Vec<String>,
    /// The FIC (application, FIC name) the run's assertion met.
    fic: (&'static str, &'static str),
    mi: StepResult,
    exchange: Option<StepResult>,
    problems: Vec<String>,
}

async fn run_lab(state: AppState, ids: Vec<String>) -> LabOutcome {
    let w = state.world();
    let mut flow = LabFlow::new(&w);
    let mut problems = Vec::new();
    let chosen: Vec<_> = ids.iter().filter_map(|i| by_id(i)).collect();
    for m in &chosen {
        if let Some(edit) = m.edit_flow {
            edit(&mut flow, &w);
        }
    }
    // Save the live directory, then apply the directory mistakes to a copy.
    let original = api::get_scenario().await;
    let mut edited = false;
    if chosen.iter().any(|m| m.edit_directory.is_some()) {
        match original
            .as_deref()
            .map_err(Clone::clone)
            .and_then(parse_directory)
        {
            Ok(mut d) => {
                for m in &chosen {
                    if let Some(edit) = m.edit_directory {
                        edit(&mut d, &w, crate::browser_clock::now());
                    }
                }
                let json = serde_json::to_string(&d).unwrap_or_default();
                match api::put_scenario(json).await {
                    Ok(r) if r.status < 400 => edited = true,
                    Ok(r) => problems.push(format!("PUT /_mock/scenario answered {}", r.status)),
                    Err(e) => problems.push(e),
                }
                state.dir.set(d);
            }
            Err(e) => problems.push(format!("could not read the live scenario: {e}")),
        }
    }
    let mi = state.perform(flow.assertion_request(&w)).await;
    let exchange = match flow.assertion_slot().read_token(&mi.body) {
        Some(tok) => {
            if flow.clock_offset != 0
                && let Err(e) = api::set_clock_offset(flow.clock_offset).await
            {
                problems.push(e);
            }
            let r = state.perform(flow.exchange_request(&w, &tok)).await;
            if flow.clock_offset != 0 {
                let _ = api::set_clock_offset(0).await;
            }
            Some(r)
        }
        None => None,
    };
    if edited && let Ok(json) = original {
        let _ = api::put_scenario(json).await;
    }
    state.reload_directory().await;
    LabOutcome {
        mistakes: ids,
        fic: flow.fic(),
        mi,
        exchange,
        problems,
    }
}

/// The lab view.
#[component]
pub fn Lab() -> impl IntoView {
    let state = expect_context::<AppState>();
    let outcome: RwSignal<Option<LabOutcome>> = RwSignal::new(None);
    let running = RwSignal::new(false);
    let run = move |ids: Vec<String>| {
        running.set(true);
        spawn_local(async move {
            let o = run_lab(state, ids).await;
            outcome.set(Some(o));
            running.set(false);
        });
    };

    let toggles = MISTAKES
        .iter()
        .map(|m| {
            let id = m.id;
            let checked = move || state.lab.get().iter().any(|x| x == id);
            view! {
                <li class="mistake">
                    <input
                        type="checkbox"
                        id=format!("lab-{id}")
                        data-testid=format!("lab-toggle-{id}")
                        prop:checked=checked
                        on:change=move |_| {
                            state.lab.update(|l| {
                                if let Some(p) = l.iter().position(|x| x == id) {
                                    l.remove(p);
                                } else {
                                    l.push(id.to_owned());
                                }
                            })
                        }
                    />
                    <label for=format!("lab-{id}")>
                        {m.title}
                        <p>{m.explain}</p>
                    </label>
                    <span class="code">{format!("AADSTS{}", m.code.code())}</span>
                </li>
            }
        })
        .collect_view();

    // The checked mistakes as one script (core's plan of this very run).
    let chosen = move || -> Vec<_> { state.lab.get().iter().filter_map(|i| by_id(i)).collect() };
    let export = Memo::new(move |_| {
        let mistakes = chosen();
        state.dir.with(|d| lab_plan(d, &mistakes))
    });
    let plan = Memo::new(move |_| export.with(|e| e.plan.clone()));
    let left_out = move || {
        export.with(|e| {
            (!e.left_out.is_empty()).then(|| {
                let names: Vec<_> = e.left_out.iter().map(|m| m.title).collect();
                view! {
                    <p class="muted" data-testid="lab-export-left-out">
                        "Left out of the script (only mock-entra can change this, or a Graph PATCH cannot undo it): "
                        {names.join(", ")}
                    </p>
                }
            })
        })
    };

    let result = move || {
        let Some(o) = outcome.get() else {
            return view! { <p class="muted">"Pick one or more mistakes and run the flow: Contoso's identity token from IMDS, then the exchange in Litware for an ARM token. The GitHub mistakes run Litware's deploy workflow instead (GitHub ID token, exchange in Litware), the AKS ones a pod of Contoso's cluster (projected token, exchange in Contoso)."</p> }.into_any();
        };
        let last = o.exchange.clone().unwrap_or_else(|| o.mi.clone());
        let code = last.code;
        let expected: Vec<u32> = o
            .mistakes
            .iter()
            .filter_map(|i| by_id(i))
            .map(|m| m.code.code())
            .collect();
        let (class, verdict) = match (code, expected.is_empty()) {
            (None, true) if last.succeeded() => ("verdict good", "No mistakes: the exchange succeeds.".to_owned()),
            (None, _) if last.succeeded() => ("verdict bad", "The exchange succeeded although a mistake is on: the mock does not check this rule yet.".to_owned()),
            (Some(c), _) if expected.contains(&c) => ("verdict bad", format!("Entra refused with AADSTS{c}, the error this mistake causes.")),
            (Some(c), _) => ("verdict bad", format!("Entra refused with AADSTS{c}. With several mistakes on, Entra reports the first rule that fails.")),
            (None, _) => ("verdict bad", format!("The flow stopped: {}", last.summary())),
        };
        let template = serde_json::from_str::<serde_json::Value>(&last.body)
            .ok()
            .and_then(|v| {
                v.get("error_description")
                    .and_then(|d| d.as_str())
                    .map(str::to_owned)
            })
            .or_else(|| code.and_then(aadsts_template).map(str::to_owned));
        let fixes = o
            .mistakes
            .iter()
            .filter_map(|i| by_id(i))
            .map(|m| view! { <div class="fix" data-testid=format!("lab-fix-{}", m.id)><strong>{m.title}</strong><p>{m.explain}</p><p><strong>"Fix: "</strong>{m.fix}</p></div> })
            .collect_view();
        let (app, fic_name) = o.fic;
        let fic = state
            .dir
            .with(|d| find_fic(d, app, fic_name))
            .map(|(home, fic)| FicCompare {
                fic,
                app_home: entra_core::ids::TenantId::parse(&home),
                label: format!("{app} / {fic_name}"),
            });
        let exchanges: Vec<_> =
            o.mi.exchanges
                .iter()
                .chain(o.exchange.iter().flat_map(|e| e.exchanges.iter()))
                .cloned()
                .collect();
        view! {
            <div data-testid="lab-result">
                <div class=class role="status">
                    <p data-testid="lab-verdict">{verdict}</p>
                    {code.map(|c| view! { <p data-testid="lab-code"><strong>{format!("AADSTS{c}")}</strong></p> })}
                    {template.map(|t| view! { <p class="template" data-testid="lab-error-description"><em>{t}</em></p> })}
                </div>
                {o.problems.iter().map(|p| view! { <p class="field-problem">{p.clone()}</p> }).collect_view()}
                {fixes}
                {exchanges.into_iter().map(|ex| view! { <ExchangeView ex=ex fic=fic.clone() open=false/> }).collect_view()}
            </div>
        }
        .into_any()
    };

    view! {
        <section class="lab two-col" data-testid="lab">
            <div class="panel">
                <h2>"Mistakes"</h2>
                <p class="muted">"Each toggle reproduces one classic misconfiguration. The live scenario is saved, changed for the run, and restored afterwards."</p>
                <ul class="mistakes">{toggles}</ul>
                <div class="actions">
                    <button class="primary" data-testid="lab-run" disabled=move || running.get() on:click=move |_| run(state.lab.get_untracked())>"Run the flow"</button>
                    <button data-testid="lab-apply-fix" disabled=move || running.get() on:click=move |_| { state.lab.set(Vec::new()); run(Vec::new()); }>"Apply the fixes and run again"</button>
                    <button data-testid="lab-restore" disabled=move || running.get() on:click=move |_| {
                        spawn_local(async move {
                            let _ = api::reset().await;
                            let _ = api::set_clock_offset(0).await;
                            state.reload_directory().await;
                            state.notice.set("Scenario and clock restored.".into());
                        });
                    }>"Restore the start scenario"</button>
                </div>
                <details class="preview lab-script">
                    <summary data-testid="lab-export-toggle">"This run as one script"</summary>
                    <p class="muted">"FIC mistakes are written through Graph by the tenant's Playground Admin first and put back at the end; the exchange expects the mistakes' AADSTS codes."</p>
                    {left_out}
                    <ScenarioExport plan=plan prefix="lab-export"/>
                </details>
            </div>
            <div class="panel">
                <h2>"Result"</h2>
                {move || running.get().then(|| view! { <p class="muted" data-testid="lab-running">"Running…"</p> })}
                {result}
            </div>
        </section>
    }
}
