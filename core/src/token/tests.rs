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

#[test]
fn xms_mirid_spells_resourcegroups_in_lower_case_whatever_the_scenario_spells() {
    let keys = keys();
    let (props, _) = umi();
    for spelling in ["resourceGroups", "RESOURCEGROUPS", "resourcegroups"] {
        let id = ArmResourceId::new(UMI_ID.replace("resourceGroups", spelling));
        let t = issue_managed_identity_token(
            &directory(),
            &props,
            &id,
            "https://management.azure.com/",
            &env(&keys, NOW, 3),
        )
        .unwrap();
        assert_eq!(
            decoded(&t.access_token)["claims"]["xms_mirid"],
            UMI_ID.replace("resourceGroups", "resourcegroups"),
            "scenario spelling {spelling}"
        );
    }
}

#[test]
fn arm_id_claims_keep_every_segment_but_resourcegroups_as_given() {
    let id = ArmResourceId::new(
        "/subscriptions/S/resourceGroups/RG-Upper/providers/Microsoft.App/containerApps/App1",
    );
    assert_eq!(
        arm_id_claim(&id),
        "/subscriptions/S/resourcegroups/RG-Upper/providers/Microsoft.App/containerApps/App1"
    );
}

#[test]
fn a_user_assigned_identity_on_a_host_carries_the_hosts_arm_id_as_xms_az_rid() {
    let keys = keys();
    let (properties, mirid) = umi();
    let host = ArmResourceId::new(
        "/subscriptions/S/resourceGroups/rg/providers/Microsoft.App/containerApps/app",
    );
    let selected = SelectedIdentity {
        properties,
        resource_id_for_xms_mirid: mirid,
        host_resource_id: host,
        user_assigned: true,
    };
    let t = issue_managed_identity_token_on_host(
        &directory(),
        &selected,
        "https://management.azure.com/",
        &env(&keys, NOW, 3),
    )
    .unwrap();
    let claims = decoded(&t.access_token)["claims"].clone();
    assert_eq!(
        claims["xms_az_rid"],
        "/subscriptions/S/resourcegroups/rg/providers/Microsoft.App/containerApps/app"
    );
    let names: Vec<&String> = claims.as_object().unwrap().keys().collect();
    let az = names.iter().position(|n| *n == "xms_az_rid").unwrap();
    let mi = names.iter().position(|n| *n == "xms_mirid").unwrap();
    assert!(
        az < mi,
        "xms_az_rid comes before xms_mirid, as in the capture"
    );

    let system = SelectedIdentity {
        user_assigned: false,
        ..selected
    };
    let t = issue_managed_identity_token_on_host(
        &directory(),
        &system,
        "https://management.azure.com/",
        &env(&keys, NOW, 3),
    )
    .unwrap();
    assert!(
        decoded(&t.access_token)["claims"]
            .get("xms_az_rid")
            .is_none()
    );
}

#[test]
fn only_microsoft_graph_tokens_carry_graphs_extra_claims() {
    let keys = keys();
    let t = mi_token(
        &directory(),
        "https://management.azure.com/",
        &env(&keys, NOW, 3),
    )
    .unwrap();
    let claims = decoded(&t.access_token)["claims"].clone();
    for name in [
        "app_displayname",
        "tenant_region_scope",
        "wids",
        "xms_ftd",
        "xms_idrel",
        "xms_rd",
        "xms_tcdt",
    ] {
        assert!(claims.get(name).is_none(), "{name} on an ARM token");
    }
    assert!(claims["rh"].as_str().unwrap().starts_with("1.A"));
}

#[test]
fn a_graph_app_token_carries_graphs_claims_in_entras_order() {
    let keys = keys();
    let dir = directory();
    let tenant = dir.tenant(CONTOSO).unwrap();
    let spec = graph_admin_token_spec(tenant, vec!["Application.ReadWrite.All".into()], false);
    let t = mint(&spec, &env(&keys, NOW, 4)).unwrap();
    let claims = decoded(&t.access_token)["claims"].clone();
    let sp = tenant.service_principal(CONTOSO_ADMIN).unwrap();
    assert_eq!(claims["app_displayname"], sp.display_name.as_str());
    assert_eq!(claims["tenant_region_scope"], TENANT_REGION_SCOPE);
    assert_eq!(
        claims["wids"],
        json!(["0997a1d0-0d1d-4acb-b408-d5ca73121e90"])
    );
    assert!(claims["xms_tcdt"].is_i64(), "xms_tcdt is a number");
    assert!(claims["xms_tcdt"].as_i64().unwrap() < NOW.secs());
    let idrel = claims["xms_idrel"].as_str().unwrap();
    assert!(idrel.split(' ').all(|n| n.parse::<u32>().is_ok()) && idrel.split(' ').count() == 2);
    assert!(claims["xms_rd"].as_str().unwrap().starts_with("0.42"));
    assert!(claims["rh"].as_str().unwrap().starts_with("1."));
    let order: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        order,
        [
            "aud",
            "iss",
            "iat",
            "nbf",
            "exp",
            "aio",
            "app_displayname",
            "appid",
            "appidacr",
            "idp",
            "idtyp",
            "oid",
            "rh",
            "roles",
            "sub",
            "tenant_region_scope",
            "tid",
            "uti",
            "ver",
            "wids",
            "xms_ftd",
            "xms_idrel",
            "xms_rd",
            "xms_tcdt"
        ],
        "the order of the 2026 Graph token capture"
    );
}

#[test]
fn a_nonce_graph_token_fails_a_generic_signature_check_but_graph_accepts_it() {
    let keys = keys();
    let mut dir = directory();
    dir.graph_token_nonce = true;
    let tenant = dir.tenant(CONTOSO).unwrap();
    let spec = graph_admin_token_spec(tenant, vec!["Application.ReadWrite.All".into()], true);
    let t = mint(&spec, &env(&keys, NOW, 5)).unwrap();
    let jwt = crate::jose::Jwt::decode(&t.access_token).unwrap();
    let header: Vec<&str> = jwt.header().keys().map(String::as_str).collect();
    assert_eq!(header, ["typ", "nonce", "alg", "x5t", "kid"]);
    assert_eq!(
        keys.verify(&jwt, NOW).err(),
        Some(crate::keys::VerifyError::BadSignature),
        "a generic verifier must fail, as on real Graph tokens"
    );
    let graph = crate::resource::validate_access_token(
        &t.access_token,
        crate::resource::ResourceKind::Graph,
        &dir,
        &keys,
        &crate::resource::EntraIssuers,
        NOW,
    );
    assert!(graph.is_ok(), "Graph hashes the nonce first: {graph:?}");

    // A nonce changed in transit no longer verifies, even for Graph.
    let raw = jwt.header()["nonce"].as_str().unwrap();
    let forged_header = with_nonce(&Value::Object(jwt.header().clone()), &format!("{raw}x"));
    let (_, rest) = t.access_token.split_once('.').unwrap();
    let forged = format!(
        "{}.{rest}",
        b64url(&serde_json::to_vec(&forged_header).unwrap())
    );
    assert!(
        crate::resource::validate_access_token(
            &forged,
            crate::resource::ResourceKind::Graph,
            &dir,
            &keys,
            &crate::resource::EntraIssuers,
            NOW,
        )
        .is_err()
    );
}

#[test]
fn without_the_scenario_switch_graph_tokens_have_no_nonce_and_verify_anywhere() {
    let keys = keys();
    let dir = directory();
    assert!(!dir.graph_token_nonce, "off by default");
    let tenant = dir.tenant(CONTOSO).unwrap();
    let spec = graph_admin_token_spec(tenant, vec![], dir.graph_token_nonce);
    let t = mint(&spec, &env(&keys, NOW, 5)).unwrap();
    let jwt = crate::jose::Jwt::decode(&t.access_token).unwrap();
    assert!(jwt.header().get("nonce").is_none());
    assert!(keys.verify(&jwt, NOW).is_ok());
}
