//! The IO half of key retrieval for real external issuers: the engine names a document
//! (`Effect::FetchIssuerKeys`), this module GETs it with a short timeout and hands the body back
//! to the engine, which parses it, caches the keys and may name the next document (the JWKS
//! after the OpenID configuration). Nothing here decides what a document means.

use std::time::Duration;

use entra_core::issuers::KeyFetch;

use crate::state::AppState;

/// How long one document may take (Entra's own timeout is not published).
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Documents larger than this are refused (a JWKS is a few KiB).
const MAX_DOCUMENT: u64 = 256 * 1024;

/// GETs `url`: the body of a 200 answer, or why there is none.
fn get(url: &str) -> Result<Vec<u8>, String> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(FETCH_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(3)
        .build();
    let agent: ureq::Agent = config.into();
    let resp = agent.get(url).call().map_err(|e| e.to_string())?;
    if resp.status() != 200 {
        return Err(format!("HTTP {}", resp.status().as_u16()));
    }
    resp.into_body()
        .with_config()
        .limit(MAX_DOCUMENT)
        .read_to_vec()
        .map_err(|e| e.to_string())
}

/// Carries out one `Effect::FetchIssuerKeys`: every document the engine asks for, in turn.
pub async fn fetch_issuer_keys(state: &AppState, first: KeyFetch) {
    let mut next = Some(first);
    // Metadata, then JWKS: the engine never asks for more than two in a row.
    for _ in 0..2 {
        let Some(fetch) = next.take() else { break };
        let url = fetch.url.clone();
        let body = tokio::task::spawn_blocking(move || get(&url))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        if let Err(e) = &body {
            tracing::info!(issuer = %fetch.issuer, url = %fetch.url, error = %e, "external issuer document not fetched");
        }
        next = state.engine().issuer_document_fetched(
            &fetch,
            body.as_deref().map_err(String::as_str),
            state.wall_clock(),
        );
    }
}
