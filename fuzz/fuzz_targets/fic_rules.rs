//! Graph's FIC rules: arbitrary JSON bodies as create and patch drafts against an application's
//! existing FICs, and arbitrary text as the doctor's pasted FIC list. Nothing may panic; a draft
//! that passes `validate_create` must show no field problem.
#![no_main]

use std::sync::OnceLock;

use entra_core::directory::FederatedIdentityCredential;
use entra_core::doctor::parse_fics;
use entra_core::fic::{FicDraft, field_problems, validate_create, validate_patch};
use entra_core::ids::ObjectId;
use entra_fuzz::default_directory;
use libfuzzer_sys::fuzz_target;

fn existing() -> &'static Vec<FederatedIdentityCredential> {
    static F: OnceLock<Vec<FederatedIdentityCredential>> = OnceLock::new();
    F.get_or_init(|| {
        default_directory()
            .tenants
            .iter()
            .flat_map(|t| t.applications.iter())
            .flat_map(|a| a.federated_identity_credentials.iter().cloned())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let existing = existing();
    if let Ok(draft) = FicDraft::parse_json(text) {
        let problems = field_problems(&draft, existing);
        match validate_create(&draft, existing) {
            Ok(new) => {
                assert!(problems.is_empty(), "created despite {problems:?}");
                let fic = new.with_id(ObjectId::from_u128(9));
                assert!(
                    !existing
                        .iter()
                        .any(|f| f.issuer == fic.issuer && f.subject == fic.subject),
                    "issuer+subject duplicated"
                );
            }
            Err(e) => {
                assert!(!problems.is_empty());
                let _ = (e.message(), e.graph_code(), e.http_status(), e.rule());
            }
        }
        if let Some(first) = existing.first() {
            let _ = validate_patch(first, &draft, existing);
        }
    }
    let _ = parse_fics(text);
});
