//! Tests of the token shapes Entra issues (v1/v2, MI and app-only).

use insta::assert_json_snapshot;

use super::*;
use crate::testutil::*;

fn mi_token(dir: &Directory, resource: &str, env: &Env<'_>) -> Result<IssuedToken, EntraError> {
    let (props, mirid) = umi();
    issue_managed_identity_token(dir, &props, &mirid, resource, env)
}

#[test]
fn managed_identity_token_for_token_exchange_is_v2_with_the_exchange_app_guid_as_audience() {
    let keys = keys();
    let t = mi_token(
        &directory(),
        "api://AzureADTokenExchange",
        &env(&keys, NOW, 1),
    )
    .unwrap();
    assert_eq!(t.version, TokenVersion::V2);
    assert_eq!(t.expires_on.secs() - t.issued_at.secs(), 86_700);
    assert_eq!(t.not_before, NOW.minus(300));
    assert_eq!(t.resource, "api://AzureADTokenExchange");
    assert_eq!(t.client_id, UMI_CLIENT);
    assert_json_snapshot!(decoded(&t.access_token));
}

#[test]
fn the_same_inputs_give_byte_identical_tokens_and_another_token_id_does_not() {
    let keys = keys();
    let dir = directory();
    let a = mi_token(&dir, "api://AzureADTokenExchange", &env(&keys, NOW, 1)).unwrap();
    let b = mi_token(&dir, "api://AzureADTokenExchange", &env(&keys, NOW, 1)).unwrap();
    let c = mi_token(&dir, "api://AzureADTokenExchange", &env(&keys, NOW, 2)).unwrap();
    assert_eq!(a.access_token, b.access_token);
    assert_ne!(a.access_token, c.access_token);
}

#[test]
fn managed_identity_token_verifies_with_the_published_keys() {
    let keys = keys();
    let t = mi_token(
        &directory(),
        "api://AzureADTokenExchange",
        &env(&keys, NOW, 1),
    )
    .unwrap();
    let jwt = crate::jose::Jwt::decode(&t.access_token).unwrap();
    assert!(keys.verify(&jwt, NOW).is_ok());
}

#[test]
fn managed_identity_token_for_resource_manager_is_v1_and_echoes_the_requested_spelling() {
    let keys = keys();
    let t = mi_token(
        &directory(),
        "https://management.azure.com/",
        &env(&keys, NOW, 3),
    )
    .unwrap();
    assert_eq!(t.version, TokenVersion::V1);
    assert_json_snapshot!(decoded(&t.access_token));
}

#[test]
fn managed_identity_token_for_a_v2_custom_api_has_its_app_id_as_audience() {
    let keys = keys();
    let resource = format!("api://{FEDERATION_APP}");
    let t = mi_token(&directory(), &resource, &env(&keys, NOW, 4)).unwrap();
    let jwt = crate::jose::Jwt::decode(&t.access_token).unwrap();
    assert_eq!(
        jwt.str_claim("aud"),
        Some(FEDERATION_APP.to_string().as_str())
    );
    assert_eq!(
        jwt.str_claim("iss"),
        Some(format!("https://login.microsoftonline.com/{CONTOSO}/v2.0").as_str())
    );
    assert_json_snapshot!(decoded(&t.access_token));
}

#[test]
fn managed_identity_token_for_a_v1_custom_api_keeps_the_uri_audience_and_v1_issuer() {
    let keys = keys();
    let mut dir = directory();
    dir.tenant_mut(CONTOSO).unwrap().applications[1]
        .api
        .requested_access_token_version = None;
    let resource = format!("api://{FEDERATION_APP}");
    let t = mi_token(&dir, &resource, &env(&keys, NOW, 4)).unwrap();
    let jwt = crate::jose::Jwt::decode(&t.access_token).unwrap();
    assert_eq!(t.version, TokenVersion::V1);
    assert_eq!(jwt.str_claim("aud"), Some(resource.as_str()));
    assert_eq!(
        jwt.str_claim("iss"),
        Some(format!("https://sts.windows.net/{CONTOSO}/").as_str())
    );
}

#[test]
fn managed_identity_token_for_an_unknown_resource_is_500011() {
    let keys = keys();
    let err = mi_token(
        &directory(),
        "api://NotARealTokenExchange",
        &env(&keys, NOW, 1),
    )
    .unwrap_err();
    assert_eq!(err.code(), Aadsts::ResourceNotFound);
    assert_eq!(
        err.message(),
        "AADSTS500011: The resource principal named api://NotARealTokenExchange was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
    );
}

#[test]
fn managed_identity_token_for_a_custom_api_without_a_service_principal_in_its_tenant_is_500011() {
    let keys = keys();
    let mut dir = directory();
    dir.tenant_mut(CONTOSO)
        .unwrap()
        .service_principals
        .retain(|sp| sp.app_id != FEDERATION_APP);
    let err = mi_token(
        &dir,
        &format!("api://{FEDERATION_APP}"),
        &env(&keys, NOW, 1),
    )
    .unwrap_err();
    assert_eq!(err.code(), Aadsts::ResourceNotFound);
}

#[test]
fn a_key_set_without_signer_answers_a_transient_error_instead_of_panicking() {
    let keys = KeySet::default();
    let err = mi_token(
        &directory(),
        "api://AzureADTokenExchange",
        &env(&keys, NOW, 1),
    )
    .unwrap_err();
    assert_eq!(err.code(), Aadsts::TransientError);
}

#[test]
fn mock_issuer_mode_writes_issuers_on_the_mock_url_and_recognises_only_those() {
    let mode = IssuerMode::Mock {
        base_url: "http://localhost:8080/".into(),
    };
    assert_eq!(
        mode.v2_issuer(Cloud::AzureCloud, CONTOSO).as_str(),
        format!("http://localhost:8080/{CONTOSO}/v2.0")
    );
    assert_eq!(
        mode.v1_issuer(Cloud::AzureCloud, CONTOSO).as_str(),
        format!("http://localhost:8080/{CONTOSO}/")
    );
    assert_eq!(
        mode.accepts(&format!("http://localhost:8080/{CONTOSO}/v2.0")),
        Some((Cloud::AzureCloud, CONTOSO, TokenVersion::V2))
    );
    assert_eq!(
        mode.accepts(&format!("http://localhost:8080/{CONTOSO}/")),
        Some((Cloud::AzureCloud, CONTOSO, TokenVersion::V1))
    );
    assert_eq!(
        mode.accepts(&format!("http://localhost:8080/{CONTOSO}")),
        None
    );
    assert_eq!(
        mode.accepts(Cloud::AzureCloud.v2_issuer(CONTOSO).as_str()),
        None
    );
}

#[test]
fn entra_issuer_mode_recognises_exact_issuers_of_every_cloud_but_not_aliases() {
    let mode = IssuerMode::Entra;
    for cloud in Cloud::ALL {
        assert_eq!(
            mode.accepts(cloud.v2_issuer(CONTOSO).as_str()),
            Some((cloud, CONTOSO, TokenVersion::V2))
        );
    }
    assert_eq!(
        mode.accepts(&format!("https://sts.chinacloudapi.cn/{CONTOSO}/")),
        Some((Cloud::AzureChinaCloud, CONTOSO, TokenVersion::V1))
    );
    assert_eq!(
        mode.accepts(&format!(
            "https://login.microsoftonline.com/{CONTOSO}/v2.0/"
        )),
        None
    );
    assert_eq!(
        mode.accepts(&format!("https://login.windows.net/{CONTOSO}/")),
        None
    );
    assert_eq!(
        mode.accepts("https://token.actions.githubusercontent.com"),
        None
    );
}
