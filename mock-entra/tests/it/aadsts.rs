//! Each AADSTS path of core reachable over HTTP (table-driven).

use serde_json::Value;

use crate::flows::{CONTOSO_ADMIN, FABRIKAM, LITWARE, LITWARE_OWN_APP, MULTI_TENANT_APP, code};
use crate::helpers::{CONTOSO, TestApp};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

#[tokio::test]
async fn every_token_endpoint_error_path_answers_with_its_aadsts_code() {
    let app = TestApp::spawn().await;
    let assertion = app.mi_assertion().await;
    let graph = app.graph_token(CONTOSO, CONTOSO_ADMIN).await;
    let arm = "https://management.azure.com/.default";
    let cc = "client_credentials";
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, u64);
    let cases: Vec<Case<'_>> = vec![
        (
            "unknown tenant",
            "nope.onmicrosoft.com",
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("scope", arm),
            ],
            90002,
        ),
        (
            "malformed tenant",
            "not_a_tenant",
            vec![("grant_type", cc)],
            900023,
        ),
        ("empty body", CONTOSO, vec![], 900144),
        (
            "unsupported grant",
            CONTOSO,
            vec![("grant_type", "password"), ("client_id", MULTI_TENANT_APP)],
            70003,
        ),
        (
            "common endpoint",
            "common",
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
                ("scope", arm),
            ],
            9001023,
        ),
        (
            "no service principal",
            FABRIKAM,
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
                ("scope", arm),
            ],
            700016,
        ),
        (
            "bad secret",
            CONTOSO,
            vec![
                ("grant_type", cc),
                ("client_id", CONTOSO_ADMIN.0),
                ("client_secret", "wrong"),
                ("scope", arm),
            ],
            7000215,
        ),
        (
            "no credential",
            CONTOSO,
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("scope", arm),
            ],
            7000218,
        ),
        (
            "not a JWT",
            CONTOSO,
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", "abc"),
                ("scope", arm),
            ],
            50027,
        ),
        (
            "scope without .default",
            CONTOSO,
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
                ("scope", "https://management.azure.com/user_impersonation"),
            ],
            1002012,
        ),
        (
            "resource on v2",
            CONTOSO,
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
                ("resource", "https://management.azure.com/"),
            ],
            901002,
        ),
        (
            "Entra token of another tenant",
            LITWARE,
            vec![
                ("grant_type", cc),
                ("client_id", LITWARE_OWN_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
                ("scope", arm),
            ],
            700236,
        ),
        (
            "app token as assertion",
            CONTOSO,
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &graph),
                ("scope", arm),
            ],
            700226,
        ),
        (
            "unknown resource",
            CONTOSO,
            vec![
                ("grant_type", cc),
                ("client_id", MULTI_TENANT_APP),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
                ("scope", "api://nothing-here/.default"),
            ],
            500011,
        ),
    ];
    let mut failures = vec![];
    for (name, tenant, form, want) in &cases {
        let (status, body): (u16, Value) = app.token(tenant, form).await;
        let got = code(&body);
        let desc = body["error_description"].as_str().unwrap_or_default();
        if got != *want
            || status < 400
            || !desc.starts_with(&format!("AADSTS{want}:"))
            || desc.contains('\n')
        {
            failures.push(format!("{name}: want {want}, got {status} {body}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
