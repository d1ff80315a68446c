//! Tests of the token endpoint's decisions, in Entra's validation order, over the default scenario.

use insta::assert_json_snapshot;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::directory::{KeyCredential, TokenVersion};
use crate::ids::{Guid, KeyCredentialId};
use crate::jose::b64url;
use crate::keys::{KeySet, sign_jwt, test_keys};
use crate::testutil::*;
use crate::token::{IssuerMode, issue_managed_identity_token};

const FED: &str = JWT_BEARER_ASSERTION_TYPE;
const ARM: &str = "https://management.azure.com/.default";
const STORAGE: &str = "https://storage.azure.com/.default";
const GRAPH: &str = "https://graph.microsoft.com/.default";

/// Asserts the code and snapshots the envelope (named after the calling test).
macro_rules! assert_code {
    ($result:expr, $code:expr) => {{
        let e: EntraError = $result.expect_err("the request must fail");
        assert_eq!(e.code(), $code, "{}", e.message());
        assert_json_snapshot!(e.to_body(trace(), NOW, "login.microsoftonline.com"));
    }};
}

fn body(pairs: &[(&str, &str)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

fn parse(tenant: &str, pairs: &[(&str, &str)]) -> TokenRequest {
    TokenRequest::parse(tenant, TokenEndpoint::V2, None, None, &body(pairs))
        .expect("well-formed request")
}

fn run(dir: &Directory, tenant: &str, pairs: &[(&str, &str)]) -> Result<Grant, EntraError> {
    let keys = keys();
    exchange(&parse(tenant, pairs), dir, &env(&keys, NOW, 100))
}

/// The MI token for `resource`, as IMDS hands it out at `NOW`.
fn mi_token_for(dir: &Directory, resource: &str) -> String {
    let keys = keys();
    let (props, mirid) = umi();
    issue_managed_identity_token(dir, &props, &mirid, resource, &env(&keys, NOW, 1))
        .expect("MI token")
        .access_token
}

fn mi_assertion(dir: &Directory) -> String {
    mi_token_for(dir, "api://AzureADTokenExchange")
}

fn federated<'a>(client: &'a str, scope: &'a str, assertion: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("scope", scope),
        ("client_id", client),
        ("client_assertion_type", FED),
        ("client_assertion", assertion),
        ("grant_type", "client_credentials"),
    ]
}

fn secret<'a>(client: &'a str, scope: &'a str, secret: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client),
        ("scope", scope),
        ("client_secret", secret),
        ("grant_type", "client_credentials"),
    ]
}

fn s(v: impl ToString) -> String {
    v.to_string()
}

/// A JWT signed by the emulator's key with arbitrary header and claims.
fn signed(header: Value, claims: Value) -> String {
    let keys = keys();
    sign_jwt(keys.signer().unwrap(), &header, &claims)
}

fn unsigned(header: &str, claims: &str) -> String {
    format!(
        "{}.{}.",
        b64url(header.as_bytes()),
        b64url(claims.as_bytes())
    )
}

fn decoded_grant(g: &Grant) -> Value {
    decoded(&g.token.access_token)
}

// ---------------------------------------------------------------------------------------------
// The seeds' flows over the default scenario.

#[test]
fn contoso_mi_token_buys_a_contoso_storage_token_for_the_multi_tenant_app() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let g = run(
        &dir,
        &s(CONTOSO),
        &federated(&s(MULTI_TENANT_APP), STORAGE, &mi),
    )
    .unwrap();
    assert_eq!(g.expires_in, 3599);
    assert_eq!(g.ext_expires_in, 3599);
    assert_eq!(g.token.resource, "https://storage.azure.com");
    assert_json_snapshot!(decoded_grant(&g));
}

#[test]
fn app_without_a_service_principal_in_its_home_tenant_is_refused_with_7000229() {
    let mut dir = directory();
    dir.tenant_mut(CONTOSO)
        .unwrap()
        .service_principals
        .retain(|sp| sp.app_id != MULTI_TENANT_APP);
    let mi = mi_assertion(&dir);
    let e = run(
        &dir,
        &s(CONTOSO),
        &federated(&s(MULTI_TENANT_APP), STORAGE, &mi),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::MissingServicePrincipal);
    assert_eq!(
        (e.http_status(), e.oauth_error().as_str()),
        (401, "invalid_client")
    );
    assert_eq!(
        e.message(),
        format!(
            "AADSTS7000229: The client application {MULTI_TENANT_APP} is missing service principal in the tenant {CONTOSO}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119"
        )
    );
}

#[test]
fn multi_tenant_app_gets_a_litware_arm_token_with_litwares_service_principal_as_oid() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let g = run(
        &dir,
        "litware.onmicrosoft.com",
        &federated(&s(MULTI_TENANT_APP), ARM, &mi),
    )
    .unwrap();
    let jwt = Jwt::decode(&g.token.access_token).unwrap();
    assert_eq!(
        jwt.str_claim("oid"),
        Some(s(MULTI_TENANT_APP_LITWARE_SP).as_str())
    );
    assert_eq!(jwt.str_claim("tid"), Some(s(LITWARE).as_str()));
    assert_eq!(jwt.str_claim("aud"), Some("https://management.azure.com"));
    assert_json_snapshot!(decoded_grant(&g));
}

#[test]
fn multi_tenant_app_graph_token_in_litware_carries_its_assigned_role() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let g = run(
        &dir,
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), GRAPH, &mi),
    )
    .unwrap();
    let jwt = Jwt::decode(&g.token.access_token).unwrap();
    assert_eq!(jwt.claims()["roles"], json!(["Device.Read.All"]));
}

#[test]
fn litware_own_app_trusting_contosos_identity_is_700236() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    assert_code!(
        run(
            &dir,
            &s(LITWARE),
            &federated(&s(LITWARE_OWN_APP), STORAGE, &mi)
        ),
        Aadsts::EntraTokenFromOtherTenant
    );
}

#[test]
fn multi_tenant_app_without_service_principal_in_fabrikam_is_700016() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    assert_code!(
        run(
            &dir,
            &s(FABRIKAM),
            &federated(&s(MULTI_TENANT_APP), ARM, &mi)
        ),
        Aadsts::AppNotFound
    );
}

#[test]
fn custom_audience_v2_mi_token_is_accepted_by_the_fic_and_a_v2_custom_api_token_follows() {
    let dir = directory();
    let mi = mi_token_for(&dir, &format!("api://{FEDERATION_APP}"));
    let scope = format!("api://{FEDERATION_APP}/.default");
    let g = run(
        &dir,
        &s(CONTOSO),
        &federated(&s(CUSTOM_AUDIENCE_APP), &scope, &mi),
    )
    .unwrap();
    assert_eq!(g.token.version, TokenVersion::V2);
    assert_json_snapshot!(decoded_grant(&g));
}

#[test]
fn custom_audience_with_access_token_version_1_makes_a_v1_mi_token_that_fails_on_issuer_700211() {
    let mut dir = directory();
    dir.tenant_mut(CONTOSO).unwrap().applications[1]
        .api
        .requested_access_token_version = Some(1);
    let mi = mi_token_for(&dir, &format!("api://{FEDERATION_APP}"));
    assert_eq!(
        Jwt::decode(&mi).unwrap().str_claim("iss"),
        Some(format!("https://sts.windows.net/{CONTOSO}/").as_str())
    );
    assert_code!(
        run(
            &dir,
            &s(CONTOSO),
            &federated(&s(CUSTOM_AUDIENCE_APP), ARM, &mi)
        ),
        Aadsts::FicIssuerMismatch
    );
}

#[test]
fn secret_authenticated_graph_token_is_v1_with_appidacr_1_and_its_role() {
    let dir = directory();
    let g = run(
        &dir,
        &s(CONTOSO),
        &secret(&s(CONTOSO_ADMIN), GRAPH, CONTOSO_ADMIN_SECRET),
    )
    .unwrap();
    assert_json_snapshot!(decoded_grant(&g));
}

#[test]
fn secret_in_http_basic_is_url_decoded_and_accepted() {
    let dir = directory();
    let keys = keys();
    let basic = STANDARD.encode(format!(
        "{CONTOSO_ADMIN}:{}",
        CONTOSO_ADMIN_SECRET.replace('~', "%7E")
    ));
    let req = TokenRequest::parse(
        "contoso.onmicrosoft.com",
        TokenEndpoint::V2,
        Some(&format!("Basic {basic}")),
        Some("application/x-www-form-urlencoded; charset=utf-8"),
        &body(&[("grant_type", "client_credentials"), ("scope", GRAPH)]),
    )
    .unwrap();
    assert!(exchange(&req, &dir, &env(&keys, NOW, 100)).is_ok());
}

#[test]
fn cae_capable_clients_get_86399_second_tokens() {
    let dir = directory();
    let client = s(CONTOSO_ADMIN);
    let mut pairs = secret(&client, GRAPH, CONTOSO_ADMIN_SECRET);
    let claims = r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#;
    pairs.push(("claims", claims));
    let g = run(&dir, &s(CONTOSO), &pairs).unwrap();
    assert_eq!(g.expires_in, 86_399);
    assert_eq!(g.token.expires_on, NOW.plus(86_399));
    assert_json_snapshot!(g.to_v2_body());
}

#[test]
fn v2_body_has_numbers_and_v1_body_has_strings() {
    let dir = directory();
    let g = run(
        &dir,
        &s(CONTOSO),
        &secret(&s(CONTOSO_ADMIN), GRAPH, CONTOSO_ADMIN_SECRET),
    )
    .unwrap();
    assert_eq!(g.to_v2_body()["expires_in"], json!(3599));
    let v1 = g.to_v1_body(NOW.plus(99));
    assert_eq!(v1["expires_in"], json!("3500"));
    assert_eq!(v1["resource"], json!("https://graph.microsoft.com"));
    let keys: Vec<&str> = v1.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "token_type",
            "expires_in",
            "ext_expires_in",
            "expires_on",
            "not_before",
            "resource",
            "access_token"
        ]
    );
}

#[test]
fn v1_endpoint_takes_the_resource_parameter_and_echoes_it_as_audience() {
    let dir = directory();
    let keys = keys();
    let req = TokenRequest::parse(
        &s(CONTOSO),
        TokenEndpoint::V1,
        None,
        None,
        &body(&[
            ("grant_type", "client_credentials"),
            ("client_id", &s(CONTOSO_ADMIN)),
            ("client_secret", CONTOSO_ADMIN_SECRET),
            ("resource", "https://management.azure.com/"),
        ]),
    )
    .unwrap();
    let g = exchange(&req, &dir, &env(&keys, NOW, 100)).unwrap();
    let jwt = Jwt::decode(&g.token.access_token).unwrap();
    assert_eq!(jwt.str_claim("aud"), Some("https://management.azure.com/"));
}

#[test]
fn mock_issuer_mode_tokens_match_fics_written_with_entra_issuers() {
    let dir = directory();
    let keys = keys();
    let mode = IssuerMode::Mock {
        base_url: "http://localhost:8080".into(),
    };
    let mut e = env(&keys, NOW, 1);
    e.issuers = &mode;
    let (props, mirid) = umi();
    let mi = issue_managed_identity_token(&dir, &props, &mirid, "api://AzureADTokenExchange", &e)
        .unwrap()
        .access_token;
    let req = parse(&s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &mi));
    let g = exchange(&req, &dir, &e).unwrap();
    let jwt = Jwt::decode(&g.token.access_token).unwrap();
    assert_eq!(
        jwt.str_claim("iss"),
        Some(format!("http://localhost:8080/{LITWARE}/").as_str())
    );
}

// ---------------------------------------------------------------------------------------------
// One test per rule.

#[test]
fn unknown_tenant_is_90002() {
    assert_code!(
        run(
            &directory(),
            "nowhere.onmicrosoft.com",
            &secret(&s(CONTOSO_ADMIN), GRAPH, "x")
        ),
        Aadsts::TenantNotFound
    );
}

#[test]
fn malformed_tenant_segment_is_900023() {
    assert_code!(
        TokenRequest::parse("not a tenant!", TokenEndpoint::V2, None, None, b""),
        Aadsts::InvalidTenantName
    );
    let keys = keys();
    let req = TokenRequest::new("bad_segment", TokenEndpoint::V2);
    assert_eq!(
        exchange(&req, &directory(), &env(&keys, NOW, 1))
            .unwrap_err()
            .code(),
        Aadsts::InvalidTenantName
    );
}

#[test]
fn client_credentials_over_common_is_9001023() {
    assert_code!(
        run(
            &directory(),
            "common",
            &secret(&s(CONTOSO_ADMIN), GRAPH, CONTOSO_ADMIN_SECRET)
        ),
        Aadsts::GrantTypeNotSupportedOverCommon
    );
    for alias in ["consumers", "organizations"] {
        let e = run(&directory(), alias, &[]).unwrap_err();
        assert_eq!(e.code(), Aadsts::GrantTypeNotSupportedOverCommon);
    }
}

#[test]
fn empty_body_names_grant_type_first_in_900144() {
    assert_code!(
        run(&directory(), &s(CONTOSO), &[]),
        Aadsts::MissingParameter
    );
}

#[test]
fn missing_client_id_is_900144_naming_client_id() {
    let e = run(
        &directory(),
        &s(CONTOSO),
        &[("grant_type", "client_credentials"), ("scope", GRAPH)],
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::MissingParameter);
    assert_eq!(e.args(), ["client_id"]);
}

#[test]
fn missing_scope_is_900144_naming_scope() {
    let e = run(
        &directory(),
        &s(CONTOSO),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &s(CONTOSO_ADMIN)),
        ],
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::MissingParameter);
    assert_eq!(e.args(), ["scope"]);
}

#[test]
fn a_grant_type_other_than_client_credentials_is_70003() {
    assert_code!(
        run(&directory(), &s(CONTOSO), &[("grant_type", "password")]),
        Aadsts::UnsupportedGrantType
    );
}

#[test]
fn resource_parameter_on_v2_is_901002() {
    assert_code!(
        run(
            &directory(),
            &s(CONTOSO),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &s(CONTOSO_ADMIN)),
                ("resource", "https://graph.microsoft.com"),
            ]
        ),
        Aadsts::ResourceParameterNotSupported
    );
}

#[test]
fn repeated_parameter_is_9000411() {
    assert_code!(
        TokenRequest::parse(
            &s(CONTOSO),
            TokenEndpoint::V2,
            None,
            None,
            b"scope=a%2F.default&scope=b%2F.default"
        ),
        Aadsts::DuplicateParameter
    );
}

#[test]
fn scope_without_default_suffix_is_1002012_echoing_the_whole_scope() {
    let scope = "https://graph.microsoft.com/User.Read offline_access openid";
    let e = run(
        &directory(),
        &s(CONTOSO),
        &secret(&s(CONTOSO_ADMIN), scope, CONTOSO_ADMIN_SECRET),
    )
    .unwrap_err();
    assert!(
        e.message().starts_with(&format!(
            "AADSTS1002012: The provided value for scope {scope} is not valid."
        )),
        "{}",
        e.message()
    );
    assert_code!(
        run(
            &directory(),
            &s(CONTOSO),
            &secret(&s(CONTOSO_ADMIN), scope, CONTOSO_ADMIN_SECRET)
        ),
        Aadsts::ScopeWithoutDefault
    );
}

#[test]
fn scope_with_an_empty_resource_is_70011() {
    assert_code!(
        run(
            &directory(),
            &s(CONTOSO),
            &secret(&s(CONTOSO_ADMIN), "/.default", CONTOSO_ADMIN_SECRET)
        ),
        Aadsts::InvalidScope
    );
}

#[test]
fn scope_naming_two_resources_is_700022() {
    let scope = format!("{GRAPH} {ARM}");
    assert_code!(
        run(
            &directory(),
            &s(CONTOSO),
            &secret(&s(CONTOSO_ADMIN), &scope, CONTOSO_ADMIN_SECRET)
        ),
        Aadsts::MultipleResourcesInScope
    );
}

#[test]
fn the_same_resource_twice_and_oidc_scopes_are_one_resource() {
    let scope = format!("{GRAPH} https://graph.microsoft.com//.default offline_access");
    assert!(
        run(
            &directory(),
            &s(CONTOSO),
            &secret(&s(CONTOSO_ADMIN), &scope, CONTOSO_ADMIN_SECRET)
        )
        .is_ok()
    );
}

#[test]
fn scope_for_a_resource_unknown_in_the_tenant_is_500011() {
    assert_code!(
        run(
            &directory(),
            &s(CONTOSO),
            &secret(
                &s(CONTOSO_ADMIN),
                "api://NotARealTokenExchange/.default",
                CONTOSO_ADMIN_SECRET
            )
        ),
        Aadsts::ResourceNotFound
    );
}

#[test]
fn custom_api_provisioned_only_in_contoso_is_500011_in_litware() {
    let scope = format!("api://{FEDERATION_APP}/.default");
    let mi = mi_assertion(&directory());
    let e = run(
        &directory(),
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), &scope, &mi),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::ResourceNotFound);
}

#[test]
fn single_tenant_app_used_in_another_tenant_is_700016() {
    let e = run(
        &directory(),
        &s(LITWARE),
        &secret(&s(CONTOSO_ADMIN), GRAPH, CONTOSO_ADMIN_SECRET),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::AppNotFound);
    assert!(
        e.message().contains("in the directory 'Litware'"),
        "{}",
        e.message()
    );
}

#[test]
fn client_id_that_is_not_a_guid_is_700016() {
    let e = run(&directory(), &s(CONTOSO), &secret("my-app", GRAPH, "x")).unwrap_err();
    assert_eq!(e.code(), Aadsts::AppNotFound);
}

#[test]
fn disabled_service_principal_is_7000112() {
    let mut dir = directory();
    for sp in &mut dir.tenant_mut(LITWARE).unwrap().service_principals {
        if sp.app_id == MULTI_TENANT_APP {
            sp.account_enabled = false;
        }
    }
    let mi = mi_assertion(&dir);
    assert_code!(
        run(
            &dir,
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &mi)
        ),
        Aadsts::ApplicationDisabled
    );
    let e = run(
        &dir,
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &mi),
    )
    .unwrap_err();
    assert_eq!(e.message(), "AADSTS7000112: Application is disabled.");
}

#[test]
fn request_without_any_credential_is_7000218() {
    assert_code!(
        run(
            &directory(),
            &s(CONTOSO),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &s(CONTOSO_ADMIN)),
                ("scope", GRAPH)
            ]
        ),
        Aadsts::MissingCredential
    );
}

#[test]
fn seed_004s_grant_type_urn_as_assertion_type_is_90011() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let client = s(MULTI_TENANT_APP);
    let mut pairs = federated(&client, GRAPH, &mi);
    pairs[2].1 = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    assert_code!(
        run(&dir, &s(LITWARE), &pairs),
        Aadsts::UnexpectedAssertionType
    );
}

#[test]
fn assertion_without_assertion_type_is_900144() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let client = s(MULTI_TENANT_APP);
    let mut pairs = federated(&client, GRAPH, &mi);
    pairs.remove(2);
    let e = run(&dir, &s(LITWARE), &pairs).unwrap_err();
    assert_eq!(e.code(), Aadsts::MissingParameter);
    assert_eq!(e.args(), ["client_assertion_type"]);
}

#[test]
fn wrong_client_secret_is_7000215() {
    assert_code!(
        run(
            &directory(),
            &s(CONTOSO),
            &secret(
                &s(CONTOSO_ADMIN),
                GRAPH,
                "5ec00000-0000-4000-8000-000000000001"
            )
        ),
        Aadsts::InvalidClientSecret
    );
}

#[test]
fn expired_client_secret_is_7000222() {
    let mut dir = directory();
    dir.tenant_mut(CONTOSO).unwrap().applications[3].password_credentials[0].end_date_time =
        Some("2025-01-01T00:00:00Z".into());
    assert_code!(
        run(
            &dir,
            &s(CONTOSO),
            &secret(&s(CONTOSO_ADMIN), GRAPH, CONTOSO_ADMIN_SECRET)
        ),
        Aadsts::ClientSecretExpired
    );
}

#[test]
fn assertion_that_is_not_a_jwt_is_50027() {
    assert_code!(
        run(
            &directory(),
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, "not-a-token")
        ),
        Aadsts::MalformedJwt
    );
}

#[test]
fn assertion_signed_with_hs256_or_none_is_5002738() {
    let hs = unsigned(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{"iss":"a","sub":"b","aud":"c","exp":1}"#,
    );
    assert_code!(
        run(
            &directory(),
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &hs)
        ),
        Aadsts::UnsupportedSigningAlgorithm
    );
    let none = unsigned(
        r#"{"alg":"none"}"#,
        r#"{"iss":"a","sub":"b","aud":"c","exp":1}"#,
    );
    let e = run(
        &directory(),
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &none),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::UnsupportedSigningAlgorithm);
}

#[test]
fn a_federated_assertion_with_a_bad_alg_is_invalid_request_listing_rs256_and_hs256() {
    let es = unsigned(
        r#"{"alg":"ES384","typ":"JWT"}"#,
        r#"{"iss":"https://token.actions.githubusercontent.com","sub":"b","aud":"c","exp":1}"#,
    );
    let e = run(
        &directory(),
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &es),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::UnsupportedSigningAlgorithm);
    assert_eq!(
        (e.http_status(), e.oauth_error().as_str()),
        (400, "invalid_request")
    );
    assert_eq!(
        e.message(),
        "AADSTS5002738: Invalid JWT token. 'ES384' is not a supported signature algorithm. Supported signing algorithms are: 'RS256, HS256'"
    );
}

#[test]
fn a_certificate_assertion_with_a_bad_alg_keeps_invalid_client_and_the_certificate_list() {
    let es = unsigned(
        r#"{"alg":"ES384","typ":"JWT"}"#,
        &format!(r#"{{"iss":"{MULTI_TENANT_APP}","sub":"{MULTI_TENANT_APP}","aud":"c","exp":1}}"#),
    );
    let e = run(
        &directory(),
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &es),
    )
    .unwrap_err();
    assert_eq!(
        (e.http_status(), e.oauth_error().as_str()),
        (401, "invalid_client")
    );
    assert!(
        e.message()
            .ends_with("Supported signing algorithms are: 'RS256,RS384,RS512'")
    );
}

#[test]
fn a_federated_assertion_typed_other_than_jwt_is_5002727() {
    let at = unsigned(
        r#"{"alg":"RS256","typ":"at+jwt"}"#,
        r#"{"iss":"https://token.actions.githubusercontent.com","sub":"b","aud":"c","exp":1}"#,
    );
    let e = run(
        &directory(),
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &at),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::InvalidJwtType);
    assert_eq!(
        (e.http_status(), e.oauth_error().as_str()),
        (400, "invalid_request")
    );
}

#[test]
fn assertion_without_iss_is_90014_naming_iss() {
    let t = signed(
        json!({"alg":"RS256"}),
        json!({"sub":"b","aud":"c","exp": NOW.plus(60).secs()}),
    );
    assert_code!(
        run(
            &directory(),
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &t)
        ),
        Aadsts::MissingClaim
    );
}

#[test]
fn assertion_without_aud_is_90014_naming_aud() {
    let t = signed(
        json!({"alg":"RS256"}),
        json!({"iss":"a","sub":"b","exp": NOW.plus(60).secs()}),
    );
    let e = run(
        &directory(),
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &t),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::MissingClaim);
    assert_eq!(e.args(), ["aud"]);
}

#[test]
fn mi_token_used_after_its_expiry_is_700024() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let keys = keys();
    let later = NOW.plus(86_400 + 301);
    let req = parse(&s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &mi));
    let e = exchange(&req, &dir, &env(&keys, later, 100)).unwrap_err();
    assert_eq!(e.code(), Aadsts::AssertionTimeRange);
    assert_json_snapshot!(e.to_body(trace(), later, "login.microsoftonline.com"));
}

#[test]
fn mi_token_just_past_expiry_is_still_accepted_within_the_clock_skew() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let keys = keys();
    let req = parse(&s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &mi));
    assert!(exchange(&req, &dir, &env(&keys, NOW.plus(86_400 + 299), 100)).is_ok());
}

// Certificate assertions.

fn with_certificate(dir: &mut Directory, pem: &str) {
    let der = test_keys::pem_der(pem);
    dir.tenant_mut(CONTOSO).unwrap().applications[3].key_credentials = vec![KeyCredential {
        key_id: KeyCredentialId(Guid::from_u128(7)),
        display_name: Some("CN=test".into()),
        kind: "AsymmetricX509Cert".into(),
        usage: "Verify".into(),
        key: STANDARD.encode(der),
        custom_key_identifier: None,
        end_date_time: None,
    }];
}

fn cert_assertion(header_extra: Value, iss: &str, aud: &str) -> String {
    let keys: KeySet = keys();
    let kid = keys.signer().unwrap().key_id().as_str().to_owned();
    let mut header = json!({"alg":"RS256","typ":"JWT","x5t": kid});
    for (k, v) in header_extra.as_object().unwrap() {
        if v.is_null() {
            header.as_object_mut().unwrap().remove(k);
        } else {
            header[k] = v.clone();
        }
    }
    signed(
        header,
        json!({"aud": aud, "iss": iss, "sub": iss, "jti": "1", "nbf": NOW.secs(), "exp": NOW.plus(600).secs()}),
    )
}

fn token_endpoint() -> String {
    format!("https://login.microsoftonline.com/{CONTOSO}/oauth2/v2.0/token")
}

fn cert_request(assertion: &str) -> Vec<(String, String)> {
    federated(&s(CONTOSO_ADMIN), GRAPH, assertion)
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

fn run_owned(dir: &Directory, pairs: &[(String, String)]) -> Result<Grant, EntraError> {
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    run(dir, "contoso.onmicrosoft.com", &borrowed)
}

#[test]
fn certificate_assertion_signed_with_a_registered_certificate_gets_a_token_with_appidacr_2() {
    let mut dir = directory();
    with_certificate(&mut dir, test_keys::CERT_PEM);
    let a = cert_assertion(json!({}), &s(CONTOSO_ADMIN), &token_endpoint());
    let g = run_owned(&dir, &cert_request(&a)).unwrap();
    let jwt = Jwt::decode(&g.token.access_token).unwrap();
    assert_eq!(jwt.str_claim("appidacr"), Some("2"));
}

#[test]
fn certificate_assertion_for_another_client_is_700021() {
    let mut dir = directory();
    with_certificate(&mut dir, test_keys::CERT_PEM);
    let a = cert_assertion(json!({}), &s(MULTI_TENANT_APP), &token_endpoint());
    assert_code!(
        run_owned(&dir, &cert_request(&a)),
        Aadsts::AssertionClientMismatch
    );
}

#[test]
fn certificate_assertion_without_thumbprint_or_kid_is_5002723() {
    let mut dir = directory();
    with_certificate(&mut dir, test_keys::CERT_PEM);
    let a = cert_assertion(json!({"x5t": null}), &s(CONTOSO_ADMIN), &token_endpoint());
    assert_code!(
        run_owned(&dir, &cert_request(&a)),
        Aadsts::MissingKeyIdentifier
    );
}

#[test]
fn certificate_assertion_signed_with_an_unregistered_certificate_is_700027() {
    let mut dir = directory();
    with_certificate(&mut dir, test_keys::OTHER_CERT_PEM);
    let a = cert_assertion(json!({}), &s(CONTOSO_ADMIN), &token_endpoint());
    assert_code!(
        run_owned(&dir, &cert_request(&a)),
        Aadsts::AssertionSignature
    );
}

#[test]
fn certificate_assertion_with_a_tampered_payload_is_700027() {
    let mut dir = directory();
    with_certificate(&mut dir, test_keys::CERT_PEM);
    let a = cert_assertion(json!({}), &s(CONTOSO_ADMIN), &token_endpoint());
    let mut parts: Vec<&str> = a.split('.').collect();
    let other = cert_assertion(
        json!({}),
        &s(CONTOSO_ADMIN),
        &format!("https://mock/{CONTOSO}/oauth2/v2.0/token"),
    );
    parts[1] = other.split('.').nth(1).unwrap();
    let e = run_owned(&dir, &cert_request(&parts.join("."))).unwrap_err();
    assert_eq!(e.code(), Aadsts::AssertionSignature);
}

#[test]
fn certificate_assertion_addressed_to_another_tenants_endpoint_is_50012() {
    let mut dir = directory();
    with_certificate(&mut dir, test_keys::CERT_PEM);
    let aud = format!("https://login.microsoftonline.com/{LITWARE}/oauth2/v2.0/token");
    let a = cert_assertion(json!({}), &s(CONTOSO_ADMIN), &aud);
    assert_code!(
        run_owned(&dir, &cert_request(&a)),
        Aadsts::AssertionAudienceMismatch
    );
}

#[test]
fn certificate_assertion_addressed_to_the_mock_url_by_domain_is_accepted() {
    let mut dir = directory();
    with_certificate(&mut dir, test_keys::CERT_PEM);
    let aud = "http://localhost:8080/contoso.onmicrosoft.com/oauth2/v2.0/token";
    let a = cert_assertion(
        json!({"x5t": null, "x5t#S256": test_s256()}),
        &s(CONTOSO_ADMIN),
        aud,
    );
    assert!(run_owned(&dir, &cert_request(&a)).is_ok());
}

fn test_s256() -> String {
    PublishedKey::from_certificate(&test_keys::pem_der(test_keys::CERT_PEM))
        .unwrap()
        .x5t_s256()
        .to_owned()
}

// Federated assertions.

fn fic_mut(dir: &mut Directory) -> &mut crate::directory::FederatedIdentityCredential {
    &mut dir.tenant_mut(CONTOSO).unwrap().applications[0].federated_identity_credentials[0]
}

#[test]
fn fic_issuer_with_a_trailing_slash_does_not_match_and_is_700211() {
    let mut dir = directory();
    fic_mut(&mut dir).issuer.push('/');
    let mi = mi_assertion(&dir);
    assert_code!(
        run(
            &dir,
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &mi)
        ),
        Aadsts::FicIssuerMismatch
    );
}

#[test]
fn fic_audience_of_another_cloud_is_700212() {
    let mut dir = directory();
    fic_mut(&mut dir).audiences = vec!["api://AzureADTokenExchangeUSGov".into()];
    let mi = mi_assertion(&dir);
    assert_code!(
        run(
            &dir,
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &mi)
        ),
        Aadsts::FicAudienceMismatch
    );
}

#[test]
fn mi_token_for_the_wrong_resource_presented_to_a_fic_is_7002121_naming_the_audience() {
    let dir = directory();
    let mi = mi_token_for(&dir, "https://management.azure.com/");
    assert_code!(
        run(
            &dir,
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &mi)
        ),
        Aadsts::MiTokenAudienceMismatch
    );
    // Even with the v1 issuer in the FIC, the audience is what Entra names.
    let mut dir = directory();
    fic_mut(&mut dir).issuer = format!("https://sts.windows.net/{CONTOSO}/");
    let e = run(
        &dir,
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &mi),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::MiTokenAudienceMismatch);
    assert!(
        e.message().starts_with(
            "AADSTS7002121: No matching federated identity record found for presented assertion audience 'https://management.azure.com/'"
        ),
        "{}",
        e.message()
    );
}

#[test]
fn a_fic_created_moments_ago_answers_70021_until_the_propagation_delay_has_passed() {
    let mut dir = directory();
    dir.fic_propagation_seconds = 60;
    fic_mut(&mut dir).created_at = Some(NOW.minus(10));
    let mi = mi_assertion(&dir);
    let keys = keys();
    let req = parse(&s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &mi));
    let e = exchange(&req, &dir, &env(&keys, NOW, 1)).unwrap_err();
    assert_eq!(e.code(), Aadsts::NoMatchingFic);
    assert_eq!(
        (e.http_status(), e.oauth_error().as_str()),
        (400, "invalid_request")
    );
    assert!(exchange(&req, &dir, &env(&keys, NOW.plus(50), 1)).is_ok());
    dir.fic_propagation_seconds = 0;
    assert!(exchange(&req, &dir, &env(&keys, NOW, 1)).is_ok());
}

#[test]
fn fic_subject_differing_only_in_case_is_700213() {
    let mut dir = directory();
    fic_mut(&mut dir).subject = s(UMI_PRINCIPAL).to_uppercase();
    let mi = mi_assertion(&dir);
    assert_code!(
        run(
            &dir,
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &mi)
        ),
        Aadsts::FicSubjectMismatch
    );
}

#[test]
fn app_token_issued_to_an_app_registration_used_as_assertion_is_700226() {
    let dir = directory();
    let app_token = run(
        &dir,
        &s(CONTOSO),
        &secret(
            &s(CONTOSO_ADMIN),
            "api://AzureADTokenExchange/.default",
            CONTOSO_ADMIN_SECRET,
        ),
    )
    .unwrap()
    .token
    .access_token;
    assert_code!(
        run(
            &dir,
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &app_token)
        ),
        Aadsts::OnlyMsiTokensForEntraIssuer
    );
}

#[test]
fn delegated_entra_token_used_as_assertion_is_700229() {
    let t = signed(
        json!({"typ":"JWT","alg":"RS256","kid": keys().signer().unwrap().key_id().as_str()}),
        json!({
            "aud": "fb60f99c-7a34-4190-8149-302f77469936",
            "iss": format!("https://login.microsoftonline.com/{CONTOSO}/v2.0"),
            "exp": NOW.plus(3600).secs(),
            "sub": "user-sub",
            "scp": "user_impersonation",
            "tid": s(CONTOSO),
        }),
    );
    assert_code!(
        run(
            &directory(),
            &s(LITWARE),
            &federated(&s(MULTI_TENANT_APP), ARM, &t)
        ),
        Aadsts::OnlyAppOnlyTokensForEntraIssuer
    );
}

#[test]
fn forged_entra_issued_assertion_is_700027() {
    let dir = directory();
    let mi = mi_assertion(&dir);
    let mut parts: Vec<String> = mi.split('.').map(str::to_owned).collect();
    let mut claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&parts[1])
            .unwrap(),
    )
    .unwrap();
    claims["sub"] = json!("someone-else");
    parts[1] = b64url(claims.to_string().as_bytes());
    let e = run(
        &dir,
        &s(LITWARE),
        &federated(&s(MULTI_TENANT_APP), ARM, &parts.join(".")),
    )
    .unwrap_err();
    assert_eq!(e.code(), Aadsts::AssertionSignature);
}

#[test]
fn github_assertion_signed_with_a_key_github_does_not_publish_is_7000272() {
    let mut dir = directory();
    let fic = fic_mut(&mut dir);
    fic.issuer = "https://token.actions.githubusercontent.com".into();
    fic.subject = "repo:contoso/app:ref:refs/heads/main".into();
    let t = signed(
        json!({"alg":"RS256","kid":"gh"}),
        json!({
            "iss": "https://token.actions.githubusercontent.com",
            "sub": "repo:contoso/app:ref:refs/heads/main",
            "aud": "api://AzureADTokenExchange",
            "exp": NOW.plus(300).secs(),
        }),
    );
    // Signed with the emulated Entra's key: the emulated GitHub issuer publishes its own only.
    let e = run(&dir, &s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &t)).unwrap_err();
    assert_eq!(e.code(), Aadsts::ExternalKeyNotFound);
}

#[test]
fn resource_requiring_assignment_without_one_is_501051() {
    let mut dir = directory();
    for sp in &mut dir.tenant_mut(CONTOSO).unwrap().service_principals {
        if sp.app_id == FEDERATION_APP {
            sp.app_role_assignment_required = true;
        }
    }
    let scope = format!("api://{FEDERATION_APP}/.default");
    assert_code!(
        run(
            &dir,
            &s(CONTOSO),
            &secret(&s(CONTOSO_ADMIN), &scope, CONTOSO_ADMIN_SECRET)
        ),
        Aadsts::NotAssignedToRole
    );
}

#[test]
fn every_code_the_engine_emits_is_in_the_table() {
    // The engine can only build errors from `Aadsts` variants; this pins the table's rows the
    // engine relies on so that removing one breaks here, not in the server.
    for code in [
        90002, 900023, 9001023, 900144, 70003, 901002, 9000411, 1002012, 70011, 700022, 500011,
        700016, 7000112, 7000218, 90011, 7000215, 7000222, 50027, 5002738, 90014, 700024, 700021,
        5002723, 700027, 50012, 700211, 700212, 700213, 700236, 700226, 700229, 501051, 90033,
        7000229, 7002121, 5002727, 70021, 7002131, 7000272, 50166, 900612,
    ] {
        assert!(Aadsts::from_code(code).is_some(), "{code}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input never panics.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_as_form_body_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512),
                                                auth in proptest::option::of(".{0,64}"),
                                                ct in proptest::option::of(".{0,40}")) {
        let keys = keys();
        let dir = directory();
        for endpoint in [TokenEndpoint::V1, TokenEndpoint::V2] {
            if let Ok(req) = TokenRequest::parse(&s(CONTOSO), endpoint, auth.as_deref(), ct.as_deref(), &bytes) {
                let _ = exchange(&req, &dir, &env(&keys, NOW, 1));
            }
        }
    }

    #[test]
    fn arbitrary_text_as_client_assertion_never_panics(assertion in ".{0,300}") {
        let dir = directory();
        let _ = run(&dir, &s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &assertion));
    }

    #[test]
    fn arbitrary_json_segments_as_client_assertion_never_panic(
        header in "\\{(\"(alg|kid|x5t|x5t#S256|typ)\":(\"[A-Za-z0-9]{0,8}\"|[0-9]{1,3}|null),?){0,4}\\}",
        claims in "\\{(\"(iss|sub|aud|exp|nbf|iat|scp|xms_mirid|idtyp)\":(\"[a-z:/.0-9-]{0,20}\"|-?[0-9]{1,20}|\\[\\]|1e400|null),?){0,8}\\}",
        sig in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let dir = directory();
        let t = format!("{}.{}.{}", b64url(header.as_bytes()), b64url(claims.as_bytes()), b64url(&sig));
        let _ = run(&dir, &s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &t));
        let _ = run(&dir, "contoso.onmicrosoft.com", &federated(&s(CONTOSO_ADMIN), GRAPH, &t));
    }
}

// ---------------------------------------------------------------------------------------------
// One matcher: the FIC doctor names exactly the code the exchange answers.

/// The values assertions and FICs are drawn from: right ones and the classic near misses.
fn issuers() -> Vec<String> {
    vec![
        format!("https://login.microsoftonline.com/{CONTOSO}/v2.0"),
        format!("https://login.microsoftonline.com/{CONTOSO}/v2.0/"),
        format!("https://sts.windows.net/{CONTOSO}/"),
        format!("https://login.microsoftonline.com/{LITWARE}/v2.0"),
        "https://token.actions.githubusercontent.com".into(),
        AKS_ISSUER.into(),
        // Only FICs draw this one (a token from it would need a real key retrieval).
        AKS_ISSUER.trim_end_matches('/').into(),
    ]
}

/// The emulated AKS cluster's issuer (the default scenario's), with AKS's trailing slash.
const AKS_ISSUER: &str = "https://westeurope.oic.prod-aks.azure.com/f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f/6a4c2e8b-1d3f-4b5a-9c7e-2f4a6c8e0b13/";

fn subjects() -> Vec<String> {
    vec![
        s(UMI_PRINCIPAL),
        s(UMI_PRINCIPAL).to_uppercase(),
        "repo:contoso/app:ref:refs/heads/main".into(),
        "repo:Contoso/app:ref:refs/heads/main".into(),
        "repo:contoso/app:environment:production".into(),
        "system:serviceaccount:payments:payments-api".into(),
    ]
}

/// Flexible FICs' expressions (`None`: the FIC names a subject).
fn expressions() -> Vec<Option<&'static str>> {
    vec![
        None,
        None,
        Some("claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'"),
        Some("claims['sub'] matches 'repo:contoso/app:*'"),
        Some("claims['sub'] eq 'system:serviceaccount:payments:payments-api'"),
        Some("claims['sub'] matches 'repo:contoso/*' and claims['sub'] matches '*:environment:*'"),
    ]
}

fn audiences() -> Vec<String> {
    vec![
        "fb60f99c-7a34-4190-8149-302f77469936".into(),
        "api://AzureADTokenExchange".into(),
        "api://AzureADTokenExchangeUSGov".into(),
        "https://management.azure.com/".into(),
        format!("api://{FEDERATION_APP}"),
        s(FEDERATION_APP),
    ]
}

/// One generated FIC: indexes into the pools (issuer, subject, audience, expression), and
/// whether it was created a moment ago.
type FicSpec = (usize, usize, usize, usize, bool);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_doctors_first_finding_is_the_code_the_exchange_answers(
        (iss, sub, aud) in (0..6usize, 0..6usize, 0..6usize),
        mi_shaped in any::<bool>(),
        delegated in any::<bool>(),
        expired in prop::sample::select(vec![false, false, false, true]),
        fic_specs in prop::collection::vec((0..7usize, 0..6usize, 0..6usize, 0..6usize, any::<bool>()), 0..4),
        delay in prop::sample::select(vec![0u32, 60]),
    ) {
        let (issuers, subjects, audiences, expressions) =
            (issuers(), subjects(), audiences(), expressions());
        let mut claims = json!({
            "iss": issuers[iss],
            "sub": subjects[sub],
            "aud": audiences[aud],
            "iat": NOW.minus(60).secs(),
            "nbf": NOW.minus(60).secs(),
            "exp": if expired { NOW.minus(4000).secs() } else { NOW.plus(3600).secs() },
            "idtyp": "app",
        });
        if mi_shaped {
            claims["xms_mirid"] = json!(UMI_ID);
        }
        if delegated {
            claims["scp"] = json!("user_impersonation");
        }
        // Each issuer signs with its own key: the emulated GitHub issuer with its key set.
        let all_keys = keys();
        let signer = if issuers[iss] == crate::issuers::GITHUB_ACTIONS_ISSUER {
            all_keys.issuer("github").and_then(KeySet::signer).unwrap()
        } else if issuers[iss] == AKS_ISSUER {
            all_keys.issuer("aks-contoso").and_then(KeySet::signer).unwrap()
        } else {
            all_keys.signer().unwrap()
        };
        let kid = signer.key_id().as_str().to_owned();
        let token = sign_jwt(signer, &json!({"typ": "JWT", "alg": "RS256", "kid": kid}), &claims);

        let mut dir = directory();
        dir.fic_propagation_seconds = delay;
        let fics: Vec<_> = fic_specs
            .iter()
            .enumerate()
            .map(|(n, &(i, su, a, e, fresh)): (usize, &FicSpec)| crate::directory::FederatedIdentityCredential {
                id: crate::ids::ObjectId::from_u128(n as u128 + 1),
                name: format!("fic-{n}"),
                issuer: issuers[i].clone(),
                subject: if expressions[e].is_some() { String::new() } else { subjects[su].clone() },
                audiences: vec![audiences[a].clone()],
                description: None,
                claims_matching_expression: expressions[e].map(|value| {
                    crate::directory::ClaimsMatchingExpression {
                        value: value.to_owned(),
                        language_version: 1,
                    }
                }),
                created_at: fresh.then(|| NOW.minus(10)),
            })
            .collect();
        dir.tenant_mut(CONTOSO).unwrap().applications[0].federated_identity_credentials = fics.clone();

        let answer = run(&dir, &s(LITWARE), &federated(&s(MULTI_TENANT_APP), ARM, &token));
        let ctx = crate::doctor::DoctorContext {
            now: NOW,
            home_tenant: Some(CONTOSO),
            cloud: Some(Cloud::AzureCloud),
            directory: Some(&dir),
            issuers: Some(&ENTRA),
            propagation_delay_secs: delay,
            missing_service_principal: None,
        };
        let diagnosis = crate::doctor::diagnose_raw(&token, &fics, &ctx);
        match answer {
            Ok(_) => prop_assert!(diagnosis.is_match(), "{diagnosis:?}"),
            Err(e) => prop_assert_eq!(
                diagnosis.findings().first().map(|f| f.code),
                Some(e.code()),
                "exchange: {}; doctor: {:?}", e.message(), diagnosis
            ),
        }
    }
}
