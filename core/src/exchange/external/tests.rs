//! Assertions from issuers outside Entra: the default scenario's emulated GitHub Actions and AKS
//! issuers, real issuers through the key cache, and flexible FICs.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::*;
use crate::directory::ClaimsMatchingExpression;
use crate::ids::Guid;
use crate::issuers::{
    self, ExternalKeyCache, FetchStep, IssuerKeysEntry, KeyFetch, github_claims, kubernetes_claims,
};
use crate::keys::{KeySet, Signer as _, sign_jwt, test_keys};
use crate::testutil::*;

const ARM: &str = "https://management.azure.com/.default";
const LITWARE_OWN_APP_ID: &str = "c8e0a2b4-6d8f-4a1c-9e3b-5d7f9a1c3e57";
const EXCHANGE_AUD: &str = "api://AzureADTokenExchange";

fn form(client: &str, assertion: &str) -> TokenRequest {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("scope", ARM),
            ("client_id", client),
            ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
            ("client_assertion", assertion),
            ("grant_type", "client_credentials"),
        ])
        .finish();
    TokenRequest::parse(
        &LITWARE.to_string(),
        TokenEndpoint::V2,
        None,
        None,
        body.as_bytes(),
    )
    .unwrap()
}

fn run_with(
    dir: &Directory,
    client: &str,
    assertion: &str,
    external: &ExternalKeys<'_>,
) -> Result<Grant, EntraError> {
    let keys = keys();
    exchange_with(&form(client, assertion), dir, &env(&keys, NOW, 5), external)
}

fn run(dir: &Directory, client: &str, assertion: &str) -> Result<Grant, EntraError> {
    run_with(dir, client, assertion, &ExternalKeys::default())
}

fn github_token(dir: &Directory, edit: impl FnOnce(&mut crate::directory::GitHubJob)) -> String {
    let issuer = dir.external_issuer_named("github").unwrap();
    let mut job = issuer.github.clone().unwrap();
    edit(&mut job);
    let claims = github_claims(issuer, &job, EXCHANGE_AUD, NOW, Guid::from_u128(1));
    issuers::mint(issuer, &keys(), &claims).unwrap()
}

fn aks_token(dir: &Directory, namespace: &str) -> String {
    let issuer = dir.external_issuer_named("aks-contoso").unwrap();
    let mut sa = issuer.kubernetes.clone().unwrap();
    sa.namespace = namespace.to_owned();
    let claims = kubernetes_claims(issuer, &sa, EXCHANGE_AUD, NOW, Guid::from_u128(2));
    issuers::mint(issuer, &keys(), &claims).unwrap()
}

#[test]
fn a_github_actions_token_of_the_trusted_environment_gets_an_arm_token_in_litware() {
    let dir = directory();
    let t = github_token(&dir, |_| {});
    let grant = run(&dir, LITWARE_OWN_APP_ID, &t).expect("token");
    let jwt = Jwt::decode(&grant.token.access_token).unwrap();
    assert_eq!(jwt.str_claim("tid"), Some(LITWARE.to_string().as_str()));
}

#[test]
fn an_aks_service_account_token_gets_an_arm_token_in_litware_through_the_multi_tenant_app() {
    let dir = directory();
    let t = aks_token(&dir, "payments");
    run(&dir, &MULTI_TENANT_APP.to_string(), &t).expect("token");
}

#[test]
fn a_branch_job_where_the_fic_names_the_environment_is_700213() {
    let dir = directory();
    let t = github_token(&dir, |j| j.environment = None);
    let e = run(&dir, LITWARE_OWN_APP_ID, &t).unwrap_err();
    assert_eq!(e.code(), Aadsts::FicSubjectMismatch);
    assert!(
        e.message()
            .contains("'repo:litware/deploy-infra:ref:refs/heads/main'")
    );
}

#[test]
fn a_subject_differing_only_in_case_is_700213() {
    let dir = directory();
    let t = github_token(&dir, |j| j.repository = "Litware/deploy-infra".into());
    let e = run(&dir, LITWARE_OWN_APP_ID, &t).unwrap_err();
    assert_eq!(e.code(), Aadsts::FicSubjectMismatch);
}

#[test]
fn a_fic_issuer_with_a_trailing_slash_is_700211_for_github() {
    let mut dir = directory();
    for t in &mut dir.tenants {
        for a in &mut t.applications {
            for f in &mut a.federated_identity_credentials {
                if f.issuer == issuers::GITHUB_ACTIONS_ISSUER {
                    f.issuer.push('/');
                }
            }
        }
    }
    let t = github_token(&dir, |_| {});
    let e = run(&dir, LITWARE_OWN_APP_ID, &t).unwrap_err();
    assert_eq!(e.code(), Aadsts::FicIssuerMismatch);
}

#[test]
fn a_token_signed_with_a_key_the_issuer_does_not_publish_is_7000272_naming_kid_and_issuer() {
    let dir = directory();
    let issuer = dir.external_issuer_named("github").unwrap();
    let claims = github_claims(
        issuer,
        issuer.github.as_ref().unwrap(),
        EXCHANGE_AUD,
        NOW,
        Guid::from_u128(3),
    );
    // The emulated issuer rotated to another key: the one that signed this token is gone.
    let (old, _) = test_keys::attacker();
    let kid = old.key_id().as_str().to_owned();
    let t = sign_jwt(
        &old,
        &json!({"typ": "JWT", "alg": "RS256", "x5t": kid, "kid": kid}),
        &claims,
    );
    let e = run(&dir, LITWARE_OWN_APP_ID, &t).unwrap_err();
    assert_eq!(e.code(), Aadsts::ExternalKeyNotFound);
    assert_eq!(e.http_status(), 401);
    assert_eq!(
        e.message(),
        format!(
            "AADSTS7000272: The certificate with identifier {kid} used to sign the federated credential could not be found in the metadata of identity provider https://token.actions.githubusercontent.com. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token."
        )
    );
}

#[test]
fn a_tampered_github_token_with_the_right_kid_is_700027() {
    let dir = directory();
    let t = github_token(&dir, |_| {});
    let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
    let mut claims: Map<String, Value> = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&parts[1])
            .unwrap(),
    )
    .unwrap();
    claims.insert("actor".into(), json!("mallory"));
    parts[1] = crate::jose::b64url(&serde_json::to_vec(&claims).unwrap());
    let e = run(&dir, LITWARE_OWN_APP_ID, &parts.join(".")).unwrap_err();
    assert_eq!(e.code(), Aadsts::AssertionSignature);
}

// Real issuers: keys come from the cache the shell fills.

const LOCAL_IDP: &str = "http://localhost:9400";

/// The default scenario with a FIC on Litware Own App trusting a local identity provider.
fn with_local_fic() -> Directory {
    let mut dir = directory();
    let app = &mut dir.tenant_mut(LITWARE).unwrap().applications[0];
    assert_eq!(app.app_id.to_string(), LITWARE_OWN_APP_ID);
    app.federated_identity_credentials
        .push(crate::directory::FederatedIdentityCredential {
            id: crate::ids::ObjectId::from_u128(77),
            name: "local-idp".into(),
            issuer: LOCAL_IDP.into(),
            subject: "build-agent".into(),
            audiences: vec![EXCHANGE_AUD.into()],
            description: None,
            claims_matching_expression: None,
            created_at: None,
        });
    dir
}

/// A token of the local identity provider, signed with the fixture key `github` (standing for
/// the provider's key).
fn local_token() -> String {
    let set = test_keys::single(
        test_keys::GITHUB_ISSUER_KEY_PEM,
        test_keys::GITHUB_ISSUER_CERT_PEM,
    );
    let signer = set.signer().unwrap();
    sign_jwt(
        signer,
        &json!({"alg": "RS256", "kid": signer.key_id().as_str(), "typ": "JWT"}),
        &json!({"iss": LOCAL_IDP, "sub": "build-agent", "aud": EXCHANGE_AUD,
                "iat": NOW.secs(), "exp": NOW.plus(600).secs()}),
    )
}

fn local_jwks(keyset: &KeySet) -> Vec<u8> {
    let github = directory().external_issuer_named("github").unwrap().clone();
    serde_json::to_vec(&issuers::jwks(&github, keyset, NOW)).unwrap()
}

fn filled_cache(jwks: &[u8]) -> ExternalKeyCache {
    let mut cache = ExternalKeyCache::default();
    let f = KeyFetch {
        issuer: LOCAL_IDP.into(),
        url: format!("{LOCAL_IDP}/jwks"),
        step: FetchStep::Jwks,
    };
    assert_eq!(cache.fetched(&f, Ok(jwks), NOW), None);
    cache
}

#[test]
fn a_real_issuer_whose_keys_are_not_cached_is_50166_and_its_keys_are_asked_for() {
    let dir = with_local_fic();
    let cache = ExternalKeyCache::default();
    let external = ExternalKeys::new(&cache);
    let e = run_with(&dir, LITWARE_OWN_APP_ID, &local_token(), &external).unwrap_err();
    assert_eq!(e.code(), Aadsts::ExternalOidcRequestFailed);
    assert_eq!(e.http_status(), 400);
    assert_eq!(external.wanted().as_deref(), Some(LOCAL_IDP));
}

#[test]
fn a_fic_mistake_is_reported_without_asking_for_keys() {
    let dir = directory();
    let cache = ExternalKeyCache::default();
    let external = ExternalKeys::new(&cache);
    let e = run_with(&dir, LITWARE_OWN_APP_ID, &local_token(), &external).unwrap_err();
    assert_eq!(e.code(), Aadsts::FicIssuerMismatch);
    assert_eq!(external.wanted(), None);
}

#[test]
fn a_real_issuers_fetched_keys_verify_its_token() {
    let dir = with_local_fic();
    let published = test_keys::single(
        test_keys::GITHUB_ISSUER_KEY_PEM,
        test_keys::GITHUB_ISSUER_CERT_PEM,
    );
    let cache = filled_cache(&local_jwks(&published));
    let external = ExternalKeys::new(&cache);
    run_with(&dir, LITWARE_OWN_APP_ID, &local_token(), &external).expect("token");
    assert_eq!(external.wanted(), None);
}

#[test]
fn a_rotated_real_issuer_key_is_7000272_and_asks_for_a_refresh() {
    let dir = with_local_fic();
    // The provider now publishes another key only.
    let rotated = test_keys::single(
        test_keys::AKS_ISSUER_KEY_PEM,
        test_keys::AKS_ISSUER_CERT_PEM,
    );
    let cache = filled_cache(&local_jwks(&rotated));
    let external = ExternalKeys::new(&cache);
    let e = run_with(&dir, LITWARE_OWN_APP_ID, &local_token(), &external).unwrap_err();
    assert_eq!(e.code(), Aadsts::ExternalKeyNotFound);
    assert!(e.message().contains(LOCAL_IDP));
    assert_eq!(external.wanted().as_deref(), Some(LOCAL_IDP));
}

#[test]
fn a_remembered_failure_answers_its_code_until_it_expires() {
    let dir = with_local_fic();
    for code in [
        Aadsts::ExternalOidcRequestFailed,
        Aadsts::ExternalKeysUnparsable,
    ] {
        let mut cache = ExternalKeyCache::default();
        cache.store(
            LOCAL_IDP,
            IssuerKeysEntry {
                fetched_at: NOW,
                outcome: Err(code),
            },
        );
        let external = ExternalKeys::new(&cache);
        let e = run_with(&dir, LITWARE_OWN_APP_ID, &local_token(), &external).unwrap_err();
        assert_eq!(e.code(), code);
        assert_eq!(external.wanted(), None);
    }
}

#[test]
fn without_a_key_cache_a_real_issuer_is_50166() {
    let dir = with_local_fic();
    let e = run(&dir, LITWARE_OWN_APP_ID, &local_token()).unwrap_err();
    assert_eq!(e.code(), Aadsts::ExternalOidcRequestFailed);
    assert_eq!(
        e.message(),
        "AADSTS50166: Request to External OIDC endpoint failed."
    );
}

// Flexible FICs.

fn with_expression(value: &str) -> Directory {
    let mut dir = directory();
    for f in &mut dir.tenant_mut(LITWARE).unwrap().applications[0].federated_identity_credentials {
        if f.issuer == issuers::GITHUB_ACTIONS_ISSUER {
            f.subject.clear();
            f.claims_matching_expression = Some(ClaimsMatchingExpression {
                value: value.into(),
                language_version: 1,
            });
        }
    }
    dir
}

#[test]
fn a_flexible_fic_accepts_every_branch_its_expression_matches() {
    let dir = with_expression(
        "claims['sub'] matches 'repo:litware/deploy-infra:ref:refs/heads/*' and claims['repository_id'] eq '812345678'",
    );
    let t = github_token(&dir, |j| {
        j.environment = None;
        j.git_ref = "refs/heads/release/2026-12".into();
    });
    run(&dir, LITWARE_OWN_APP_ID, &t).expect("token");
}

#[test]
fn a_flexible_fic_whose_expression_does_not_match_is_7002131() {
    let dir = with_expression("claims['sub'] matches 'repo:litware/deploy-infra:ref:refs/heads/*'");
    let t = github_token(&dir, |_| {}); // an environment job
    let e = run(&dir, LITWARE_OWN_APP_ID, &t).unwrap_err();
    assert_eq!(e.code(), Aadsts::FicExpressionMismatch);
    assert_eq!(
        e.message(),
        "AADSTS7002131: No matching federated identity record found for presented assertion subject 'repo:litware/deploy-infra:environment:production' or no federated identity credential expression matched. Please check your federated identity credential Subject, Expression, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
    );
}
