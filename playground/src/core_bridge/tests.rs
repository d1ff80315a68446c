//! How the playground shapes core's answers: FIC rules per input box, the doctor's rows, and
//! code export of core-built requests aimed at the mock or at real Azure.
use entra_core::client::{self, ClientCredential};
use entra_core::directory::FederatedIdentityCredential;
use entra_core::error::Aadsts;
use entra_core::fic::{FicDraft, Field};
use entra_core::ids::{ClientId, ObjectId, TenantId};
use entra_core::jose::{Jwt, b64url};
use entra_core::time::UnixTime;

use super::*;

const CONTOSO: &str = "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f";
const LITWARE: &str = "eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691";
const UMI: &str = "02d8a4c1-3e5f-4b6a-8d7c-9e0f1a2b357d";
const EXCHANGE_GUID: &str = "fb60f99c-7a34-4190-8149-302f77469936";

fn issuer() -> String {
    format!("https://login.microsoftonline.com/{CONTOSO}/v2.0")
}

fn fic(issuer: &str, subject: &str, audience: &str) -> FederatedIdentityCredential {
    FederatedIdentityCredential {
        id: ObjectId::from_u128(1),
        name: "umi".into(),
        issuer: issuer.into(),
        subject: subject.into(),
        audiences: vec![audience.into()],
        description: None,
        claims_matching_expression: None,
        created_at: None,
    }
}

/// A managed-identity-shaped assertion (it carries `xms_mirid`).
fn token(iss: &str, sub: &str, aud: &str, exp: i64) -> Jwt {
    let claims = serde_json::json!({
        "iss": iss, "sub": sub, "aud": aud, "nbf": 0, "exp": exp,
        "xms_mirid": "/subscriptions/1/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/umi",
    });
    let t = format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64url(claims.to_string().as_bytes()),
        b64url(b"sig")
    );
    Jwt::decode(&t).unwrap()
}

fn failing_codes(checks: &[Check]) -> Vec<(&'static str, Aadsts)> {
    checks
        .iter()
        .filter(|c| !c.ok)
        .filter_map(|c| c.code.map(|k| (c.claim, k)))
        .collect()
}

#[test]
fn a_matching_assertion_passes_every_row() {
    let t = token(&issuer(), UMI, EXCHANGE_GUID, 100);
    let f = fic(&issuer(), UMI, "api://AzureADTokenExchange");
    let checks = doctor(&t, &[f], TenantId::parse(CONTOSO), UnixTime(10));
    assert_eq!(failing_codes(&checks), vec![]);
    let claims: Vec<&str> = checks.iter().map(|c| c.claim).collect();
    assert_eq!(claims, vec!["nbf/exp", "iss (tenant)", "iss", "aud", "sub"]);
}

#[test]
fn each_mismatch_is_its_claims_row_with_entras_code() {
    let t = token(&issuer(), UMI, EXCHANGE_GUID, 100);
    let check = |f: FederatedIdentityCredential, now: i64| {
        failing_codes(&doctor(&t, &[f], TenantId::parse(CONTOSO), UnixTime(now)))
    };
    assert_eq!(
        check(
            fic(&format!("{}/", issuer()), UMI, "api://AzureADTokenExchange"),
            10
        ),
        vec![("iss", Aadsts::FicIssuerMismatch)]
    );
    assert_eq!(
        check(
            fic(&issuer(), &UMI.to_uppercase(), "api://AzureADTokenExchange"),
            10
        ),
        vec![("sub", Aadsts::FicSubjectMismatch)]
    );
    assert_eq!(
        check(fic(&issuer(), UMI, "api://AzureADTokenExchangeUSGov"), 10),
        vec![("aud", Aadsts::FicAudienceMismatch)]
    );
    assert_eq!(
        check(fic(&issuer(), UMI, "api://AzureADTokenExchange"), 1000),
        vec![("nbf/exp", Aadsts::AssertionTimeRange)]
    );
}

#[test]
fn an_entra_token_presented_to_an_app_of_another_tenant_fails_the_tenant_row_only() {
    let t = token(&issuer(), UMI, EXCHANGE_GUID, 100);
    let checks = doctor(
        &t,
        &[fic(&issuer(), UMI, "api://AzureADTokenExchange")],
        TenantId::parse(LITWARE),
        UnixTime(10),
    );
    assert_eq!(
        failing_codes(&checks),
        vec![("iss (tenant)", Aadsts::EntraTokenFromOtherTenant)]
    );
    let row = checks.iter().find(|c| c.claim == "iss (tenant)").unwrap();
    assert_eq!(
        (row.token_value.as_str(), row.expected.as_str()),
        (CONTOSO, LITWARE)
    );
}

#[test]
fn pasted_graph_json_without_ids_is_diagnosed_against_the_closest_credential() {
    let t = token(&issuer(), UMI, EXCHANGE_GUID, 100);
    let json = serde_json::json!({ "value": [
        { "name": "other", "issuer": "https://token.actions.githubusercontent.com", "subject": "repo:x", "audiences": ["api://AzureADTokenExchange"] },
        { "name": "umi", "issuer": issuer(), "subject": UMI.to_uppercase(), "audiences": ["api://AzureADTokenExchange"] },
    ]})
    .to_string();
    let fics = parse_pasted_fics(&json).unwrap();
    let checks = doctor(&t, &fics, None, UnixTime(10));
    assert_eq!(
        failing_codes(&checks),
        vec![("sub", Aadsts::FicSubjectMismatch)]
    );
    assert!(parse_pasted_fics("not json").is_err());
}

#[test]
fn a_custom_audience_matches_the_app_id_in_a_v2_token() {
    let app = "d788405b-c575-41d1-83a9-83e8cbab062e";
    let t = token(&issuer(), UMI, app, 100);
    let f = fic(&issuer(), UMI, &format!("api://{app}"));
    assert_eq!(failing_codes(&doctor(&t, &[f], None, UnixTime(10))), vec![]);
}

fn draft(name: &str, issuer: &str, audiences: Vec<&str>) -> FicDraft {
    FicDraft {
        id: None,
        name: Some(name.into()),
        issuer: Some(issuer.into()),
        subject: Some(UMI.into()),
        audiences: Some(audiences.into_iter().map(str::to_owned).collect()),
        description: None,
        claims_matching_expression: None,
    }
}

#[test]
fn fic_rules_come_from_core_one_line_per_problem_at_its_input() {
    let ok = draft("umi", &issuer(), vec!["api://AzureADTokenExchange"]);
    assert_eq!(fic_problems(&ok, None, &[]), vec![]);
    let bad = draft("x", "https://example.com/*", vec![]);
    let fields: Vec<Field> = fic_problems(&bad, None, &[])
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, vec![Field::Name, Field::Issuer, Field::Audiences]);
    let taken = fic(&issuer(), UMI, "api://AzureADTokenExchange");
    let problems = fic_problems(&ok, None, std::slice::from_ref(&taken));
    assert_eq!(
        problems.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        vec![Field::Name, Field::Subject]
    );
    assert!(problems[0].1.contains("umi"), "{problems:?}");
    // Editing a credential does not collide with itself.
    assert_eq!(fic_problems(&ok, Some(taken.id), &[taken]), vec![]);
}

#[test]
fn aadsts_code_from_error_codes_or_description() {
    assert_eq!(aadsts_of(r#"{"error_codes":[700236]}"#), Some(700236));
    assert_eq!(
        aadsts_of(r#"{"error_description":"AADSTS700211: No matching"}"#),
        Some(700211)
    );
    assert_eq!(aadsts_of("<xml/>"), None);
}

#[test]
fn export_reads_endpoints_from_the_environment_with_azure_defaults_in_every_language() {
    let app = ClientId::parse("d788405b-c575-41d1-83a9-83e8cbab062e").unwrap();
    let x = client::token_request(
        &client::env_var(
            "AZURE_AUTHORITY_HOST",
            Some("https://login.microsoftonline.com"),
        ),
        LITWARE,
        app,
        "https://management.azure.com/.default",
        &ClientCredential::Assertion(client::token_of(client::MI_STEP)),
    );
    let curl = export(&x, Lang::Curl);
    assert!(
        curl.contains(
            "AZURE_AUTHORITY_HOST=\"${AZURE_AUTHORITY_HOST:-https://login.microsoftonline.com}\""
        ),
        "{curl}"
    );
    assert!(curl.contains("client_assertion=${miToken}"), "{curl}");
    for lang in Lang::ALL {
        let code = export(&x, lang);
        assert!(code.contains("https://login.microsoftonline.com"), "{code}");
        assert!(
            code.contains(&format!("/{LITWARE}/oauth2/v2.0/token")),
            "{code}"
        );
        assert!(code.contains(&app.to_string()), "{code}");
        assert!(!code.contains("{{env:"), "{code}");
    }
}
