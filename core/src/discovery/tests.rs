//! Tests of discovery: authority resolution, v1/v2 metadata per issuer mode, JWKS issuers,
//! instance discovery and the client environment.

use super::*;
use crate::testutil::{CONTOSO, directory};

const BASE: &str = "https://localhost:8443";

fn mock_issuers() -> IssuerMode {
    IssuerMode::Mock {
        base_url: BASE.to_owned(),
    }
}

#[test]
fn a_tenant_resolves_by_guid_or_verified_domain_to_its_guid_segment() {
    let d = directory();
    for segment in [
        "f96b5b38-4c5a-4d1e-9a6f-3e2f1c0a0d2f",
        "F96B5B38-4C5A-4D1E-9A6F-3E2F1C0A0D2F",
        "contoso.onmicrosoft.com",
    ] {
        let t = resolve_authority(&d, segment).unwrap();
        assert_eq!(t.segment(), CONTOSO.to_string(), "{segment}");
    }
    let alias = resolve_authority(&d, "organizations").unwrap();
    assert_eq!(alias.segment(), "organizations");
}

#[test]
fn an_unknown_tenant_is_90002_invalid_tenant_and_a_malformed_one_900023() {
    let d = directory();
    let unknown = resolve_authority(&d, "nowhere.onmicrosoft.com").unwrap_err();
    assert_eq!(unknown.code().code(), 90002);
    assert_eq!(unknown.oauth_error(), OAuthError::InvalidTenant);
    let malformed = resolve_authority(&d, "not a tenant!").unwrap_err();
    assert_eq!(malformed.code().code(), 900023);
}

#[test]
fn documents_put_endpoints_on_the_mock_and_issuers_on_entra_by_default() {
    let d = directory();
    let t = resolve_authority(&d, "contoso.onmicrosoft.com").unwrap();
    let v2 = openid_configuration(&t, DocVersion::V2, BASE, &IssuerMode::Entra);
    assert_eq!(
        v2["issuer"],
        format!("https://login.microsoftonline.com/{CONTOSO}/v2.0")
    );
    assert_eq!(
        v2["token_endpoint"],
        format!("{BASE}/{CONTOSO}/oauth2/v2.0/token")
    );
    assert_eq!(
        v2["jwks_uri"],
        format!("{BASE}/{CONTOSO}/discovery/v2.0/keys")
    );
    let v1 = openid_configuration(&t, DocVersion::V1, BASE, &IssuerMode::Entra);
    assert_eq!(v1["issuer"], format!("https://sts.windows.net/{CONTOSO}/"));
    assert_eq!(v1["jwks_uri"], format!("{BASE}/{CONTOSO}/discovery/keys"));
    insta::assert_json_snapshot!("openid_configuration_v2_tenant", v2);
    insta::assert_json_snapshot!("openid_configuration_v1_tenant", v1);
}

#[test]
fn document_issuers_equal_the_issuers_tokens_carry_in_both_modes() {
    let d = directory();
    let tenant = d.tenant(CONTOSO).unwrap();
    let t = AuthorityTenant::Tenant(tenant);
    for mode in [IssuerMode::Entra, mock_issuers()] {
        for (doc, tokens) in [
            (DocVersion::V1, TokenVersion::V1),
            (DocVersion::V2, TokenVersion::V2),
        ] {
            let doc_iss = openid_configuration(&t, doc, BASE, &mode)["issuer"].clone();
            assert_eq!(
                doc_iss,
                mode.issuer(tokens, tenant.cloud, tenant.id).as_str()
            );
        }
    }
    let v2 = openid_configuration(&t, DocVersion::V2, BASE, &mock_issuers());
    assert_eq!(v2["issuer"], format!("{BASE}/{CONTOSO}/v2.0"));
}

#[test]
fn alias_documents_carry_the_templated_issuer_and_no_region() {
    let d = directory();
    let t = resolve_authority(&d, "common").unwrap();
    let v2 = openid_configuration(&t, DocVersion::V2, BASE, &IssuerMode::Entra);
    assert_eq!(
        v2["issuer"],
        "https://login.microsoftonline.com/{tenantid}/v2.0"
    );
    assert_eq!(v2["tenant_region_scope"], Value::Null);
    assert_eq!(
        v2["token_endpoint"],
        format!("{BASE}/common/oauth2/v2.0/token")
    );
    let v1 = openid_configuration(&t, DocVersion::V1, BASE, &mock_issuers());
    assert_eq!(v1["issuer"], format!("{BASE}/{{tenantid}}/"));
    insta::assert_json_snapshot!("openid_configuration_v2_common", v2);
}

#[test]
fn only_v2_keys_carry_an_issuer() {
    let d = directory();
    let t = resolve_authority(&d, "contoso.onmicrosoft.com").unwrap();
    assert_eq!(
        jwks_issuer(&t, DocVersion::V2, &IssuerMode::Entra),
        Some(format!("https://login.microsoftonline.com/{CONTOSO}/v2.0"))
    );
    assert_eq!(jwks_issuer(&t, DocVersion::V1, &IssuerMode::Entra), None);
}

#[test]
fn every_key_names_its_cloud_instance_before_the_issuer() {
    let keys = crate::keys::test_keys::key_set();
    let mut dir = directory();
    let t = resolve_authority(&dir, &CONTOSO.to_string()).unwrap();
    let doc = serde_json::to_value(jwks(
        &keys,
        &t,
        DocVersion::V2,
        &IssuerMode::Entra,
        crate::testutil::NOW,
    ))
    .unwrap();
    let key = doc["keys"][0].as_object().unwrap();
    assert_eq!(key["cloud_instance_name"], "microsoftonline.com");
    let names: Vec<&str> = key.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "kty",
            "use",
            "kid",
            "x5t",
            "n",
            "e",
            "x5c",
            "cloud_instance_name",
            "issuer"
        ],
        "the order of the 2025 common/discovery/v2.0/keys capture"
    );
    let v1 = serde_json::to_value(jwks(
        &keys,
        &t,
        DocVersion::V1,
        &IssuerMode::Entra,
        crate::testutil::NOW,
    ))
    .unwrap();
    assert_eq!(v1["keys"][0]["cloud_instance_name"], "microsoftonline.com");
    assert!(v1["keys"][0].get("issuer").is_none());

    dir.tenants
        .iter_mut()
        .find(|t| t.id == CONTOSO)
        .unwrap()
        .cloud = Cloud::AzureUSGovernment;
    let t = resolve_authority(&dir, &CONTOSO.to_string()).unwrap();
    let doc = serde_json::to_value(jwks(
        &keys,
        &t,
        DocVersion::V2,
        &IssuerMode::Entra,
        crate::testutil::NOW,
    ))
    .unwrap();
    assert_eq!(doc["keys"][0]["cloud_instance_name"], "microsoftonline.us");
}

#[test]
fn instance_discovery_answers_for_the_host_with_and_without_port() {
    let doc = instance_discovery(
        BASE,
        "localhost:8443",
        Some("https://localhost:8443/contoso.onmicrosoft.com/oauth2/v2.0/authorize"),
    );
    assert_eq!(
        doc["tenant_discovery_endpoint"],
        format!("{BASE}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")
    );
    assert_eq!(doc["metadata"][0]["preferred_network"], "localhost");
    assert_eq!(
        doc["metadata"][0]["aliases"],
        json!(["localhost", "localhost:8443"])
    );
    let v6 = instance_discovery("https://[::1]:8443", "[::1]:8443", None);
    assert_eq!(v6["metadata"][0]["preferred_cache"], "[::1]");
    assert_eq!(
        v6["tenant_discovery_endpoint"],
        "https://[::1]:8443/common/v2.0/.well-known/openid-configuration"
    );
    insta::assert_json_snapshot!("instance_discovery", doc);
}

fn origins() -> EmulatorOrigins<'static> {
    EmulatorOrigins {
        http_base: "http://127.0.0.1:8080",
        https_base: "https://localhost:8443",
        ca_path: "/home/me/.local/share/mock-entra/ca.pem",
    }
}

#[test]
fn the_client_env_points_managed_identity_at_http_and_the_authority_at_https() {
    let env = client_env(&directory(), origins());
    let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
    assert_eq!(
        get("IDENTITY_ENDPOINT"),
        Some("http://127.0.0.1:8080/msi/token")
    );
    assert_eq!(
        get("IDENTITY_HEADER"),
        Some("853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a")
    );
    assert_eq!(get("AZURE_AUTHORITY_HOST"), Some("https://localhost:8443"));
    assert_eq!(get("AZURE_TENANT_ID"), Some(CONTOSO.to_string().as_str()));
    assert!(get("AZURE_CLIENT_ID").is_some());
    insta::assert_snapshot!("client_env_shell", export_lines(ClientSdk::Shell, &env));
}

#[test]
fn each_sdk_gets_only_the_variables_it_reads() {
    let env = client_env(&directory(), origins());
    let node = export_lines(ClientSdk::Node, &env);
    assert!(node.contains("export NODE_EXTRA_CA_CERTS="));
    assert!(!node.contains("SSL_CERT_FILE"));
    let rust = export_lines(ClientSdk::Rust, &env);
    assert!(rust.contains("export SSL_CERT_FILE="));
    assert!(!rust.contains("AZURE_POD_IDENTITY_AUTHORITY_HOST"));
    let python = export_lines(ClientSdk::Python, &env);
    assert!(python.contains("export REQUESTS_CA_BUNDLE="));
}

#[test]
fn values_with_shell_metacharacters_are_single_quoted() {
    let env = vec![
        ("SSL_CERT_FILE", "/tmp/my dir/it's.pem".to_owned()),
        ("AZURE_TENANT_ID", String::new()),
    ];
    assert_eq!(
        export_lines(ClientSdk::Shell, &env),
        "export SSL_CERT_FILE='/tmp/my dir/it'\\''s.pem'\nexport AZURE_TENANT_ID=''\n"
    );
}
