//! JWT decoding and verification: arbitrary text as a compact JWS, through the decoder, the key
//! set, every resource's access-token validation and the FIC doctor. Nothing may panic, and
//! a token verifies only under the key its header names.
#![no_main]

use std::sync::OnceLock;

use entra_core::directory::Directory;
use entra_core::doctor::{DoctorContext, diagnose_raw};
use entra_core::jose::Jwt;
use entra_core::keys::KeySet;
use entra_core::resource::{EntraIssuers, ResourceKind, validate_access_token};
use entra_fuzz::{NOW, default_directory, keys};
use libfuzzer_sys::fuzz_target;

fn fixtures() -> &'static (Directory, KeySet) {
    static F: OnceLock<(Directory, KeySet)> = OnceLock::new();
    F.get_or_init(|| (default_directory(), keys()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (dir, keys) = fixtures();
    if let Ok(jwt) = Jwt::decode(text) {
        let _ = jwt.audiences();
        let _ = jwt.time_claim("exp");
        // Only a key the token names by kid/x5t may verify it (the seeds are genuinely signed).
        if let Ok(key) = keys.verify(&jwt, NOW) {
            let named = jwt
                .kid()
                .or_else(|| jwt.header().get("x5t").and_then(|v| v.as_str()));
            assert_eq!(
                named,
                Some(key.kid().as_str()),
                "verified by a key it does not name"
            );
        }
    }
    for kind in [
        ResourceKind::Arm,
        ResourceKind::Storage,
        ResourceKind::Graph,
    ] {
        let _ = validate_access_token(text, kind, dir, keys, &EntraIssuers, NOW);
    }
    let fics = &dir.tenants[0].applications[0].federated_identity_credentials;
    let ctx = DoctorContext {
        now: NOW,
        home_tenant: Some(dir.tenants[0].id),
        cloud: None,
        ..Default::default()
    };
    let _ = diagnose_raw(text, fics, &ctx);
});
