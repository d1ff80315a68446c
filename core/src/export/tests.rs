//! Tests of code export: every language carries the scenario's real ids.

use proptest::prelude::*;

use super::*;
use crate::client::{
    Endpoints, FicFlow, MiHost, TargetCall, arm_resource_groups_request, token_of,
};
use crate::cloud::Cloud;
use crate::ids::{ClientId, SubscriptionId, TenantId};

const TENANT: TenantId = TenantId::from_u128(0xeac00000_0000_4000_8000_000000000691);
const APP: ClientId = ClientId::from_u128(0xd7000000_0000_4000_8000_000000000c6f);
const SUB: SubscriptionId = SubscriptionId::from_u128(0x04d00000_0000_4000_8000_000000000824);

/// Seed 002 against real Azure: VM, default identity, ARM resource groups in Litware.
fn seed_002() -> FicFlow {
    FicFlow {
        endpoints: Endpoints::azure(Cloud::AzureCloud),
        cloud: Cloud::AzureCloud,
        host: MiHost::Imds,
        mi_client_id: None,
        target_tenant: TENANT,
        app_client_id: APP,
        target: TargetCall::ArmResourceGroups { subscription: SUB },
    }
}

#[test]
fn curl_quotes_hostile_values() {
    let x = arm_resource_groups_request("https://a'b", SubscriptionId::from_u128(1), "t\"$`x");
    let cmd = curl_command(&x);
    insta::assert_snapshot!("curl_hostile_quoting", cmd);
    let chained = arm_resource_groups_request(
        "https://arm",
        SubscriptionId::from_u128(1),
        &format!("{}$x", token_of("a")),
    );
    assert!(curl_command(&chained).contains("\"Authorization: Bearer ${a}\\$x\""));
}

#[test]
fn single_requests_export_to_each_raw_format() {
    let x = seed_002().steps()[1].request.clone();
    insta::assert_snapshot!(
        "single_request_exports",
        format!(
            "{}\n\n{}\n\n{}",
            curl_command(&x),
            rest_client_request(&x),
            powershell_command(&x)
        )
    );
}

#[test]
fn single_requests_export_to_csharp_python_and_rust_with_tokens_as_variables() {
    let steps = seed_002().steps();
    let exchange = &steps[1].request;
    for code in [
        csharp_request(exchange),
        python_request(exchange),
        rust_request(exchange),
    ] {
        assert!(
            code.contains(&format!(
                "https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
            )),
            "{code}"
        );
        assert!(code.contains(&APP.to_string()), "{code}");
        assert!(code.contains("client_assertion"), "{code}");
        // The variable holds the token value, named alike in every language.
        assert!(
            code.contains("{miToken}") || code.contains("{mi_token}"),
            "{code}"
        );
        assert!(!code.contains("{{miTokenResponse"), "{code}");
    }
    assert!(csharp_request(exchange).contains("new HttpMethod(\"POST\")"));
    assert!(
        csharp_request(exchange)
            .contains("KeyValuePair.Create(\"client_assertion\", $\"{miToken}\")")
    );
    assert!(python_request(exchange).contains("\"client_assertion\": f\"{mi_token}\","));
    assert!(
        rust_request(exchange)
            .contains("(\"client_assertion\", format!(\"{mi_token}\").as_str()),")
    );

    let call = &steps[2].request;
    let rust = rust_request(call);
    assert!(rust.contains(&format!("\"https://management.azure.com/subscriptions/{SUB}/resourceGroups?api-version=2024-08-01\"")), "{rust}");
    assert!(
        rust.contains(".header(\"Authorization\", format!(\"Bearer {entra_token}\").as_str())"),
        "{rust}"
    );
    assert!(python_request(call).contains("\"Authorization\": f\"Bearer {entra_token}\""));
}

#[test]
fn single_request_export_escapes_braces_quotes_and_json_bodies() {
    let x = HttpExchange::new(
        http::Method::PATCH,
        "https://graph/v1.0/applications/1".into(),
    )
    .header("Authorization", format!("Bearer {}", token_of("admin")));
    let x = HttpExchange {
        body: Some(Body::Json(
            r#"{"api":{"requestedAccessTokenVersion":1}}"#.into(),
        )),
        ..x
    };
    let cs = csharp_request(&x);
    assert!(cs.contains("new HttpMethod(\"PATCH\")"), "{cs}");
    assert!(
        cs.contains(r#"new StringContent("{\"api\":{\"requestedAccessTokenVersion\":1}}""#),
        "{cs}"
    );
    let rs = rust_request(&x);
    assert!(
        rs.contains(r#".body("{\"api\":{\"requestedAccessTokenVersion\":1}}".to_owned())"#),
        "{rs}"
    );
    let with_token = HttpExchange {
        body: Some(Body::Json(format!(r#"{{"t":"{}"}}"#, token_of("admin")))),
        ..x
    };
    let py = python_request(&with_token);
    assert!(
        py.contains(r#"data=f"{{\"t\":\"{admin}\"}}".encode(),"#),
        "{py}"
    );
}

proptest! {
    #[test]
    fn arbitrary_values_export_without_panicking(token in ".{0,40}", base in ".{0,30}") {
        let x = arm_resource_groups_request(&base, SubscriptionId::from_u128(1), &token);
        let _ = curl_command(&x);
        let _ = rest_client_request(&x);
        let _ = powershell_command(&x);
        let _ = csharp_request(&x);
        let _ = python_request(&x);
        let _ = rust_request(&x);
    }
}
