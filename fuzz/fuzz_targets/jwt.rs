//! JWT decoding and verification: arbitrary text as a compact JWS, through the decoder, the key
//! set, every resource's access-token validation and the FIC doctor. Nothing may panic, and
//! nothing arbitrary may verify.
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
        // A forger without the private key cannot produce a valid signature.
        assert!(keys.verify(&jwt, NOW).is_err(), "arbitrary input verified");
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
    };
    let _ = diagnose_raw(text, fics, &ctx);
});
