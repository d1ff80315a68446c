//! The local rule implementations behind the seams: small checks, one per rule.
use entra_core::directory::{Directory, FederatedIdentityCredential};
use entra_core::error::Aadsts;
use entra_core::ids::{ObjectId, TenantId};
use entra_core::jose::{Jwt, b64url};
use entra_core::time::UnixTime;

use super::*;
use crate::api::HttpReq;
use crate::world::{DEFAULT_SCENARIO, parse_directory};

const CONTOSO: &str = "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f";
const UMI: &str = "02d8a4c1-3e5f-4b6a-8d7c-9e0f1a2b357d";

fn fic(issuer: &str, subject: &str, audience: &str) -> FederatedIdentityCredential {
    FederatedIdentityCredential {
        id: ObjectId::from_u128(1),
        name: "umi".into(),
        issuer: issuer.into(),
        subject: subject.into(),
        audiences: vec![audience.into()],
        description: None,
    }
}

fn token(iss: &str, sub: &str, aud: &str, exp: i64) -> Jwt {
    let claims = serde_json::json!({ "iss": iss, "sub": sub, "aud": aud, "nbf": 0, "exp": exp });
    let t = format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64url(claims.to_string().as_bytes()),
        b64url(b"sig")
    );
    Jwt::decode(&t).unwrap()
}

fn dir() -> Directory {
    parse_directory(DEFAULT_SCENARIO).unwrap()
}

fn failing(checks: &[Check]) -> Vec<Aadsts> {
    checks
        .iter()
        .filter(|c| !c.ok)
        .filter_map(|c| c.code)
        .collect()
}

#[test]
fn matching_assertion_passes_every_check() {
    let iss = format!("https://login.microsoftonline.com/{CONTOSO}/v2.0");
    let t = token(&iss, UMI, "fb60f99c-7a34-4190-8149-302f77469936", 100);
    let f = fic(&iss, UMI, "api://AzureADTokenExchange");
    let checks = doctor(&t, &f, TenantId::parse(CONTOSO), &dir(), UnixTime(10));
    assert_eq!(failing(&checks), vec![]);
}

#[test]
fn each_mismatch_names_its_code() {
    let iss = format!("https://login.microsoftonline.com/{CONTOSO}/v2.0");
    let t = token(&iss, UMI, "fb60f99c-7a34-4190-8149-302f77469936", 100);
    let d = dir();
    let check = |f: FederatedIdentityCredential, now: i64| {
        failing(&doctor(&t, &f, TenantId::parse(CONTOSO), &d, UnixTime(now)))
    };
    assert_eq!(
        check(
            fic(&format!("{iss}/"), UMI, "api://AzureADTokenExchange"),
            10
        ),
        vec![Aadsts::FicIssuerMismatch]
    );
    assert_eq!(
        check(
            fic(&iss, &UMI.to_uppercase(), "api://AzureADTokenExchange"),
            10
        ),
        vec![Aadsts::FicSubjectMismatch]
    );
    assert_eq!(
        check(fic(&iss, UMI, "api://AzureADTokenExchangeUSGov"), 10),
        vec![Aadsts::FicAudienceMismatch]
    );
    assert_eq!(
        check(fic(&iss, UMI, "api://AzureADTokenExchange"), 1000),
        vec![Aadsts::AssertionTimeRange]
    );
}

#[test]
fn entra_token_from_another_tenant_is_flagged() {
    let iss = format!("https://login.microsoftonline.com/{CONTOSO}/v2.0");
    let t = token(&iss, UMI, "fb60f99c-7a34-4190-8149-302f77469936", 100);
    let litware = TenantId::parse("eac4f0b2-6d0e-4c3f-8a41-2b9d7e5c1691");
    let checks = doctor(
        &t,
        &fic(&iss, UMI, "api://AzureADTokenExchange"),
        litware,
        &dir(),
        UnixTime(10),
    );
    assert_eq!(failing(&checks), vec![Aadsts::EntraTokenFromOtherTenant]);
}

#[test]
fn custom_audience_resolves_to_the_app_id() {
    let iss = format!("https://login.microsoftonline.com/{CONTOSO}/v2.0");
    assert!(audience_matches(
        "d788405b-c575-41d1-83a9-83e8cbab062e",
        "api://d788405b-c575-41d1-83a9-83e8cbab062e",
        &iss,
        &dir()
    ));
}

#[test]
fn fic_rules() {
    let iss = format!("https://login.microsoftonline.com/{CONTOSO}/v2.0");
    let mut f = fic(&iss, UMI, "api://AzureADTokenExchange");
    assert_eq!(fic_field_problems(&f, &[]), vec![]);
    f.name = "x".into();
    f.issuer = "http://example.com/*".into();
    f.audiences = vec![];
    let fields: Vec<FicField> = fic_field_problems(&f, &[])
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        fields,
        vec![
            FicField::Name,
            FicField::Issuer,
            FicField::Issuer,
            FicField::Audiences
        ]
    );
    let mut other = fic(&iss, UMI, "api://AzureADTokenExchange");
    other.id = ObjectId::from_u128(2);
    other.name = "UMI".into();
    let dup = fic(&iss, UMI, "api://AzureADTokenExchange");
    let fields: Vec<FicField> = fic_field_problems(&dup, &[other])
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, vec![FicField::Name, FicField::Subject]);
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
fn export_keeps_method_headers_and_body() {
    let req = HttpReq::get("/t/oauth2/v2.0/token").form(&[("scope", "https://x/.default")]);
    let curl = export(&req, Lang::Curl, Some("http://localhost:8080"));
    assert!(curl.starts_with("curl -i -X POST 'http://localhost:8080/t/oauth2/v2.0/token'"));
    assert!(curl.contains("--data-raw 'scope=https%3A%2F%2Fx%2F.default'"));
    let http = export(&req, Lang::Http, Some("http://localhost:8080"));
    assert!(http.starts_with("POST http://localhost:8080/t/oauth2/v2.0/token HTTP/1.1\n"));
    for lang in Lang::ALL {
        assert!(export(&req, lang, Some("http://h")).contains("http://h/t/oauth2/v2.0/token"));
    }
}

#[test]
fn azure_urls_for_each_endpoint() {
    assert_eq!(
        azure_url("/metadata/identity/oauth2/token?a=1"),
        "http://169.254.169.254/metadata/identity/oauth2/token?a=1"
    );
    assert_eq!(azure_url("/msi/token?x=1"), "$IDENTITY_ENDPOINT?x=1");
    assert_eq!(
        azure_url("/t/oauth2/v2.0/token"),
        "https://login.microsoftonline.com/t/oauth2/v2.0/token"
    );
    assert_eq!(
        azure_url("/blob/contosodata/reports?restype=container&comp=list"),
        "https://contosodata.blob.core.windows.net/reports?restype=container&comp=list"
    );
    assert_eq!(
        azure_url("/v1.0/devices"),
        "https://graph.microsoft.com/v1.0/devices"
    );
}
