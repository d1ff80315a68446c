//! The FIC doctor: paste a token (from real Azure, GitHub Actions, a Kubernetes cluster or a
//! step) and a FIC, flexible ones included, and see claim by claim why Entra would accept or
//! refuse the pair, with the AADSTS code of each mismatch. Offline: core's matcher runs in wasm.
use entra_core::ids::TenantId;
use entra_core::jose::Jwt;
use leptos::prelude::*;

use crate::browser_clock;
use crate::components::token_view::TokenView;
use crate::core_bridge::{doctor, parse_pasted_fics};
use crate::state::AppState;

/// The doctor view.
#[component]
pub fn Doctor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let token = RwSignal::new(String::new());
    let fic_json = RwSignal::new(String::new());
    let home = RwSignal::new(String::new());

    let all_fics = move || {
        state.dir.with(|d| {
            d.tenants
                .iter()
                .flat_map(|t| {
                    t.applications.iter().flat_map(move |a| {
                        a.federated_identity_credentials.iter().map(move |f| {
                            (
                                t.id.to_string(),
                                format!("{} / {} ({})", a.display_name, f.name, t.display_name),
                                f.clone(),
                            )
                        })
                    })
                })
                .collect::<Vec<_>>()
        })
    };

    let verdict = move || {
        let t = token.get();
        let f = fic_json.get();
        if t.trim().is_empty() || f.trim().is_empty() {
            return view! { <p class="muted">"Paste a token and a FIC (or pick them) to diagnose."</p> }.into_any();
        }
        let jwt = match Jwt::decode(&t) {
            Ok(j) => j,
            Err(e) => return view! { <p class="field-problem" data-testid="doctor-error">"Token: " {e.to_string()}</p> }.into_any(),
        };
        let fics = match parse_pasted_fics(&f) {
            Ok(fics) => fics,
            Err(e) => return view! { <p class="field-problem" data-testid="doctor-error">"FIC: " {e}</p> }.into_any(),
        };
        let checks = doctor(
            &jwt,
            &fics,
            TenantId::parse(home.get().trim()),
            browser_clock::now(),
        );
        let first_bad = checks.iter().find(|c| !c.ok).cloned();
        let rows = checks
            .into_iter()
            .map(|c| {
                let (cls, mark) = if c.ok { ("ok", "✓") } else { ("bad", "✗") };
                view! {
                    <tr data-testid=format!("doctor-check-{}", c.claim.replace([' ', '(', ')', '/'], ""))>
                        <td class=cls>{mark}</td>
                        <td><code>{c.claim}</code>" vs " {c.against}</td>
                        <td><code>{c.token_value}</code><br/><code>{c.expected}</code></td>
                        <td>{(!c.ok).then(|| c.code.map(|k| format!("AADSTS{} ", k.code()))).flatten()} {c.hint}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div data-testid="doctor-result">
                {match first_bad {
                    None => view! { <p class="verdict good" data-testid="doctor-verdict">"This token matches this FIC."</p> }.into_any(),
                    Some(c) => view! { <p class="verdict bad" data-testid="doctor-verdict">{format!("Entra would refuse: {}", c.code.map(|k| format!("AADSTS{}", k.code())).unwrap_or_default())}</p> }.into_any(),
                }}
                <table class="simple doctor">
                    <thead><tr><th></th><th>"check"</th><th>"token / FIC"</th><th>"why"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="doctor two-col" data-testid="doctor">
            <div class="panel">
                <h2>"Token"</h2>
                <div class="actions">
                    <button data-testid="doctor-use-mi" disabled=move || state.tokens.with(|t| t.mi.is_none()) on:click=move |_| token.set(state.tokens.get_untracked().mi.unwrap_or_default())>"Use the last managed-identity token"</button>
                    <button data-testid="doctor-use-federated" disabled=move || state.tokens.with(|t| t.federated.is_none()) on:click=move |_| token.set(state.tokens.get_untracked().federated.unwrap_or_default())>"Use the last GitHub or Kubernetes token"</button>
                </div>
                <label for="doctor-token">"JWT (client assertion)"</label>
                <textarea id="doctor-token" data-testid="doctor-token" rows="6" prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))></textarea>
                <h2>"Federated identity credential"</h2>
                <label for="doctor-fic-pick">"Pick one from the directory"</label>
                <select id="doctor-fic-pick" data-testid="doctor-fic-pick" on:change=move |ev| {
                    let i: usize = event_target_value(&ev).parse().unwrap_or(usize::MAX);
                    if let Some((tid, _, f)) = all_fics().into_iter().nth(i) {
                        fic_json.set(serde_json::to_string_pretty(&f).unwrap_or_default());
                        home.set(tid);
                    }
                }>
                    <option value="">"—"</option>
                    {move || all_fics().into_iter().enumerate().map(|(i, (_, label, _))| view! { <option value=i.to_string()>{label}</option> }).collect_view()}
                </select>
                <label for="doctor-fic">"FIC JSON (Graph shape)"</label>
                <textarea id="doctor-fic" data-testid="doctor-fic" rows="8" prop:value=move || fic_json.get() on:input=move |ev| fic_json.set(event_target_value(&ev))></textarea>
                <label for="doctor-home">"Home tenant of the app holding the FIC (optional, for AADSTS700236)"</label>
                <input id="doctor-home" data-testid="doctor-home" prop:value=move || home.get() on:input=move |ev| home.set(event_target_value(&ev))/>
            </div>
            <div class="panel">
                <h2>"Diagnosis"</h2>
                {verdict}
                {move || {
                    let t = token.get();
                    (Jwt::decode(&t).is_ok()).then(|| view! { <h3>"Decoded token"</h3> <TokenView token=t testid="doctor-decoded"/> })
                }}
            </div>
        </section>
    }
}
