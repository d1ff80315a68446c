//! The live inspector: each exchange exactly as mock-entra logged it (method, URL, headers and
//! body both ways), with any token in it decoded inline; plus code export of a request.
use leptos::prelude::*;

use entra_core::client::HttpExchange;

use crate::api::Exchange;
use crate::components::token_view::{FicCompare, TokenView, find_jwts};
use crate::core_bridge::{Lang, aadsts_template, export};
use entra_core::export::script::{Plan, SETUP_LINE, ScriptLang, script};

fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| {
            if body.contains('=') && body.contains('&') && !body.contains(' ') {
                body.replace('&', "\n&")
            } else {
                body.to_owned()
            }
        })
}

fn headers_table(headers: Vec<(String, String)>) -> impl IntoView {
    view! {
        <table class="headers">
            <tbody>
                {headers
                    .into_iter()
                    .map(|(k, v)| view! { <tr><th scope="row">{k}</th><td><code>{v}</code></td></tr> })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Tokens found in a body, each decodable in place.
#[component]
fn InlineTokens(
    /// Text to scan for JWTs.
    text: String,
    /// FIC to compare client assertions with.
    fic: Option<FicCompare>,
    /// Test id prefix.
    testid: String,
) -> impl IntoView {
    find_jwts(&text)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let fic = fic.clone();
            let id = format!("{testid}-jwt-{i}");
            view! {
                <details class="inline-token">
                    <summary data-testid=format!("{id}-toggle")>"Decode token " {i + 1}</summary>
                    <TokenView token=t fic=fic testid="inline-token"/>
                </details>
            }
        })
        .collect_view()
}

/// One logged exchange.
#[component]
pub fn ExchangeView(
    /// The exchange from `/_mock/requests`.
    ex: Exchange,
    /// The FIC a client assertion in the request is compared with.
    #[prop(default = None)]
    fic: Option<FicCompare>,
    /// Open by default.
    #[prop(default = true)]
    open: bool,
) -> impl IntoView {
    let id = ex.id;
    let status_class = if ex.status >= 400 {
        "status bad"
    } else {
        "status good"
    };
    let req_body = ex.request_body.clone();
    let resp_body = ex.response_body.clone();
    let code = crate::core_bridge::aadsts_of(&resp_body);
    view! {
        <details class="exchange" open=open data-testid=format!("exchange-{id}")>
            <summary>
                <span class="method">{ex.method.clone()}</span>" "
                <span class="url">{ex.url.clone()}</span>" "
                <span class=status_class data-testid=format!("exchange-{id}-status")>{ex.status}</span>
                {code.map(|c| view! { <span class="aadsts">" AADSTS" {c}</span> })}
                <span class="dur">{format!(" {:.1} ms", ex.duration_ms)}</span>
            </summary>
            <div class="exchange-body">
                <section aria-label="request">
                    <h4>"Request"</h4>
                    <p class="line"><code>{format!("{} {} HTTP/1.1", ex.method, ex.url)}</code></p>
                    {headers_table(ex.request_headers.clone())}
                    {(!req_body.is_empty()).then(|| view! { <pre class="body" data-testid=format!("exchange-{id}-request-body")>{pretty(&req_body)}</pre> })}
                    <InlineTokens text=req_body.clone() fic=fic.clone() testid=format!("exchange-{id}-request")/>
                </section>
                <section aria-label="response">
                    <h4>"Response"</h4>
                    <p class="line"><code>{format!("HTTP/1.1 {}", ex.status)}</code></p>
                    {headers_table(ex.response_headers.clone())}
                    {(!resp_body.is_empty()).then(|| view! { <pre class="body" data-testid=format!("exchange-{id}-response-body")>{pretty(&resp_body)}</pre> })}
                    {code.and_then(aadsts_template).map(|t| view! { <p class="template">"Entra's message template: " <em>{t}</em></p> })}
                    <InlineTokens text=resp_body.clone() fic=None testid=format!("exchange-{id}-response")/>
                </section>
            </div>
        </details>
    }
}

/// Language tabs over a piece of code, a button copying it, and the line under them telling how
/// to run it (`setup`). The test ids are `prefix`, `{prefix}-tab-{id}`, `{prefix}-copy` and
/// `{prefix}-code`.
#[allow(clippy::too_many_arguments)]
fn code_tabs<L>(
    prefix: &'static str,
    tabs_label: &'static str,
    copy_label: &'static str,
    langs: &'static [L],
    lang: RwSignal<L>,
    id_label: fn(L) -> (&'static str, &'static str),
    code: Memo<String>,
    setup: impl IntoView + 'static,
) -> impl IntoView
where
    L: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <div class="export" data-testid=prefix>
            <div class="tabs" role="tablist" aria-label=tabs_label>
                {langs
                    .iter()
                    .map(|&l| {
                        let (id, label) = id_label(l);
                        view! {
                            <button
                                role="tab"
                                class:active=move || lang.get() == l
                                aria-selected=move || (lang.get() == l).to_string()
                                data-testid=format!("{prefix}-tab-{id}")
                                on:click=move |_| lang.set(l)
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
                <button
                    class="copy"
                    data-testid=format!("{prefix}-copy")
                    aria-label=copy_label
                    on:click=move |_| {
                        if let Some(w) = web_sys::window() {
                            let _ = w.navigator().clipboard().write_text(&code.get_untracked());
                        }
                    }
                >
                    "Copy"
                </button>
            </div>
            {setup}
            <pre class="code" data-testid=format!("{prefix}-code")>{move || code.get()}</pre>
        </div>
    }
}

/// The request of a step as code, one tab per language.
#[component]
pub fn ExportView(
    /// The request to export, as core built it.
    req: HttpExchange,
) -> impl IntoView {
    let lang = RwSignal::new(Lang::Curl);
    let code = Memo::new(move |_| export(&req, lang.get()));
    code_tabs(
        "export",
        "export language",
        "copy code to clipboard",
        &Lang::ALL,
        lang,
        |l| (l.id(), l.label()),
        code,
        view! {
            <p class="setup">
                "Runs against real Azure as it is; against mock-entra after "
                <code data-testid="export-setup">{SETUP_LINE}</code>
            </p>
        },
    )
}

/// A whole scenario (or lab run) as one script, one tab per language, under the one line that
/// aims it at mock-entra (without it the script targets real Azure). Test ids start with
/// `prefix`: `scenario-export` for guided scenarios, `lab-export` for the lab.
#[component]
pub fn ScenarioExport(
    /// The scenario's steps as core plans them for export.
    plan: Memo<Plan>,
    #[prop(default = "scenario-export")] prefix: &'static str,
) -> impl IntoView {
    let lang = RwSignal::new(ScriptLang::Bash);
    let code = Memo::new(move |_| plan.with(|p| script(p, lang.get())));
    code_tabs(
        prefix,
        "script language",
        "copy the script to clipboard",
        &ScriptLang::ALL,
        lang,
        |l| (l.id(), l.label()),
        code,
        view! {
            <p class="setup">
                "Save as " <code data-testid=format!("{prefix}-file")>{move || lang.get().file_name()}</code>
                ". It runs against real Azure as it is; against mock-entra after "
                <code data-testid=format!("{prefix}-setup")>{SETUP_LINE}</code>
            </p>
        },
    )
}
