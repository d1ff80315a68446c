//! Tests of the client-side requests of the flow, as a client would send them.

use proptest::prelude::*;

use super::*;

const TENANT: TenantId = TenantId::from_u128(0xeac00000_0000_4000_8000_000000000691);
const APP: ClientId = ClientId::from_u128(0xd7000000_0000_4000_8000_000000000c6f);
const MI: ClientId = ClientId::from_u128(0xf31a0000_0000_4000_8000_000000000d43);
const SUB: SubscriptionId = SubscriptionId::from_u128(0x04d00000_0000_4000_8000_000000000824);

fn azure() -> Endpoints {
    Endpoints::azure(Cloud::AzureCloud)
}

fn wire(x: &HttpExchange) -> serde_json::Value {
    let req = x.into_http().unwrap();
    serde_json::json!({
        "method": req.method().as_str(),
        "uri": req.uri().to_string(),
        "headers": req.headers().iter().map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?"))).collect::<Vec<_>>(),
        "body": String::from_utf8_lossy(req.body()),
    })
}

#[test]
fn the_imds_request_is_seed_002s() {
    let x = imds_token_request(&azure().imds, "api://AzureADTokenExchange", None);
    assert_eq!(
        x.full_url(),
        "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://AzureADTokenExchange"
    );
    assert_eq!(x.headers, vec![("Metadata".to_owned(), "true".to_owned())]);
    let with_selector = imds_token_request(
        &azure().imds,
        "r",
        Some(&IdentitySelector::ResourceId("/sub/x".into())),
    );
    assert_eq!(
        with_selector.query.last().map(|(k, _)| k.as_str()),
        Some("msi_res_id")
    );
}

#[test]
fn imds_requests_parse_back_on_the_emulated_imds() {
    let x = imds_token_request(
        "http://127.0.0.1:8080/",
        "https://management.azure.com/",
        Some(&IdentitySelector::ClientId(MI)),
    );
    let req = x.into_http().unwrap();
    let parsed = crate::managed_identity::imds::parse_http_request(&req).unwrap();
    let crate::managed_identity::imds::ImdsRequest::Token(t) = parsed else {
        panic!("not a token request")
    };
    assert_eq!(t.resource.as_str(), "https://management.azure.com/");
    assert_eq!(t.selector, Some(IdentitySelector::ClientId(MI)));
}

#[test]
fn app_service_requests_parse_back_on_the_emulated_endpoint() {
    let x = app_service_token_request(
        "http://127.0.0.1:41564/msi/token",
        "853b9a84",
        "api://AzureADTokenExchange",
        Some(&IdentitySelector::ObjectId(ObjectId::from_u128(5))),
    );
    let parsed =
        crate::managed_identity::app_service::parse_http_request(&x.into_http().unwrap()).unwrap();
    assert_eq!(parsed.identity_header.as_str(), "853b9a84");
    assert_eq!(
        parsed.selector,
        Some(IdentitySelector::ObjectId(ObjectId::from_u128(5)))
    );
}

#[test]
fn token_requests_carry_each_credential_form() {
    let secret = token_request(
        &azure().authority,
        &TENANT.to_string(),
        APP,
        "https://graph.microsoft.com/.default",
        &ClientCredential::Secret(ClientSecret::new("s3cr+t")),
    );
    let basic = token_request(
        &azure().authority,
        "contoso.onmicrosoft.com",
        APP,
        "https://graph.microsoft.com/.default",
        &ClientCredential::SecretBasic(ClientSecret::new("s3cr+t")),
    );
    let fic = token_request(
        &azure().authority,
        &TENANT.to_string(),
        APP,
        "https://management.azure.com/.default",
        &ClientCredential::Assertion("eyJ.e30.sig".into()),
    );
    insta::assert_json_snapshot!(
        "client_token_requests",
        [wire(&secret), wire(&basic), wire(&fic)]
    );
}

#[test]
fn placeholders_name_earlier_steps_and_substitute() {
    let x = arm_resource_groups_request(&azure().arm, SUB, &token_of(APP_STEP));
    assert_eq!(x.headers[1].1, "Bearer {{entraTokenResponse.access_token}}");
    let resolved = x.with_token(APP_STEP, "eyJ.real");
    assert_eq!(resolved.headers[1].1, "Bearer eyJ.real");
    assert_eq!(
        placeholders("a {{x}} b {{y.access_token}}"),
        vec![
            Piece::Text("a {{x}}"),
            Piece::Text(" b "),
            Piece::TokenOf("y")
        ]
    );
}

#[test]
fn every_other_request_of_the_flow_is_well_formed() {
    let fic = FicDraft {
        id: Some(ObjectId::from_u128(9)),
        name: Some("umi-multi-tenant-example".into()),
        issuer: Some(format!("https://login.microsoftonline.com/{TENANT}/v2.0")),
        subject: Some("02d00000-0000-4000-8000-00000000057d".into()),
        audiences: Some(vec!["api://AzureADTokenExchange".into()]),
        description: Some("Federated Identity Credentials for Managed Identity".into()),
        claims_matching_expression: None,
    };
    let all = [
        admin_consent_request(
            &azure().authority,
            "organizations",
            APP,
            Some("https://admin.microsoft.com"),
            Some("12345"),
        ),
        graph_fic_create_request(&azure().graph, ObjectId::from_u128(1), "eyJ.graph", &fic),
        arm_resource_groups_request(&azure().arm, SUB, "eyJ.arm"),
        storage_list_blobs_request(
            "https://contosodata.blob.core.windows.net/",
            "reports",
            "eyJ.storage",
        ),
        graph_devices_request(&azure().graph, "eyJ.graph"),
    ];
    let rendered: Vec<_> = all.iter().map(wire).collect();
    insta::assert_json_snapshot!("client_flow_requests", rendered);
}

#[test]
fn the_directory_editors_graph_writes_are_well_formed() {
    let app = ObjectId::from_u128(1);
    let fic = ObjectId::from_u128(9);
    let edited = FicDraft {
        id: None,
        name: Some("renamed".into()),
        issuer: Some(format!("https://login.microsoftonline.com/{TENANT}/v2.0")),
        subject: Some("02d00000-0000-4000-8000-00000000057d".into()),
        audiences: Some(vec!["api://AzureADTokenExchange".into()]),
        description: None,
        claims_matching_expression: None,
    };
    let all = [
        graph_fic_update_request(&azure().graph, app, fic, "eyJ.graph", &fic_changes(&edited)),
        graph_fic_delete_request(&azure().graph, app, fic, "eyJ.graph"),
        graph_token_version_request(&azure().graph, app, Some(1), "eyJ.graph"),
        graph_token_version_request(&azure().graph, app, None, "eyJ.graph"),
        graph_service_principal_create_request(&azure().graph, " not-a-guid ", "eyJ.graph"),
    ];
    let rendered: Vec<_> = all.iter().map(wire).collect();
    insta::assert_json_snapshot!("client_editor_requests", rendered);
}

#[test]
fn an_edited_fic_patch_never_carries_the_name_and_carries_a_set_description() {
    let mut draft = FicDraft {
        name: Some("new-name".into()),
        issuer: Some("https://issuer.example".into()),
        ..FicDraft::default()
    };
    assert!(fic_changes(&draft).get("name").is_none());
    assert!(fic_changes(&draft).get("description").is_none());
    draft.description = Some("why".into());
    assert_eq!(fic_changes(&draft)["description"], "why");
    assert_eq!(fic_changes(&draft)["issuer"], "https://issuer.example");
}

#[test]
fn the_fic_flow_has_three_chained_steps() {
    let flow = FicFlow {
        endpoints: azure(),
        cloud: Cloud::AzureCloud,
        host: MiHost::Imds,
        mi_client_id: None,
        target_tenant: TENANT,
        app_client_id: APP,
        target: TargetCall::ArmResourceGroups { subscription: SUB },
    };
    let steps = flow.steps();
    assert_eq!(
        steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        vec![MI_STEP, APP_STEP, CALL_STEP]
    );
    let Some(Body::Form(fields)) = &steps[1].request.body else {
        panic!("form body")
    };
    assert!(fields.contains(&("client_assertion".to_owned(), token_of(MI_STEP))));
    assert!(fields.contains(&(
        "scope".to_owned(),
        "https://management.azure.com/.default".to_owned()
    )));
}

proptest! {
    #[test]
    fn arbitrary_values_never_panic_and_round_trip_through_the_wire(resource in ".{0,40}", base in "(http://[a-z0-9.:]{1,20})?/?") {
        let x = imds_token_request(&base, &resource, None);
        let _ = x.full_url();
        if let Ok(req) = x.into_http()
            && let Ok(crate::managed_identity::imds::ImdsRequest::Token(t)) = crate::managed_identity::imds::parse_http_request(&req) {
                prop_assert_eq!(t.resource.as_str(), resource.as_str());
            }
    }

    #[test]
    fn arbitrary_placeholder_text_never_panics(s in ".{0,60}") {
        let _ = placeholders(&s);
        let _ = render(&s, str::to_owned, |x| x.to_owned());
    }
}
