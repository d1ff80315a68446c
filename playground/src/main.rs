//! The playground: learn managed identity as a federated credential in the browser, against
//! mock-entra on the same origin or, with no server (the static site), core's engine in the tab.
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
use url_state::View;

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
    Effect::new(move |prev: Option<View>| {
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

    // Who answers: mock-entra when it serves this page (its SSE stream then brings SDK traffic
    // into the inspector), else, or when the learner picks it, the engine in this tab.
    let answerer = RwSignal::new(None::<api::Answerer>);
    spawn_local(async move {
        let server = api::server_answers().await;
        state.online.set(Some(server));
        if server {
            api::subscribe_exchanges(move |ex| {
                let _ = state.ingest(vec![ex]);
            });
        }
        let in_page = !server || api::remembered_choice() == Some(true);
        switch_engine(state, answerer, in_page, false).await;
    });

    let nav = View::ALL
        .into_iter()
        .map(|v| {
            view! {
                <button
                    class="nav-btn"
                    class:active=move || state.view.get() == v
                    aria-current=move || if state.view.get() == v { "page" } else { "false" }
                    data-testid=format!("nav-{}", v.id())
                    on:click=move |_| state.view.set(v)
                >
                    {v.label()}
                </button>
            }
        })
        .collect_view();

    let pick = move |in_page: bool| {
        spawn_local(async move { switch_engine(state, answerer, in_page, true).await });
    };
    let status = move || {
        match answerer.get() {
        None => view! { <span class="pill" data-testid="mock-status">"looking for mock-entra…"</span> }.into_any(),
        Some(api::Answerer::Server { origin }) => view! {
            <span class="pill up" data-testid="mock-status">{format!("Answering: mock-entra at {origin}")}</span>
            <button class="engine-switch" data-testid="engine-switch" on:click=move |_| pick(true)>
                "Use the in-page engine"
            </button>
        }.into_any(),
        Some(api::Answerer::InPage) => view! {
            <span class="pill page" data-testid="mock-status" data-start-ms=format!("{:.1}", api::engine_start_ms())>
                "Answering: in-page engine (no server; tokens signed with a public demo key)"
            </span>
            {move || (state.online.get() == Some(true)).then(|| view! {
                <button class="engine-switch" data-testid="engine-switch" on:click=move |_| pick(false)>
                    "Use mock-entra on this origin"
                </button>
            })}
            <p class="engine-note" data-testid="engine-note">
                "Everything runs in this tab, on the default scenario; your directory edits stay in this browser until you reset. "
                "Exported code runs against real Azure as it is, or against a local mock-entra ("
                <code>"cargo xtask serve"</code>") after "<code>{entra_core::export::script::SETUP_LINE}</code>"."
            </p>
        }.into_any(),
    }
    };

    view! {
        <header class="top">
            <div class="brand">
                <h1>"mock-entra playground"</h1>
                <p class="tag">"Managed identities as federated identity credentials, step by step"</p>
            </div>
            <div class="engine">{status}</div>
        </header>
        <nav class="views" aria-label="views">{nav}</nav>
        <p class="notice" role="status" aria-live="polite" data-testid="notice">{move || state.notice.get()}</p>
        <main>
            {move || match state.view.get() {
                View::Traffic => view! { <Traffic/> }.into_any(),
                View::Lab => view! { <Lab/> }.into_any(),
                View::Directory => view! { <DirectoryEditor/> }.into_any(),
                View::Doctor => view! { <Doctor/> }.into_any(),
                View::Guide => view! { <Guide/> }.into_any(),
            }}
        </main>
    }
}

/// Makes `in_page` (the engine in this tab) or mock-entra answer, and starts the views afresh
/// on that engine's directory and log.
async fn switch_engine(
    state: AppState,
    answerer: RwSignal<Option<api::Answerer>>,
    in_page: bool,
    remember: bool,
) {
    let in_page = if in_page {
        match api::use_in_page(remember) {
            Ok(()) => true,
            Err(e) => {
                state
                    .notice
                    .set(format!("the in-page engine did not start: {e}"));
                false
            }
        }
    } else {
        false
    };
    if !in_page {
        api::use_server(remember);
    }
    state.results.set(Vec::new());
    state.tokens.set(Default::default());
    state.log.set(Vec::new());
    state.cursor.set(0);
    if in_page || state.online.get_untracked() == Some(true) {
        state.reload_directory().await;
        // Start the inspector at "now": earlier traffic is not this page's.
        let _ = state.pull_log().await;
        state.log.set(Vec::new());
    }
    answerer.set(Some(api::answerer()));
}

fn main() {
    mount_to_body(App);
}
