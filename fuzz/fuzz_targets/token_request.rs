//! The token endpoint: arbitrary tenant segment, Authorization and Content-Type headers and form
//! body through `TokenRequest::parse` and `exchange` over the default scenario, on both
//! endpoints. Every outcome must be a grant or an Entra error whose body renders.
#![no_main]

use std::sync::OnceLock;

use entra_core::directory::Directory;
use entra_core::exchange::{TokenEndpoint, TokenRequest, exchange};
use entra_core::keys::KeySet;
use entra_fuzz::{NOW, default_directory, env, keys};
use libfuzzer_sys::fuzz_target;

fn fixtures() -> &'static (Directory, KeySet) {
    static F: OnceLock<(Directory, KeySet)> = OnceLock::new();
    F.get_or_init(|| (default_directory(), keys()))
}

fuzz_target!(|data: &[u8]| {
    let (dir, keys) = fixtures();
    // Layout: [flags] tenant \n authorization \n content-type \n body…
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(4, |b| *b == b'\n');
    let tenant = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let auth = parts.next().map(String::from_utf8_lossy);
    let ct = parts.next().map(String::from_utf8_lossy);
    let body = parts.next().unwrap_or_default();
    let endpoint = if flags & 1 == 0 {
        TokenEndpoint::V2
    } else {
        TokenEndpoint::V1
    };
    let auth = auth.as_deref().filter(|_| flags & 2 != 0);
    let ct = ct.as_deref().filter(|_| flags & 4 != 0);
    match TokenRequest::parse(&tenant, endpoint, auth, ct, body) {
        Ok(req) => match exchange(&req, dir, &env(keys)) {
            Ok(grant) => {
                let _ = grant.to_v2_body();
                let _ = grant.to_v1_body(NOW);
            }
            Err(e) => {
                let _ = e.to_body(env(keys).trace, NOW, "login.microsoftonline.com");
            }
        },
        Err(e) => {
            let _ = e.to_body(env(keys).trace, NOW, "login.microsoftonline.com");
        }
    }
});
