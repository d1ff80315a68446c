//! The engine's side of external issuers: the emulated issuers' endpoints, and the sans-IO
//! key-retrieval protocol (answer, effect, documents handed back, answer again).

use serde_json::{Value, json};

use crate::engine::{
    Context, Effect, Engine, EngineConfig, IssuerChoice, Request, Response, SequentialIds,
};
use crate::issuers::{FetchStep, ISSUER_PATH_PREFIX};
use crate::keys::{sign_jwt, test_keys};
use crate::managed_identity::imds::Millis;
use crate::testutil::{LITWARE, NOW, directory};

const IDP: &str = "http://localhost:9400";
const LITWARE_OWN_APP: &str = "c8e0a2b4-6d8f-4a1c-9e3b-5d7f9a1c3e57";

fn engine(dir: crate::directory::Directory) -> Engine {
    Engine::new(
        EngineConfig {
            issuers: IssuerChoice::Entra,
            graph_prefix: "/graph".to_owned(),
            imds_throttle: false,
        },
        dir.clone(),
        dir,
        test_keys::key_set_with_issuers(),
    )
}

fn cx(ids: &SequentialIds) -> Context<'_> {
    Context {
        now: NOW,
        monotonic: Millis(0),
        ids,
    }
}

fn get(uri: &str, bearer: Option<&str>) -> Request {
    let mut b = http::Request::builder().method("GET").uri(uri);
    if let Some(t) = bearer {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.header("host", "127.0.0.1:8080").body(vec![]).unwrap()
}

fn token_request(assertion: &str) -> Request {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", LITWARE_OWN_APP),
            ("scope", "https://management.azure.com/.default"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ])
        .finish();
    http::Request::builder()
        .method("POST")
        .uri(format!("/{LITWARE}/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.into_bytes())
        .unwrap()
}

fn json_of(r: &Response) -> Value {
    serde_json::from_slice(r.body()).unwrap_or(Value::Null)
}

#[test]
fn a_runner_gets_an_id_token_and_exchanges_it_without_any_fetch() {
    let e = engine(directory());
    let ids = SequentialIds::default();
    let url = format!(
        "{ISSUER_PATH_PREFIX}/github/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
    );
    let out = e.handle(
        &get(&url, Some("mock-entra-actions-id-token-request-token")),
        cx(&ids),
    );
    assert_eq!(out.response.status(), 200);
    let token = json_of(&out.response)["value"].as_str().unwrap().to_owned();
    let out = e.handle(&token_request(&token), cx(&ids));
    assert_eq!(out.response.status(), 200, "{}", json_of(&out.response));
    assert!(out.effects.is_empty());

    let refused = e.handle(&get(&url, Some("wrong")), cx(&ids));
    assert_eq!(refused.response.status(), 401);
}

#[test]
fn a_real_issuers_keys_are_asked_for_then_used_once_handed_back() {
    let mut dir = directory();
    let own = dir
        .tenant_mut(LITWARE)
        .unwrap()
        .applications
        .iter_mut()
        .find(|a| a.app_id.to_string() == LITWARE_OWN_APP)
        .unwrap();
    let mut fic = own.federated_identity_credentials[0].clone();
    fic.name = "local-idp".into();
    fic.issuer = IDP.into();
    fic.subject = "agent".into();
    fic.audiences = vec!["api://AzureADTokenExchange".into()];
    own.federated_identity_credentials.push(fic);
    let e = engine(dir);
    let ids = SequentialIds::default();

    let key = test_keys::single(
        test_keys::AKS_ISSUER_KEY_PEM,
        test_keys::AKS_ISSUER_CERT_PEM,
    );
    let signer = key.signer().unwrap();
    let assertion = sign_jwt(
        signer,
        &json!({"alg": "RS256", "kid": signer.key_id().as_str()}),
        &json!({"iss": IDP, "sub": "agent", "aud": "api://AzureADTokenExchange",
                "iat": NOW.secs(), "exp": NOW.plus(600).secs()}),
    );

    // 1. No keys yet: the answer would be 50166, and the engine asks for the metadata.
    let first = e.handle(&token_request(&assertion), cx(&ids));
    assert_eq!(json_of(&first.response)["error_codes"][0], 50166);
    let fetch = first
        .effects
        .iter()
        .find_map(|f| match f {
            Effect::FetchIssuerKeys(f) => Some(f.clone()),
            _ => None,
        })
        .expect("the engine asks for the issuer's keys");
    assert_eq!(fetch.url, format!("{IDP}/.well-known/openid-configuration"));
    assert_eq!(fetch.step, FetchStep::Metadata);

    // 2. The shell hands the documents back, one at a time.
    let metadata = json!({"issuer": IDP, "jwks_uri": format!("{IDP}/keys")}).to_string();
    let next = e
        .issuer_document_fetched(&fetch, Ok(metadata.as_bytes()), NOW)
        .expect("then the JWKS");
    assert_eq!(next.url, format!("{IDP}/keys"));
    let jwk = key.published()[0].to_jwk(None);
    let jwks = json!({"keys": [{"kty": "RSA", "kid": jwk.kid, "n": jwk.n, "e": jwk.e}]});
    assert_eq!(
        e.issuer_document_fetched(&next, Ok(jwks.to_string().as_bytes()), NOW),
        None
    );

    // 3. The same request again: verified with the fetched key, no further fetch.
    let again = e.handle(&token_request(&assertion), cx(&ids));
    assert_eq!(again.response.status(), 200, "{}", json_of(&again.response));
    assert!(again.effects.is_empty());
}
