//! Tests of code export: every language carries the scenario's real ids.

use proptest::prelude::*;

use super::*;
use crate::client::{TargetCall, arm_resource_groups_request, token_of};
use crate::cloud::Cloud;
use crate::ids::{ClientId, SubscriptionId, TenantId};

const TENANT: TenantId = TenantId::from_u128(0xeac00000_0000_4000_8000_000000000691);
const APP: ClientId = ClientId::from_u128(0xd7000000_0000_4000_8000_000000000c6f);
const MI: ClientId = ClientId::from_u128(0xf31a0000_0000_4000_8000_000000000d43);
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

/// Seed 004 against the mock: App Service, a user-assigned identity, Graph devices.
fn seed_004_on_the_mock() -> FicFlow {
    FicFlow {
        endpoints: Endpoints {
            imds: "http://127.0.0.1:8080".into(),
            authority: "https://localhost:8443".into(),
            graph: "https://localhost:8443/graph".into(),
            arm: "https://localhost:8443/arm".into(),
        },
        cloud: Cloud::AzureCloud,
        host: MiHost::AppService {
            identity_endpoint: "http://127.0.0.1:8080/msi/token".into(),
            identity_header: "s3cret".into(),
        },
        mi_client_id: Some(MI),
        target_tenant: TENANT,
        app_client_id: APP,
        target: TargetCall::GraphDevices,
    }
}

#[test]
fn rest_client_export_chains_tokens_like_seed_002() {
    let file = rest_client_file(&seed_002().steps());
    assert!(file.contains("# @name miTokenResponse\nGET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://AzureADTokenExchange\nMetadata: true\n"));
    assert!(file.contains("&client_assertion={{miTokenResponse.response.body.access_token}}\n"));
    assert!(
        file.contains("Authorization: Bearer {{entraTokenResponse.response.body.access_token}}")
    );
    insta::assert_snapshot!("rest_client_seed_002", file);
    insta::assert_snapshot!(
        "rest_client_seed_004_mock",
        rest_client_file(&seed_004_on_the_mock().steps())
    );
}

#[test]
fn curl_export_captures_tokens_in_shell_variables() {
    let script = curl_script(&seed_002().steps());
    assert!(script.contains("miToken=$(curl"));
    assert!(script.contains("--data-urlencode \"client_assertion=${miToken}\""));
    insta::assert_snapshot!("curl_seed_002", script);
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
fn powershell_export_uses_invoke_rest_method_with_a_form_hashtable() {
    let script = powershell_script(&seed_004_on_the_mock().steps());
    assert!(script.contains("'client_assertion' = \"${miToken}\""));
    assert!(script.contains("-Headers @{ 'X-IDENTITY-HEADER' = 's3cret' }"));
    insta::assert_snapshot!("powershell_seed_004_mock", script);
    insta::assert_snapshot!(
        "powershell_seed_002",
        powershell_script(&seed_002().steps())
    );
}

#[test]
fn csharp_export_follows_seed_003() {
    let code = csharp_program(&seed_002());
    assert!(code.contains("new ClientAssertionCredential("));
    assert!(
        !code.contains("AuthorityHost"),
        "real Azure needs no authority override"
    );
    insta::assert_snapshot!("csharp_seed_002", code);
    let mock = csharp_program(&seed_004_on_the_mock());
    assert!(mock.contains("AuthorityHost = new Uri(\"https://localhost:8443\")"));
    insta::assert_snapshot!("csharp_seed_004_mock", mock);
}

#[test]
fn python_export_uses_azure_identity() {
    insta::assert_snapshot!("python_seed_002", python_program(&seed_002()));
    let mock = python_program(&seed_004_on_the_mock());
    assert!(
        mock.contains(
            "ManagedIdentityCredential(client_id=\"f31a0000-0000-4000-8000-000000000d43\")"
        )
    );
    assert!(mock.contains("IDENTITY_ENDPOINT=http://127.0.0.1:8080/msi/token"));
    insta::assert_snapshot!("python_seed_004_mock", mock);
}

#[test]
fn rust_export_uses_azure_identity() {
    insta::assert_snapshot!("rust_seed_002", rust_program(&seed_002()));
    let mock = rust_program(&seed_004_on_the_mock());
    assert!(mock.contains("AZURE_AUTHORITY_HOST=https://localhost:8443"));
    insta::assert_snapshot!("rust_seed_004_mock", mock);
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
