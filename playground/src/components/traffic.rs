//! Everything mock-entra logged since the page opened, newest first: the playground's own
//! requests and anyone else's (curl, an SDK) against the same mock.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::inspector::ExchangeView;
use crate::state::AppState;

/// The traffic log view.
#[component]
pub fn Traffic() -> impl IntoView {
    let state = expect_context::<AppState>();
    let refresh = move |_| {
        spawn_local(async move {
            let _ = state.pull_log().await;
        });
    };
    view! {
        <section class="traffic" data-testid="traffic">
            <div class="actions">
                <button data-testid="traffic-refresh" on:click=refresh>"Refresh"</button>
                <button data-testid="traffic-clear" on:click=move |_| state.log.set(Vec::new())>"Clear view"</button>
                <span class="muted" data-testid="traffic-count">{move || format!("{} exchanges", state.log.with(Vec::len))}</span>
            </div>
            {move || {
                let log = state.log.get();
                if log.is_empty() {
                    view! { <p class="muted">"No traffic yet. Run a step, or call the mock with curl and refresh."</p> }.into_any()
                } else {
                    log.into_iter().rev().map(|ex| view! { <ExchangeView ex=ex open=false/> }).collect_view().into_any()
                }
            }}
        </section>
    }
}
