//! A decoded JWT, at least as useful as jwt.ms: header and claims, each explained in one line,
//! dates absolute and relative, and iss/sub/aud set against the FIC Entra compares them with.
use entra_core::directory::FederatedIdentityCredential;
use entra_core::ids::TenantId;
use entra_core::jose::Jwt;
use leptos::prelude::*;
use serde_json::Value;

use crate::browser_clock;
use crate::core_bridge::{Check, doctor, explain_claim};

/// The FIC a token is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct FicCompare {
    pub fic: FederatedIdentityCredential,
    /// Home tenant of the app holding the FIC.
    pub app_home: Option<TenantId>,
    /// "Multi-Tenant Example App / umi-multi-tenant-example".
    pub label: String,
}

/// "in 23 h", "5 min ago".
pub fn relative(delta_secs: i64) -> String {
    let a = delta_secs.unsigned_abs();
    let amount = if a < 90 {
        format!("{a} s")
    } else if a < 90 * 60 {
        format!("{} min", a / 60)
    } else if a < 48 * 3600 {
        format!("{} h", a / 3600)
    } else {
        format!("{} days", a / 86400)
    };
    if delta_secs >= 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Decoded token with explanations.
#[component]
pub fn TokenView(
    /// The compact JWT.
    token: String,
    /// The FIC the token is presented to, if any: iss/sub/aud are checked against it.
    #[prop(default = None)]
    fic: Option<FicCompare>,
    /// Prefix of the test ids inside (e.g. `step-token`).
    #[prop(default = "token")]
    testid: &'static str,
) -> impl IntoView {
    let jwt = match Jwt::decode(&token) {
        Ok(j) => j,
        Err(e) => {
            return view! { <p class="error" data-testid=format!("{testid}-error")>"Not a JWT: " {e.to_string()}</p> }
            .into_any();
        }
    };
    let now = browser_clock::now();
    let checks: Vec<Check> = fic
        .as_ref()
        .map(|f| doctor(&jwt, std::slice::from_ref(&f.fic), f.app_home, now))
        .unwrap_or_default();
    let check_for = |claim: &str| checks.iter().find(|c| c.claim == claim).cloned();

    let header_rows = jwt
        .header()
        .iter()
        .map(|(k, v)| {
            view! {
                <tr>
                    <th scope="row"><code>{k.clone()}</code></th>
                    <td><code class="v">{value_text(v)}</code></td>
                    <td class="explain">{explain_claim(k)}</td>
                </tr>
            }
        })
        .collect_view();

    let claim_rows = jwt
        .claims()
        .iter()
        .map(|(k, v)| {
            let mut text = value_text(v);
            let mut extra = String::new();
            if matches!(k.as_str(), "iat" | "nbf" | "exp")
                && let Some(t) = jwt.time_claim(k) {
                    extra = format!("{} ({})", t.entra_timestamp(), relative(t.secs() - now.secs()));
                }
            if let Value::Array(a) = v {
                text = a.iter().map(value_text).collect::<Vec<_>>().join(", ");
            }
            let check = check_for(k.as_str());
            let class = match &check {
                Some(c) if c.ok => "claim match",
                Some(_) => "claim mismatch",
                None => "claim",
            };
            let cmp = check.map(|c| {
                let mark = if c.ok { "✓ equals" } else { "✗ differs from" };
                view! {
                    <div class="cmp" data-testid=format!("{testid}-cmp-{}", c.claim)>
                        <span class="mark">{mark}</span>" FIC " {c.against} ": "
                        <code>{c.expected}</code>
                        {(!c.ok).then(|| view! { <div class="hint">{c.code.map(|c| format!("AADSTS{}: ", c.code())).unwrap_or_default()} {c.hint}</div> })}
                    </div>
                }
            });
            view! {
                <tr class=class data-testid=format!("{testid}-claim-{k}")>
                    <th scope="row"><code>{k.clone()}</code></th>
                    <td>
                        <code class="v">{text}</code>
                        {(!extra.is_empty()).then(|| view! { <div class="time">{extra}</div> })}
                        {cmp}
                    </td>
                    <td class="explain">{explain_claim(k)}</td>
                </tr>
            }
        })
        .collect_view();

    let other_checks = checks
        .iter()
        .filter(|c| !matches!(c.claim, "iss" | "sub" | "aud"))
        .filter(|c| !c.ok)
        .map(|c| {
            view! {
                <li class="mismatch">
                    <strong>{c.code.map(|c| format!("AADSTS{}", c.code())).unwrap_or_default()}</strong>
                    " " {c.claim} ": " {c.hint.clone()}
                </li>
            }
        })
        .collect_view();

    let parts: Vec<String> = token.trim().split('.').map(str::to_owned).collect();
    let fic_label = fic.as_ref().map(|f| f.label.clone());
    view! {
        <div class="token" data-testid=testid>
            <p class="raw" aria-label="encoded token">
                <span class="jh">{parts.first().cloned().unwrap_or_default()}</span>"."
                <span class="jp">{parts.get(1).cloned().unwrap_or_default()}</span>"."
                <span class="js">{parts.get(2).cloned().unwrap_or_default()}</span>
            </p>
            {fic_label.map(|l| view! { <p class="fic-label">"Compared with FIC " <strong>{l}</strong></p> })}
            <ul class="checks">{other_checks}</ul>
            <table class="claims">
                <caption>"Header"</caption>
                <tbody>{header_rows}</tbody>
            </table>
            <table class="claims">
                <caption>"Claims"</caption>
                <tbody>{claim_rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Every substring of `text` that decodes as a JWT.
pub fn find_jwts(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cand in text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        if cand.starts_with("eyJ")
            && cand.matches('.').count() == 2
            && Jwt::decode(cand).is_ok()
            && !out.iter().any(|t| t == cand)
        {
            out.push(cand.to_owned());
        }
    }
    out
}
