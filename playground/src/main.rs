//! The playground: learn managed identity as a federated credential in the browser, against
//! mock-entra on the same origin.
mod api;
mod browser_clock;
mod components;
mod core_bridge;
use entra_core::lab;
mod scenarios;
mod state;
mod url_state;
mod world;

use leptos::prelude::*;
use leptos::task::spawn_local;

use components::doctor_view::Doctor;
use components::editor::DirectoryEditor;
use components::guide::Guide;
use components::lab_view::Lab;
use components::traffic::Traffic;
use state::AppState;

const VIEWS: &[(&str, &str)] = &[
    ("guide", "Guided scenarios"),
    ("lab", "Misconfiguration lab"),
    ("directory", "Directory"),
    ("doctor", "FIC doctor"),
    ("traffic", "Traffic"),
];

#[component]
fn App() -> impl IntoView {
    let state = AppState::new(url_state::read());
    provide_context(state);

    // Keep the URL in step with the view.
    Effect::new(move |_| {
        url_state::write(&url_state::UrlState {
            view: state.view.get(),
            scenario: state.scenario.get(),
            step: state.step.get(),
            lab: state.lab.get(),
        });
    });

    // A notice belongs to the view it was given in.
    Effect::new(move |prev: Option<String>| {
        let v = state.view.get();
        if prev.is_some_and(|p| p != v) {
            state.notice.set(String::new());
        }
        v
    });

    // A pasted link or back/forward changes the hash: follow it.
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        let u = url_state::read();
        if u.scenario != state.scenario.get_untracked() {
            state.results.set(Vec::new());
        }
        state.view.set(u.view);
        state.scenario.set(u.scenario);
        state.step.set(u.step);
        state.lab.set(u.lab);
    });
    on_cleanup(move || handle.remove());

    spawn_local(async move {
        let up = api::health().await;
        state.online.set(Some(up));
        if up {
            state.reload_directory().await;
            let _ = state.pull_log().await;
            state.log.set(Vec::new());
            api::subscribe_exchanges(move |ex| {
                let _ = state.ingest(vec![ex]);
            });
        }
    });

    let nav = VIEWS
        .iter()
        .map(|&(id, label)| {
            view! {
                <button
                    class="nav-btn"
                    class:active=move || state.view.get() == id
                    aria-current=move || if state.view.get() == id { "page" } else { "false" }
                    data-testid=format!("nav-{id}")
                    on:click=move |_| state.view.set(id.to_owned())
                >
                    {label}
                </button>
            }
        })
        .collect_view();

    let status = move || {
        match state.online.get() {
        None => view! { <span class="pill" data-testid="mock-status">"checking mock-entra…"</span> }.into_any(),
        Some(true) => view! { <span class="pill up" data-testid="mock-status">"mock-entra connected"</span> }.into_any(),
        Some(false) => view! { <span class="pill down" data-testid="mock-status">"mock-entra not reachable: showing the default scenario"</span> }.into_any(),
    }
    };

    view! {
        <header class="top">
            <div class="brand">
                <h1>"mock-entra playground"</h1>
                <p class="tag">"Managed identities as federated identity credentials, step by step"</p>
            </div>
            {status}
        </header>
        <nav class="views" aria-label="views">{nav}</nav>
        <p class="notice" role="status" aria-live="polite" data-testid="notice">{move || state.notice.get()}</p>
        <main>
            {move || match state.view.get().as_str() {
                "traffic" => view! { <Traffic/> }.into_any(),
                "lab" => view! { <Lab/> }.into_any(),
                "directory" => view! { <DirectoryEditor/> }.into_any(),
                "doctor" => view! { <Doctor/> }.into_any(),
                _ => view! { <Guide/> }.into_any(),
            }}
        </main>
    }
}

fn main() {
    mount_to_body(App);
}
