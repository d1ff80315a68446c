//! Resource Manager beyond seed 002's list: tenants, subscriptions, one resource group and its
//! `HEAD`, role assignments, providers, the `api-version` rule and the cloud metadata document,
//! over the default scenario.

use serde_json::Value;

use crate::cloud::Cloud;
use crate::directory::RoleAssignment;
use crate::ids::ObjectId;
use crate::resource::*;
use crate::testutil::tokens::*;

const ARM: &str = "https://management.azure.com/";
const LITWARE_SUB: &str = "3f8e2d1c-0b9a-4877-a665-544332211a0b";
const CONTOSO_SUB: &str = "5c0e8b7a-1d2f-4a3b-9c8d-7e6f5a4b3c2d";
const V: Option<&str> = Some("2022-12-01");
/// The App Service's system-assigned identity, Reader on rg-workloads in Contoso.
const FUNC_CONTOSO: &str = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8e";
/// Litware's own app's service principal: no role anywhere.
const LITWARE_OWN_SP: &str = "4f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7c";

fn litware_app() -> AccessTokenClaims {
    caller(
        ResourceKind::Arm,
        &v1_claims(LITWARE, ARM, MULTI_APP, MULTI_SP_LITWARE, &[]),
    )
}

/// The default scenario without Litware Own App's role (Contributor on rg-litware-apps, for the
/// GitHub deployment): a principal of Litware that holds no role anywhere.
fn without_own_app_role() -> crate::directory::Directory {
    let mut dir = directory();
    for t in &mut dir.tenants {
        for s in &mut t.subscriptions {
            s.role_assignments
                .retain(|r| r.principal_id.to_string() != LITWARE_OWN_SP);
        }
    }
    dir
}

fn litware_own_app() -> AccessTokenClaims {
    caller(
        ResourceKind::Arm,
        &v1_claims(
            LITWARE,
            ARM,
            "c8e0a2b4-6d8f-4a1c-9e3b-5d7f9a1c3e57",
            LITWARE_OWN_SP,
            &[],
        ),
    )
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

// --- api-version ----------------------------------------------------------------------------------

#[test]
fn every_arm_operation_requires_an_api_version_in_arms_words() {
    let dir = directory();
    let c = litware_app();
    for err in [
        list_tenants(&dir, &c, None).unwrap_err(),
        list_subscriptions(&dir, &c, Some("")).unwrap_err(),
        get_subscription(&dir, LITWARE_SUB, &c, None).unwrap_err(),
        get_resource_group(&dir, LITWARE_SUB, "NetworkWatcherRG", &c, None).unwrap_err(),
        list_role_assignments(&dir, LITWARE_SUB, None, &c, None, None).unwrap_err(),
        get_providers(&dir, LITWARE_SUB, None, &c, None).unwrap_err(),
        metadata_endpoints(&dir, "https://localhost:8443", None).unwrap_err(),
    ] {
        assert_eq!(
            (err.status, err.code, err.message.as_str()),
            (
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests."
            )
        );
    }
}

#[test]
fn an_unknown_api_version_is_invalid_and_the_message_lists_the_supported_ones() {
    let err = list_subscriptions(&directory(), &litware_app(), Some("2099-01-01")).unwrap_err();
    assert_eq!((err.status, err.code), (400, "InvalidApiVersionParameter"));
    assert!(
        err.message
            .starts_with("The api-version '2099-01-01' is invalid. The supported versions are '2025-04-01,2025-03-01,"),
        "{}",
        err.message
    );
    assert!(err.message.ends_with(",2013-03-01,2014-02-26,2014-04'."));
    // Compared exactly: a padded or differently cased value is not a version.
    let padded = list_subscriptions(&directory(), &litware_app(), Some("2022-12-01 ")).unwrap_err();
    assert_eq!(padded.code, "InvalidApiVersionParameter");
    // Role assignments have their provider's own versions.
    let ra = list_role_assignments(
        &directory(),
        LITWARE_SUB,
        None,
        &litware_app(),
        Some("2022-12-01"),
        None,
    )
    .unwrap_err();
    assert!(
        ra.message.contains("supported versions are '2022-04-01,"),
        "{}",
        ra.message
    );
}

// --- tenants and subscriptions ------------------------------------------------------------------

#[test]
fn an_app_token_lists_its_own_tenant() {
    let body = list_tenants(&directory(), &litware_app(), V).unwrap();
    assert_eq!(names(&body, "tenantId"), [LITWARE]);
    assert_eq!(body["value"][0]["id"], format!("/tenants/{LITWARE}"));
    assert_eq!(body["value"][0]["displayName"], "Litware");
    assert_eq!(body["value"][0]["tenantCategory"], "Home");
}

#[test]
fn a_principal_sees_only_the_subscriptions_where_it_holds_a_role() {
    let body = list_subscriptions(&directory(), &litware_app(), V).unwrap();
    assert_eq!(names(&body, "subscriptionId"), [LITWARE_SUB]);
    assert_eq!(body["value"][0]["tenantId"], LITWARE);
    assert_eq!(body["value"][0]["displayName"], "Litware Shared Services");
    assert_eq!(body["value"][0]["state"], "Enabled");
    assert_eq!(body["count"]["value"], 1);

    let none = list_subscriptions(&without_own_app_role(), &litware_own_app(), V).unwrap();
    assert_eq!(none["value"].as_array().unwrap().len(), 0);
}

#[test]
fn a_subscription_without_a_role_reads_as_not_found_and_another_tenants_as_401() {
    let own =
        get_subscription(&without_own_app_role(), LITWARE_SUB, &litware_own_app(), V).unwrap_err();
    assert_eq!((own.status, own.code), (404, "SubscriptionNotFound"));
    let other = get_subscription(&directory(), CONTOSO_SUB, &litware_app(), V).unwrap_err();
    assert_eq!(
        (other.status, other.code),
        (401, "InvalidAuthenticationTokenTenant")
    );
    let got = get_subscription(&directory(), LITWARE_SUB, &litware_app(), V).unwrap();
    assert_eq!(got["id"], format!("/subscriptions/{LITWARE_SUB}"));
}

// --- resource groups ----------------------------------------------------------------------------

#[test]
fn a_resource_group_is_found_whatever_the_case_of_its_name() {
    let rg = get_resource_group(
        &directory(),
        LITWARE_SUB,
        "networkwatcherrg",
        &litware_app(),
        V,
    )
    .unwrap();
    assert_eq!(rg["name"], "NetworkWatcherRG");
    assert_eq!(
        rg["id"],
        format!("/subscriptions/{LITWARE_SUB}/resourceGroups/NetworkWatcherRG")
    );
    assert_eq!(
        resource_group_exists(
            &directory(),
            LITWARE_SUB,
            "NETWORKWATCHERRG",
            &litware_app(),
            V
        ),
        Ok(204)
    );
}

#[test]
fn a_group_outside_the_callers_roles_is_authorization_failed_whether_it_exists_or_not() {
    for name in ["rg-litware-data", "rg-nowhere"] {
        let err =
            get_resource_group(&directory(), LITWARE_SUB, name, &litware_app(), V).unwrap_err();
        assert_eq!((err.status, err.code), (403, "AuthorizationFailed"));
        assert!(err.message.contains(&format!(
            "'Microsoft.Resources/subscriptions/resourcegroups/read' over scope '/subscriptions/{LITWARE_SUB}/resourcegroups/{name}'"
        )));
    }
}

#[test]
fn with_read_on_the_subscription_an_unknown_group_is_not_found_and_head_says_404() {
    let mut dir = directory();
    dir.tenants[1].subscriptions[0]
        .role_assignments
        .push(RoleAssignment {
            principal_id: ObjectId::parse(MULTI_SP_LITWARE).unwrap(),
            role_definition_name: "Reader".to_owned(),
            scope: format!("/subscriptions/{LITWARE_SUB}"),
        });
    let err = get_resource_group(&dir, LITWARE_SUB, "rg-nowhere", &litware_app(), V).unwrap_err();
    assert_eq!(
        (err.status, err.code, err.message.as_str()),
        (
            404,
            "ResourceGroupNotFound",
            "Resource group 'rg-nowhere' could not be found."
        )
    );
    assert_eq!(
        resource_group_exists(&dir, LITWARE_SUB, "rg-nowhere", &litware_app(), V),
        Ok(404)
    );
}

#[test]
fn the_app_service_identity_reads_its_own_group_in_contoso() {
    let c = caller(
        ResourceKind::Arm,
        &v1_claims(
            CONTOSO,
            ARM,
            "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9f",
            FUNC_CONTOSO,
            &[],
        ),
    );
    let groups = list_resource_groups(&directory(), CONTOSO_SUB, &c, V).unwrap();
    assert_eq!(names(&groups, "name"), ["rg-workloads"]);
}

// --- role assignments and providers ---------------------------------------------------------------

#[test]
fn role_assignments_at_a_group_include_the_callers_reader_with_the_built_in_role_id() {
    let body = list_role_assignments(
        &directory(),
        LITWARE_SUB,
        Some("NetworkWatcherRG"),
        &litware_app(),
        Some("2022-04-01"),
        None,
    )
    .unwrap();
    let a = &body["value"][0];
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
    assert_eq!(a["properties"]["principalId"], MULTI_SP_LITWARE);
    assert_eq!(a["properties"]["principalType"], "ServicePrincipal");
    assert_eq!(
        a["properties"]["roleDefinitionId"],
        format!(
            "/subscriptions/{LITWARE_SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
        )
    );
    assert_eq!(a["type"], "Microsoft.Authorization/roleAssignments");
    let name = a["name"].as_str().unwrap();
    assert!(
        a["id"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/roleAssignments/{name}"))
    );
    assert!(crate::ids::Guid::parse(name).is_some());
}

#[test]
fn role_assignments_at_the_subscription_need_read_there() {
    let err = list_role_assignments(
        &directory(),
        LITWARE_SUB,
        None,
        &litware_app(),
        Some("2022-04-01"),
        None,
    )
    .unwrap_err();
    assert_eq!((err.status, err.code), (403, "AuthorizationFailed"));
    assert!(
        err.message
            .contains("'Microsoft.Authorization/roleAssignments/read'")
    );
}

#[test]
fn a_principal_filter_keeps_that_principals_assignments_and_an_unknown_filter_is_refused() {
    let mut dir = directory();
    dir.tenants[1].subscriptions[0]
        .role_assignments
        .push(RoleAssignment {
            principal_id: ObjectId::parse(LITWARE_OWN_SP).unwrap(),
            role_definition_name: "Contributor".to_owned(),
            scope: format!("/subscriptions/{LITWARE_SUB}/resourceGroups/NetworkWatcherRG"),
        });
    let c = litware_app();
    let all = list_role_assignments(
        &dir,
        LITWARE_SUB,
        Some("NetworkWatcherRG"),
        &c,
        Some("2022-04-01"),
        None,
    )
    .unwrap();
    assert_eq!(all["value"].as_array().unwrap().len(), 2);
    let filter = format!("principalId eq '{LITWARE_OWN_SP}'");
    let mine = list_role_assignments(
        &dir,
        LITWARE_SUB,
        Some("NetworkWatcherRG"),
        &c,
        Some("2022-04-01"),
        Some(&filter),
    )
    .unwrap();
    assert_eq!(mine["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        mine["value"][0]["properties"]["principalId"],
        LITWARE_OWN_SP
    );
    let bad = list_role_assignments(
        &dir,
        LITWARE_SUB,
        Some("NetworkWatcherRG"),
        &c,
        Some("2022-04-01"),
        Some("displayName eq 'x'"),
    )
    .unwrap_err();
    assert_eq!(bad.status, 400);
}

#[test]
fn providers_list_the_types_the_mock_serves_with_their_versions() {
    let c = litware_app();
    let all = get_providers(&directory(), LITWARE_SUB, None, &c, V).unwrap();
    assert_eq!(
        names(&all, "namespace"),
        ["Microsoft.Resources", "Microsoft.Authorization"]
    );
    let one = get_providers(
        &directory(),
        LITWARE_SUB,
        Some("microsoft.resources"),
        &c,
        V,
    )
    .unwrap();
    assert_eq!(one["namespace"], "Microsoft.Resources");
    assert_eq!(one["registrationState"], "Registered");
    let unknown =
        get_providers(&directory(), LITWARE_SUB, Some("Microsoft.Nothing"), &c, V).unwrap_err();
    assert_eq!(unknown.status, 404);
}

// --- cloud metadata ---------------------------------------------------------------------------------

#[test]
fn the_current_metadata_document_describes_the_mock_as_the_scenarios_cloud() {
    let doc =
        metadata_endpoints(&directory(), "https://localhost:8443", Some("2022-09-01")).unwrap();
    assert_eq!(doc["name"], "AzureCloud");
    assert_eq!(
        doc["authentication"]["loginEndpoint"],
        "https://localhost:8443"
    );
    assert_eq!(doc["resourceManager"], "https://localhost:8443/");
    assert_eq!(
        doc["authentication"]["audiences"],
        serde_json::json!([
            "https://management.core.windows.net/",
            "https://management.azure.com/"
        ])
    );
    assert_eq!(
        doc["microsoftGraphResourceId"],
        "https://graph.microsoft.com/"
    );
    assert_eq!(doc["suffixes"]["storage"], "core.windows.net");
    assert_eq!(doc["authentication"]["tenant"], "common");
    assert_eq!(doc["authentication"]["identityProvider"], "AAD");
}

#[test]
fn the_list_shape_has_one_entry_per_national_cloud_of_the_scenario() {
    let mut dir = directory();
    dir.tenants[2].cloud = Cloud::AzureUSGovernment;
    let list = metadata_endpoints(&dir, "https://localhost:8443", Some("2019-05-01")).unwrap();
    let clouds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(clouds, ["AzureCloud", "AzureUSGovernment"]);
    let gov = &list[1];
    assert_eq!(
        gov["authentication"]["loginEndpoint"],
        "https://localhost:8443"
    );
    assert_eq!(
        gov["authentication"]["audiences"][0],
        "https://management.core.usgovcloudapi.net/"
    );
    assert_eq!(
        gov["microsoftGraphResourceId"],
        "https://graph.microsoft.us/"
    );
    assert_eq!(gov["suffixes"]["storage"], "core.usgovcloudapi.net");
}

#[test]
fn the_azure_stack_shape_carries_the_login_endpoint_and_audiences_powershell_reads() {
    let doc =
        metadata_endpoints(&directory(), "https://localhost:8443", Some("2015-01-01")).unwrap();
    assert_eq!(
        doc["authentication"]["loginEndpoint"],
        "https://localhost:8443/"
    );
    assert_eq!(
        doc["authentication"]["audiences"][0],
        "https://management.core.windows.net/"
    );
    assert_eq!(doc["graphEndpoint"], "https://graph.windows.net/");
    assert!(doc["galleryEndpoint"].is_string() && doc["portalEndpoint"].is_string());
    assert!(doc.get("name").is_none());
}
