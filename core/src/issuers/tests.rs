//! The emulated issuers' documents and tokens, and the parsing of real issuers' documents.

use serde_json::{Value, json};

use super::*;
use crate::jose::Jwt;
use crate::testutil::*;

fn github() -> ExternalIssuer {
    directory().external_issuer_named("github").unwrap().clone()
}

fn aks() -> ExternalIssuer {
    directory()
        .external_issuer_named("aks-contoso")
        .unwrap()
        .clone()
}

#[test]
fn github_subjects_follow_environment_then_pull_request_then_ref() {
    let mut job = github().github.unwrap();
    assert_eq!(
        github_subject(&job),
        "repo:litware/deploy-infra:environment:production"
    );
    job.environment = None;
    assert_eq!(
        github_subject(&job),
        "repo:litware/deploy-infra:ref:refs/heads/main"
    );
    job.event_name = "pull_request".into();
    assert_eq!(
        github_subject(&job),
        "repo:litware/deploy-infra:pull_request"
    );
}

#[test]
fn a_github_token_has_githubs_header_and_claims_and_verifies_with_the_issuers_jwks() {
    let issuer = github();
    let keys = keys();
    let claims = github_claims(
        &issuer,
        issuer.github.as_ref().unwrap(),
        "api://AzureADTokenExchange",
        NOW,
        Guid::from_u128(7),
    );
    let token = mint(&issuer, &keys, &claims).unwrap();
    let jwt = Jwt::decode(&token).unwrap();
    let header_names: Vec<&str> = jwt.header().keys().map(String::as_str).collect();
    assert_eq!(header_names, ["typ", "alg", "x5t", "kid"]);
    let c = jwt.claims();
    assert_eq!(c["iss"], GITHUB_ACTIONS_ISSUER);
    assert_eq!(c["repository"], "litware/deploy-infra");
    assert_eq!(c["repository_owner"], "litware");
    assert_eq!(c["environment"], "production");
    assert_eq!(
        c["job_workflow_ref"],
        "litware/deploy-infra/.github/workflows/deploy.yml@refs/heads/main"
    );
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        GITHUB_TOKEN_LIFETIME_SECS
    );
    // The JWKS the emulator serves holds the key, in GitHub's member order.
    let doc = jwks(&issuer, keys.issuer("github").unwrap(), NOW);
    let jwk = &doc["keys"][0];
    assert_eq!(jwk["kid"].as_str(), jwt.kid());
    let names: Vec<&str> = jwk
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["n", "kty", "kid", "alg", "e", "use", "x5c", "x5t"]);
    let parsed = parse_jwks(serde_json::to_vec(&doc).unwrap().as_slice()).unwrap();
    let key = find_external_key(&parsed, &jwt).expect("kid found");
    key.key
        .verify(&jwt)
        .expect("signature verifies with the served JWK");
}

#[test]
fn a_projected_service_account_token_names_namespace_and_account() {
    let issuer = aks();
    let keys = keys();
    let sa = issuer.kubernetes.clone().unwrap();
    let claims = kubernetes_claims(
        &issuer,
        &sa,
        "api://AzureADTokenExchange",
        NOW,
        Guid::from_u128(9),
    );
    let token = mint(&issuer, &keys, &claims).unwrap();
    let jwt = Jwt::decode(&token).unwrap();
    assert!(
        jwt.header().get("typ").is_none(),
        "Kubernetes tokens carry no typ"
    );
    let c = jwt.claims();
    assert_eq!(c["sub"], "system:serviceaccount:payments:payments-api");
    assert_eq!(c["aud"], json!(["api://AzureADTokenExchange"]));
    assert_eq!(c["kubernetes.io"]["namespace"], "payments");
    assert_eq!(c["kubernetes.io"]["serviceaccount"]["name"], "payments-api");
    assert!(issuer.issuer.contains(".oic.prod-aks.azure.com/"));
    assert!(issuer.issuer.ends_with('/'));
}

#[test]
fn metadata_keeps_the_real_issuer_and_points_at_the_emulators_jwks() {
    let gh = metadata(&github(), "http://127.0.0.1:8080");
    assert_eq!(gh["issuer"], GITHUB_ACTIONS_ISSUER);
    assert_eq!(
        gh["jwks_uri"],
        "http://127.0.0.1:8080/_issuers/github/.well-known/jwks"
    );
    let k8s = metadata(&aks(), "http://127.0.0.1:8080/");
    assert_eq!(
        k8s["jwks_uri"],
        "http://127.0.0.1:8080/_issuers/aks-contoso/openid/v1/jwks"
    );
}

#[test]
fn only_https_and_loopback_http_are_fetched() {
    assert!(fetchable(
        "https://token.actions.githubusercontent.com/.well-known/jwks"
    ));
    assert!(fetchable(
        "http://localhost:9000/.well-known/openid-configuration"
    ));
    assert!(fetchable("http://127.0.0.1:9000/x"));
    assert!(fetchable("http://[::1]:9000/x"));
    assert!(!fetchable("http://example.com/x"));
    assert!(!fetchable("http://localhost.example.com/x"));
    assert!(!fetchable("file:///etc/passwd"));
    assert_eq!(first_fetch("http://example.com"), None);
    assert_eq!(
        first_fetch("http://localhost:9000/").unwrap().url,
        "http://localhost:9000/.well-known/openid-configuration"
    );
}

fn fetch(step: FetchStep) -> KeyFetch {
    KeyFetch {
        issuer: "http://localhost:9000".into(),
        url: "http://localhost:9000/x".into(),
        step,
    }
}

#[test]
fn metadata_leads_to_its_jwks_uri_and_a_jwks_settles_the_entry() {
    let mut cache = ExternalKeyCache::default();
    let meta = br#"{"issuer":"http://localhost:9000","jwks_uri":"http://localhost:9000/jwks"}"#;
    let next = cache
        .fetched(&fetch(FetchStep::Metadata), Ok(&meta[..]), NOW)
        .expect("the JWKS is asked for next");
    assert_eq!(next.url, "http://localhost:9000/jwks");
    assert_eq!(next.step, FetchStep::Jwks);
    let keys = keys();
    let doc = jwks(&github(), keys.issuer("github").unwrap(), NOW);
    let body = serde_json::to_vec(&doc).unwrap();
    assert_eq!(cache.fetched(&next, Ok(body.as_slice()), NOW), None);
    let entry = cache.get("http://localhost:9000").unwrap();
    assert_eq!(entry.outcome.as_ref().unwrap().len(), 1);
    assert!(entry.is_fresh(NOW.plus(EXTERNAL_KEYS_TTL_SECS - 1)));
    assert!(!entry.is_fresh(NOW.plus(EXTERNAL_KEYS_TTL_SECS)));
}

#[test]
fn unreachable_documents_are_50166_and_a_bad_key_set_is_900612() {
    let mut cache = ExternalKeyCache::default();
    let issuer = "http://localhost:9000";
    let outcome = |cache: &ExternalKeyCache| cache.get(issuer).unwrap().outcome.clone().err();
    cache.fetched(&fetch(FetchStep::Metadata), Err("connection refused"), NOW);
    assert_eq!(outcome(&cache), Some(Aadsts::ExternalOidcRequestFailed));
    cache.fetched(&fetch(FetchStep::Metadata), Ok(&b"<html>"[..]), NOW);
    assert_eq!(outcome(&cache), Some(Aadsts::ExternalOidcRequestFailed));
    cache.fetched(&fetch(FetchStep::Jwks), Err("timeout"), NOW);
    assert_eq!(outcome(&cache), Some(Aadsts::ExternalOidcRequestFailed));
    for bad in [
        &b"not json"[..],
        &br#"{"no_keys":[]}"#[..],
        &br#"{"keys":[{"kty":"RSA","kid":"a","n":"!!","e":"AQAB"}]}"#[..],
    ] {
        cache.fetched(&fetch(FetchStep::Jwks), Ok(bad), NOW);
        assert_eq!(outcome(&cache), Some(Aadsts::ExternalKeysUnparsable));
    }
    // A failure is remembered only briefly.
    assert!(
        !cache
            .get(issuer)
            .unwrap()
            .is_fresh(NOW.plus(EXTERNAL_FAILURE_TTL_SECS))
    );
}

#[test]
fn keys_of_other_types_are_skipped() {
    let keys = keys();
    let mut doc = jwks(&github(), keys.issuer("github").unwrap(), NOW);
    doc["keys"].as_array_mut().unwrap().insert(
        0,
        json!({"kty":"EC","crv":"P-256","kid":"ec","x":"AA","y":"AA"}),
    );
    let parsed = parse_jwks(serde_json::to_vec(&doc).unwrap().as_slice()).unwrap();
    assert_eq!(parsed.len(), 1);
    assert_ne!(parsed[0].kid.as_deref(), Some("ec"));
    let empty: Value = json!({"keys": []});
    assert!(
        parse_jwks(serde_json::to_vec(&empty).unwrap().as_slice())
            .unwrap()
            .is_empty()
    );
}
