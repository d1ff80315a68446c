//! Tests of whole-scenario export: every guided scenario, in every language, chains its steps,
//! reads its endpoints from the environment and names the deliberate mistakes.

use super::*;
use crate::scenario::{SCENARIOS, World};
use crate::testutil;

fn world() -> World {
    World::from_directory(&testutil::directory())
}

fn plan(id: &str) -> Plan {
    let sc = SCENARIOS
        .iter()
        .find(|s| s.id == id)
        .expect("a guided scenario");
    sc.plan(&world())
}

#[test]
fn every_scenario_exports_in_every_language_snapshot() {
    for sc in SCENARIOS {
        let plan = sc.plan(&world());
        for lang in ScriptLang::ALL {
            insta::assert_snapshot!(format!("{}_{}", sc.id, lang.id()), script(&plan, lang));
        }
    }
}

#[test]
fn no_script_keeps_a_placeholder_or_a_mock_address() {
    for sc in SCENARIOS {
        let plan = sc.plan(&world());
        for lang in ScriptLang::ALL {
            let text = script(&plan, lang);
            assert!(!text.contains("{{env:"), "{} {}", sc.id, lang.id());
            assert!(!text.contains(".access_token}}") || lang == ScriptLang::RestClient);
            assert!(!text.contains("127.0.0.1") && !text.contains("localhost:"));
            assert!(!text.contains("/blob/"), "{} {}", sc.id, lang.id());
        }
    }
}

#[test]
fn python_assigns_the_mi_token_and_sends_the_token_value_as_assertion() {
    let py = script(&plan("cross-tenant"), ScriptLang::Python);
    assert!(py.contains("mi_token = response.json()[\"access_token\"]\n"));
    assert!(py.contains("\"client_assertion\": f\"{mi_token}\","));
    assert!(!py.contains("miTokenResponse"));
    assert!(py.contains("\"Authorization\": f\"Bearer {entra_token}\""));
}

#[test]
fn bash_reads_endpoints_with_azure_defaults() {
    let sh = script(&plan("cross-tenant"), ScriptLang::Bash);
    assert!(sh.contains(
        "AZURE_POD_IDENTITY_AUTHORITY_HOST=\"${AZURE_POD_IDENTITY_AUTHORITY_HOST:-http://169.254.169.254}\"\n"
    ));
    assert!(sh.contains(
        "AZURE_AUTHORITY_HOST=\"${AZURE_AUTHORITY_HOST:-https://login.microsoftonline.com}\"\n"
    ));
    assert!(sh.contains("\"${AZURE_RESOURCE_MANAGER_ENDPOINT}/subscriptions/"));
    assert!(sh.contains("--data-urlencode \"client_assertion=${miToken}\""));
}

#[test]
fn deliberate_mistakes_are_expected_not_fatal() {
    let p = plan("cross-tenant");
    assert!(script(&p, ScriptLang::Bash).contains("send own-app 700236 \\\n"));
    assert!(script(&p, ScriptLang::Python).contains("    \"own-app\",\n    700236,\n"));
    assert!(script(&p, ScriptLang::Rust).contains("        Some(&[700236]),\n"));
    assert!(script(&p, ScriptLang::CSharp).contains("await Send(\"own-app\", [700236], request2)"));
    assert!(script(&p, ScriptLang::RestClient).contains("# Expect: AADSTS700236"));
}

#[test]
fn the_app_service_scenario_requires_identity_endpoint_and_header() {
    let p = plan("functions-graph");
    let sh = script(&p, ScriptLang::Bash);
    assert!(sh.contains(": \"${IDENTITY_ENDPOINT:?"));
    assert!(sh.contains("-H \"X-IDENTITY-HEADER: ${IDENTITY_HEADER}\""));
    let http = script(&p, ScriptLang::RestClient);
    assert!(http.contains("@IDENTITY_HEADER = {{$processEnv IDENTITY_HEADER}}\n"));
}

#[test]
fn rest_client_names_each_request_once_and_reads_the_latest_token() {
    let p = plan("custom-audience");
    let names = rest_request_names(&p);
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
    let http = script(&p, ScriptLang::RestClient);
    // The v1 exchange reads the second MI token, not the first.
    let v1 = http
        .find("# @name exchangeV1Response")
        .expect("the v1 exchange");
    assert!(
        http[v1..].contains("client_assertion={{miTokenV1Response.response.body.$.access_token}}")
    );
    assert!(http.starts_with("# Custom audience"));
}

#[test]
fn token_variables_name_the_value() {
    assert_eq!(token_var("miTokenResponse"), "miToken");
    assert_eq!(token_var_snake("entraTokenResponse"), "entra_token");
    assert_eq!(request_name("mi-token-v1"), "miTokenV1Response");
}

#[test]
fn steps_name_their_azure_cli_and_azure_powershell_equivalents() {
    let sh = script(&plan("cross-tenant"), ScriptLang::Bash);
    assert!(sh.contains("# Azure CLI: az login --identity --client-id "));
    assert!(sh.contains("--federated-token \"$miToken\" --tenant "));
    assert!(sh.contains("# Azure CLI: az group list --subscription "));
    let ps = script(&plan("functions-graph"), ScriptLang::PowerShell);
    assert!(ps.contains("# Azure PowerShell: Connect-AzAccount -ServicePrincipal -ApplicationId "));
    assert!(ps.contains("# Azure PowerShell: New-AzADServicePrincipal -ApplicationId "));
    let custom = script(&plan("custom-audience"), ScriptLang::Bash);
    assert!(custom.contains("--set api.requestedAccessTokenVersion=1"));
}

#[test]
fn the_http_file_aliases_each_token_it_reads_for_httpyac_before_the_first_request() {
    let http = script(&plan("custom-audience"), ScriptLang::RestClient);
    let first_request = http.find("\n###").expect("a request");
    let globals = &http[..first_request];
    // Both MI tokens are read (v2 by app-token, v1 by exchange-v1); the admin token by the PATCHes.
    for name in ["miTokenResponse", "miTokenV1Response", "adminTokenResponse"] {
        assert!(
            globals.contains(&format!(
                "\n@{name}.response.body.$.access_token = {{{{{name}.access_token}}}}\n"
            )),
            "{globals}"
        );
    }
    // The app token of this scenario is read by no request: no alias for it.
    assert!(!globals.contains("@appTokenResponse."), "{globals}");
}

#[test]
fn the_rust_script_binds_only_tokens_a_later_step_reads() {
    // custom-audience stores the app token and never sends it; functions-graph's last exchange
    // stores one nobody reads: unused variables would be compiler warnings.
    for id in ["custom-audience", "functions-graph"] {
        let p = plan(id);
        let rs = script(&p, ScriptLang::Rust);
        let bound = rs.matches("let entra_token = ").count();
        let read = rs.matches("{entra_token}").count();
        assert!(bound == 0 || read > 0, "{id}: {rs}");
    }
    let custom = script(&plan("custom-audience"), ScriptLang::Rust);
    assert!(!custom.contains("let entra_token"), "{custom}");
    let functions = script(&plan("functions-graph"), ScriptLang::Rust);
    assert_eq!(
        functions.matches("let entra_token = ").count(),
        1,
        "{functions}"
    );
    // Python keeps every token (no warnings there), named alike.
    let py = script(&plan("functions-graph"), ScriptLang::Python);
    assert_eq!(py.matches("entra_token = response.json()").count(), 2);
}

#[test]
fn several_expected_codes_are_any_of_them_in_every_language() {
    let mut p = plan("cross-tenant");
    let own = p
        .steps
        .iter_mut()
        .find(|s| s.id == "own-app")
        .expect("own-app");
    own.expect = Outcome::Aadsts(vec![700213, 700236]);
    assert!(script(&p, ScriptLang::Bash).contains("send own-app 700213,700236 \\\n"));
    assert!(script(&p, ScriptLang::Python).contains("    \"own-app\",\n    (700213, 700236),\n"));
    assert!(
        script(&p, ScriptLang::PowerShell).contains("Send-Step 'own-app' @(700213, 700236) @{")
    );
    assert!(script(&p, ScriptLang::CSharp).contains("[700213, 700236]"));
    assert!(script(&p, ScriptLang::Rust).contains("Some(&[700213, 700236]),"));
    assert!(
        script(&p, ScriptLang::RestClient)
            .contains("# Expect: one of AADSTS700213, AADSTS700236 (the deliberate mistakes")
    );
}
