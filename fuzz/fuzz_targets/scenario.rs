//! The scenario loader (`--scenario`, `PUT /_mock/scenario`, `--state-file` all read a
//! `Directory` with serde_json): arbitrary bytes must load or be refused, a loaded scenario
//! must render and load back to the same directory, and the token engine must run over it.
#![no_main]

use entra_core::directory::Directory;
use entra_core::exchange::{TokenEndpoint, TokenRequest, exchange};
use entra_fuzz::{env, keys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = serde_json::from_slice::<Directory>(data) else {
        return;
    };
    let rendered = serde_json::to_vec_pretty(&dir).expect("a loaded directory renders");
    let again: Directory = serde_json::from_slice(&rendered).expect("a rendered directory loads");
    assert_eq!(
        serde_json::to_vec_pretty(&again).expect("renders twice"),
        rendered,
        "render/load is not a fixed point"
    );
    let keys = keys();
    for tenant in dir.tenants.iter().take(4) {
        for app in tenant.applications.iter().take(4) {
            let body = format!(
                "grant_type=client_credentials&client_id={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_secret=x",
                app.app_id
            );
            if let Ok(req) = TokenRequest::parse(
                &tenant.id.to_string(),
                TokenEndpoint::V2,
                None,
                None,
                body.as_bytes(),
            ) {
                let _ = exchange(&req, &dir, &env(&keys));
            }
        }
    }
});
