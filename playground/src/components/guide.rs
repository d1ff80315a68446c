//! The guided scenarios: pick a scenario, step through it; each step sends its real request,
//! shows the logged exchange, the tokens and the FIC they meet, and lights the diagram.
use entra_core::ids::TenantId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::diagram::{Mark, SequenceDiagram};
use crate::components::inspector::{ExchangeView, ExportView, ScenarioExport};
use crate::components::token_view::{FicCompare, TokenView};
use crate::core_bridge::aadsts_template;
use crate::scenarios::{self, Expect, SCENARIOS, Scenario, Slot, Step, Tokens};
use crate::state::AppState;
use crate::world::find_fic;

/// The FIC a step's assertion meets, resolved in the live directory.
pub fn fic_for(state: AppState, step: &Step) -> Option<FicCompare> {
    let (app, name) = step.fic?;
    let (home, fic) = state.dir.with(|d| find_fic(d, app, name))?;
    Some(FicCompare {
        fic,
        app_home: TenantId::parse(&home),
        label: format!("{app} / {name}"),
    })
}

async fn run_one(state: AppState, sc: &'static Scenario, idx: usize) -> bool {
    let Some(step) = sc.steps.get(idx) else {
        return false;
    };
    let req = (step.build)(&state.world(), &state.tokens.get_untracked());
    let r = state.perform(req).await;
    if r.succeeded()
        && let Some(slot) = step.stores
        && let Some(tok) = slot.read_token(&r.body)
    {
        state.tokens.update(|t| t.set(slot, tok));
    }
    let ok = r.as_expected(step.expect) && r.transport_error.is_none();
    state.results.update(|v| {
        if v.len() < sc.steps.len() {
            v.resize(sc.steps.len(), None);
        }
        v[idx] = Some(r);
    });
    // Graph writes and admin consent change the directory: keep the editor and FICs current.
    state.reload_directory().await;
    ok
}

/// The slot of the scenario's client assertion (managed identity, GitHub or Kubernetes token).
fn assertion_slot(sc: &Scenario) -> Slot {
    sc.steps
        .iter()
        .filter_map(|s| s.stores)
        .find(|s| s.is_assertion())
        .unwrap_or(Slot::Mi)
}

/// What the assertion of `slot` is called on screen.
fn assertion_name(slot: Slot) -> &'static str {
    match slot {
        Slot::GitHub => "GitHub ID token",
        Slot::ServiceAccount => "service-account token",
        _ => "managed-identity token",
    }
}

fn run_range(state: AppState, from: usize, to: usize) {
    let sc = scenarios::by_id(&state.scenario.get_untracked());
    state.busy.set(true);
    spawn_local(async move {
        for i in from..to.min(sc.steps.len()) {
            state.step.set(i);
            if !run_one(state, sc, i).await {
                break;
            }
        }
        state.busy.set(false);
    });
}

fn reset_scenario(state: AppState) {
    state.busy.set(true);
    spawn_local(async move {
        match api::reset().await {
            Ok(r) if r.status < 400 => state.notice.set("Scenario reset to its start.".into()),
            Ok(r) => state
                .notice
                .set(format!("POST /_mock/reset answered {}", r.status)),
            Err(e) => state.notice.set(e),
        }
        state.results.set(Vec::new());
        state.tokens.set(Tokens::default());
        state.step.set(0);
        state.reload_directory().await;
        state.busy.set(false);
    });
}

fn marks(state: AppState, sc: &'static Scenario) -> Vec<Mark> {
    let results = state.results.get();
    sc.steps
        .iter()
        .enumerate()
        .map(|(i, s)| match results.get(i).cloned().flatten() {
            None => Mark::Pending,
            Some(r) if r.succeeded() => Mark::Ok(r.summary()),
            Some(r) => Mark::Failed {
                label: r.summary(),
                expected: r.as_expected(s.expect),
            },
        })
        .collect()
}

/// The guided-scenario view.
#[component]
pub fn Guide() -> impl IntoView {
    let state = expect_context::<AppState>();
    let scenario = Memo::new(move |_| scenarios::by_id(&state.scenario.get()));
    let plan = Memo::new(move |_| scenario.get().plan(&state.world()));
    let select = move |id: &'static str| {
        if state.scenario.get_untracked() != id {
            state.scenario.set(id.to_owned());
            state.step.set(0);
            state.results.set(Vec::new());
        }
    };

    let tabs = SCENARIOS
        .iter()
        .map(|s| {
            let id = s.id;
            view! {
                <button
                    role="tab"
                    class="scenario-tab"
                    class:active=move || state.scenario.get() == id
                    aria-selected=move || (state.scenario.get() == id).to_string()
                    data-testid=format!("scenario-tab-{id}")
                    on:click=move |_| select(id)
                >
                    <span class="t">{s.title}</span>
                    <span class="seed">{s.seed}</span>
                </button>
            }
        })
        .collect_view();

    let step_list = move || {
        let sc = scenario.get();
        let results = state.results.get();
        sc.steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let r = results.get(i).cloned().flatten();
                let (badge, class) = match &r {
                    None => (String::new(), "pending"),
                    Some(r) if r.as_expected(s.expect) && r.succeeded() => ("✓".to_owned(), "ok"),
                    Some(r) if r.as_expected(s.expect) => (format!("✗ AADSTS{}", r.code.unwrap_or(0)), "failed expected"),
                    Some(r) => (format!("! {}", r.summary()), "failed"),
                };
                view! {
                    <li>
                        <button
                            class=format!("step-btn {class}")
                            class:current=move || state.step.get() == i
                            aria-current=move || if state.step.get() == i { "step" } else { "false" }
                            data-testid=format!("step-{}", s.id)
                            on:click=move |_| state.step.set(i)
                        >
                            <span class="num">{i + 1}</span>
                            <span class="t">{s.title}</span>
                            <span class="badge" data-testid=format!("step-{}-badge", s.id)>{badge}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    let current = move || {
        let sc = scenario.get();
        let i = state.step.get().min(sc.steps.len().saturating_sub(1));
        let step = &sc.steps[i];
        // The request as code reads its endpoints from the environment (Azure by default).
        let req = (step.build)(&state.world().with_environment_bases(), &state.tokens.get());
        let result = state.results.get().get(i).cloned().flatten();
        let fic = fic_for(state, step);
        let expect = match step.expect {
            Expect::Success => "Expected: success".to_owned(),
            Expect::Aadsts(c) => format!("Expected: fails with AADSTS{} (on purpose)", c.code()),
        };
        let expect_class = if matches!(step.expect, Expect::Aadsts(_)) {
            "expect fail"
        } else {
            "expect"
        };
        // The scenario's assertion: shown decoded where a step mints it, and against the FIC
        // where a later step presents it.
        let slot = assertion_slot(sc);
        let mints = step.stores.is_some_and(Slot::is_assertion);
        let held = state
            .tokens
            .with(|t| Some(t.get(slot).to_owned()).filter(|t| !t.is_empty()));
        let assertion = held.clone().filter(|_| fic.is_some() && !mints);
        let minted = mints
            .then(|| result.as_ref().and_then(|r| slot.read_token(&r.body)))
            .flatten();
        let outcome = result.clone().map(|r| {
            let good = r.as_expected(step.expect);
            let class = if good { "outcome good" } else { "outcome bad" };
            let text = if good {
                match step.expect {
                    Expect::Success => format!("Done: {}", r.summary()),
                    Expect::Aadsts(c) => format!("Failed as expected with AADSTS{}.", c.code()),
                }
            } else if let Some(e) = &r.transport_error {
                format!("Could not reach mock-entra: {e}")
            } else {
                format!("Unexpected answer: {}", r.summary())
            };
            let description = serde_json::from_str::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v.get("error_description").and_then(|d| d.as_str()).map(str::to_owned))
                .or_else(|| r.code.and_then(aadsts_template).map(str::to_owned));
            view! {
                <div class=class data-testid="step-outcome" role="status">
                    <p>{text}</p>
                    {description.map(|t| view! { <p class="template" data-testid="step-error-description"><em>{t}</em></p> })}
                </div>
            }
        });
        let token = result
            .as_ref()
            .filter(|_| !mints)
            .and_then(|r| r.access_token());
        let exchanges = result.map(|r| r.exchanges).unwrap_or_default();
        let fic_for_ex = fic.clone();
        view! {
            <article class="step-panel" data-testid="step-panel" aria-labelledby="step-title">
                <h2 id="step-title" data-testid="step-title">{format!("{}. {}", i + 1, step.title)}</h2>
                <p class="explain" data-testid="step-explain">{step.explain}</p>
                <p class=expect_class data-testid="step-expect">{expect}</p>
                {(i > 0 && step.fic.is_some() && !mints && held.is_none()).then(|| view! {
                    <p class="field-problem" data-testid="step-needs-token">{format!("This step sends the {} of step 1 as its client assertion: run step 1 first (or \"Run all steps\").", assertion_name(slot))}</p>
                })}
                <div class="actions">
                    <button data-testid="step-prev" disabled=move || state.step.get() == 0 on:click=move |_| state.step.update(|s| *s = s.saturating_sub(1))>"← Previous"</button>
                    <button class="primary" data-testid="run-step" disabled=move || state.busy.get() on:click=move |_| run_range(state, i, i + 1)>"Send request"</button>
                    <button data-testid="step-next" disabled=move || { state.step.get() + 1 >= scenario.get().steps.len() } on:click=move |_| state.step.update(|s| *s += 1)>"Next →"</button>
                    <button data-testid="run-all" disabled=move || state.busy.get() on:click=move |_| run_range(state, 0, usize::MAX)>"Run all steps"</button>
                    <button data-testid="scenario-reset" disabled=move || state.busy.get() on:click=move |_| reset_scenario(state)>"Reset scenario"</button>
                </div>
                {outcome}
                <details class="preview" open=exchanges.is_empty()>
                    <summary data-testid="step-request-toggle">"The request, as code"</summary>
                    <ExportView req=req/>
                </details>
                {exchanges
                    .into_iter()
                    .map(|ex| view! { <ExchangeView ex=ex fic=fic_for_ex.clone()/> })
                    .collect_view()}
                {minted.map(|t| {
                    let fic = fic.clone();
                    view! {
                        <section class="token-section">
                            <h3>{format!("The {}", assertion_name(slot))} {fic.as_ref().map(|_| " (the client assertion), against the FIC it will meet")}</h3>
                            <TokenView token=t fic=fic testid="step-mi-token"/>
                        </section>
                    }
                })}
                {assertion.zip(fic.clone()).map(|(t, f)| view! {
                    <details class="token-section">
                        <summary data-testid="step-assertion-toggle">"The client assertion sent, against FIC " {f.label.clone()}</summary>
                        <TokenView token=t fic=Some(f) testid="step-assertion"/>
                    </details>
                })}
                {token.map(|t| view! {
                    <section class="token-section">
                        <h3>"The token Entra issued"</h3>
                        <TokenView token=t testid="step-token"/>
                    </section>
                })}
            </article>
        }
    };

    view! {
        <section class="guide" data-testid="guide">
            <div class="scenario-tabs" role="tablist" aria-label="guided scenarios">{tabs}</div>
            <p class="summary" data-testid="scenario-summary">{move || scenario.get().summary}</p>
            <details class="preview scenario-script">
                <summary data-testid="scenario-export-toggle">"The whole scenario as one script"</summary>
                <ScenarioExport plan=plan/>
            </details>
            <div class="guide-grid">
                <nav class="steps" aria-label="steps">
                    <ol>{step_list}</ol>
                </nav>
                <div class="guide-main">{current}</div>
                <aside class="diagram-box" aria-label="sequence diagram">
                    {move || view! { <SequenceDiagram scenario=scenario.get() marks=marks(state, scenario.get()) current=state.step.get()/> }}
                </aside>
            </div>
        </section>
    }
}
