//! Tests of access-token validation and the protected resources over the default scenario.

use serde_json::{Value, json};

use super::*;
use crate::cloud::Cloud;
use crate::directory::{RoleAssignment, TokenVersion};

use crate::ids::{Guid, ObjectId, TenantId};
use crate::jose::b64url;
use crate::testutil::tokens::*;
use crate::time::UnixTime;

const ARM: &str = "https://management.azure.com/";
const LITWARE_SUB: &str = "3f8e2d1c-0b9a-4877-a665-544332211a0b";
const CONTOSO_SUB: &str = "5c0e8b7a-1d2f-4a3b-9c8d-7e6f5a4b3c2d";

fn validate(token: &str, kind: ResourceKind) -> Result<AccessTokenClaims, ResourceAuthError> {
    validate_access_token(token, kind, &directory(), &keys(), &EntraIssuers, NOW)
}

fn litware_arm_claims() -> Value {
    v1_claims(LITWARE, ARM, MULTI_APP, MULTI_SP_LITWARE, &[])
}

fn arm_error(e: &ArmError) -> Value {
    json!({"status": e.status, "www-authenticate": e.www_authenticate, "body": e.to_body()})
}

fn storage_error(e: &StorageError) -> Value {
    json!({
        "status": e.status,
        "www-authenticate": e.www_authenticate,
        "body": e.to_xml(RequestId(Guid::from_u128(0x5701)), NOW),
    })
}

// --- validation -------------------------------------------------------------------------------

#[test]
fn a_v1_arm_token_from_this_mock_validates_to_its_claims() {
    let claims = validate(&sign(&litware_arm_claims()), ResourceKind::Arm).unwrap();
    assert_eq!(claims.tenant, tid(LITWARE));
    assert_eq!(claims.object_id.to_string(), MULTI_SP_LITWARE);
    assert_eq!(claims.app_id.to_string(), MULTI_APP);
    assert_eq!(claims.version, TokenVersion::V1);
    assert!(claims.roles.is_empty());
}

#[test]
fn arm_accepts_its_uris_with_or_without_trailing_slash() {
    for aud in [
        "https://management.azure.com",
        "https://management.azure.com/",
        "https://management.core.windows.net/",
    ] {
        let c = v1_claims(LITWARE, aud, MULTI_APP, MULTI_SP_LITWARE, &[]);
        assert!(validate(&sign(&c), ResourceKind::Arm).is_ok(), "{aud}");
    }
}

#[test]
fn graph_accepts_its_uri_and_its_app_id_in_v1_tokens() {
    for aud in [
        "https://graph.microsoft.com/",
        "00000003-0000-0000-c000-000000000000",
    ] {
        let c = v1_claims(LITWARE, aud, MULTI_APP, MULTI_SP_LITWARE, &[]);
        assert!(validate(&sign(&c), ResourceKind::Graph).is_ok(), "{aud}");
    }
}

#[test]
fn a_token_for_another_resource_is_refused_for_its_audience() {
    let c = v1_claims(
        LITWARE,
        "https://storage.azure.com/",
        MULTI_APP,
        MULTI_SP_LITWARE,
        &[],
    );
    assert_eq!(
        validate(&sign(&c), ResourceKind::Arm),
        Err(ResourceAuthError::InvalidAudience(
            "https://storage.azure.com/".to_owned()
        ))
    );
}

#[test]
fn a_v2_token_must_name_the_resource_by_its_app_id() {
    let v2 = |aud: &str| {
        json!({
            "aud": aud,
            "iss": format!("https://login.microsoftonline.com/{LITWARE}/v2.0"),
            "iat": NOW.secs(), "nbf": NOW.secs(), "exp": NOW.secs() + 3600,
            "azp": MULTI_APP, "azpacr": "2", "oid": MULTI_SP_LITWARE, "sub": MULTI_SP_LITWARE,
            "tid": LITWARE, "ver": "2.0",
        })
    };
    let ok = validate(
        &sign(&v2("797f4846-ba00-4fd7-ba43-dac1f8f63013")),
        ResourceKind::Arm,
    )
    .unwrap();
    assert_eq!(ok.version, TokenVersion::V2);
    assert_eq!(ok.app_id.to_string(), MULTI_APP);
    assert!(matches!(
        validate(&sign(&v2(ARM)), ResourceKind::Arm),
        Err(ResourceAuthError::InvalidAudience(_))
    ));
}

#[test]
fn only_rs256_is_accepted_so_none_hmac_and_rs384_are_refused() {
    let kid = keys().published()[0].kid().as_str().to_owned();
    for alg in ["none", "HS256", "RS384", "PS256"] {
        let header = json!({"typ":"JWT","alg":alg,"kid":kid});
        let token = sign_with_header(&litware_arm_claims(), Some(header));
        assert_eq!(
            validate(&token, ResourceKind::Arm),
            Err(ResourceAuthError::UnsupportedAlgorithm(alg.to_owned())),
            "{alg}"
        );
    }
    let unsigned = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none"}"#),
        b64url(litware_arm_claims().to_string().as_bytes())
    );
    assert_eq!(
        validate(&unsigned, ResourceKind::Arm),
        Err(ResourceAuthError::UnsupportedAlgorithm("none".to_owned()))
    );
}

#[test]
fn a_tampered_payload_fails_the_signature() {
    let token = sign(&litware_arm_claims());
    let mut parts: Vec<&str> = token.split('.').collect();
    let forged_claims = v1_claims(LITWARE, ARM, MULTI_APP, MULTI_SP_LITWARE, &["Owner"]);
    let forged = b64url(forged_claims.to_string().as_bytes());
    parts[1] = &forged;
    assert_eq!(
        validate(&parts.join("."), ResourceKind::Arm),
        Err(ResourceAuthError::BadSignature)
    );
}

#[test]
fn keys_are_chosen_by_kid_only_never_by_x5t_or_an_embedded_certificate() {
    let kid = keys().published()[0].kid().as_str().to_owned();
    let x5t_only = json!({"typ":"JWT","alg":"RS256","x5t":kid});
    assert_eq!(
        validate(
            &sign_with_header(&litware_arm_claims(), Some(x5t_only)),
            ResourceKind::Arm
        ),
        Err(ResourceAuthError::UnknownKey)
    );
    let foreign = json!({"alg":"RS256","kid":"someone-elses-key","jku":"https://evil.example/keys","x5c":["AAAA"]});
    assert_eq!(
        validate(
            &sign_with_header(&litware_arm_claims(), Some(foreign)),
            ResourceKind::Arm
        ),
        Err(ResourceAuthError::UnknownKey)
    );
}

#[test]
fn expiry_allows_five_minutes_of_clock_skew_and_no_more() {
    let mut c = litware_arm_claims();
    c["exp"] = json!(NOW.secs() - 299);
    assert!(validate(&sign(&c), ResourceKind::Arm).is_ok());
    c["exp"] = json!(NOW.secs() - 300);
    assert!(matches!(
        validate(&sign(&c), ResourceKind::Arm),
        Err(ResourceAuthError::Expired { .. })
    ));
}

#[test]
fn a_token_not_yet_valid_beyond_the_skew_is_refused() {
    let mut c = litware_arm_claims();
    c["nbf"] = json!(NOW.secs() + 301);
    assert!(matches!(
        validate(&sign(&c), ResourceKind::Arm),
        Err(ResourceAuthError::NotYetValid { .. })
    ));
}

#[test]
fn issuers_this_mock_does_not_issue_are_refused() {
    for iss in [
        format!("https://login.windows.net/{LITWARE}/"),
        "https://token.actions.githubusercontent.com".to_owned(),
        format!("https://sts.windows.net/{LITWARE}"),
    ] {
        let mut c = litware_arm_claims();
        c["iss"] = json!(iss);
        assert_eq!(
            validate(&sign(&c), ResourceKind::Arm),
            Err(ResourceAuthError::InvalidIssuer(iss.clone()))
        );
    }
}

#[test]
fn a_tid_that_disagrees_with_the_issuer_is_refused() {
    let mut c = litware_arm_claims();
    c["tid"] = json!(CONTOSO);
    assert!(matches!(
        validate(&sign(&c), ResourceKind::Arm),
        Err(ResourceAuthError::InvalidIssuer(_))
    ));
}

#[test]
fn a_token_from_a_tenant_the_directory_lacks_is_refused() {
    let stranger = "11111111-2222-4333-8444-555555555555";
    let c = v1_claims(stranger, ARM, MULTI_APP, MULTI_SP_LITWARE, &[]);
    assert_eq!(
        validate(&sign(&c), ResourceKind::Arm),
        Err(ResourceAuthError::UnknownTenant(tid(stranger)))
    );
}

#[test]
fn a_server_issuer_policy_plugs_in_as_a_closure() {
    let mock_url = |iss: &str| {
        let tenant = iss
            .strip_prefix("https://localhost:8443/")?
            .strip_suffix("/v2.0")?;
        Some((
            Cloud::AzureCloud,
            TenantId::parse(tenant)?,
            TokenVersion::V2,
        ))
    };
    let c = json!({
        "aud": "e406a681-f3d4-42a8-90b6-c2b029497af1",
        "iss": format!("https://localhost:8443/{CONTOSO}/v2.0"),
        "exp": NOW.secs() + 60, "azp": MULTI_APP, "oid": MULTI_SP_CONTOSO,
        "sub": MULTI_SP_CONTOSO, "tid": CONTOSO,
    });
    let claims = validate_access_token(
        &sign(&c),
        ResourceKind::Storage,
        &directory(),
        &keys(),
        &mock_url,
        NOW,
    )
    .unwrap();
    assert_eq!(claims.tenant, tid(CONTOSO));
}

#[test]
fn garbage_and_missing_tokens_are_told_apart() {
    assert_eq!(
        validate("not-a-jwt", ResourceKind::Arm),
        Err(ResourceAuthError::Malformed)
    );
    assert_eq!(
        validate("  ", ResourceKind::Arm),
        Err(ResourceAuthError::MissingToken)
    );
    assert_eq!(bearer_token(None), Err(ResourceAuthError::MissingToken));
    assert_eq!(
        bearer_token(Some("Basic abc")),
        Err(ResourceAuthError::NotBearer)
    );
    assert_eq!(bearer_token(Some("bearer abc.def.ghi")), Ok("abc.def.ghi"));
}

#[test]
fn a_missing_oid_is_reported_as_a_missing_claim() {
    let mut c = litware_arm_claims();
    c.as_object_mut().unwrap().remove("oid");
    assert_eq!(
        validate(&sign(&c), ResourceKind::Arm),
        Err(ResourceAuthError::MissingClaim("oid"))
    );
}

// --- ARM ----------------------------------------------------------------------------------------

#[test]
fn reader_on_one_resource_group_lists_only_that_group_as_in_seed_002() {
    let caller = caller(ResourceKind::Arm, &litware_arm_claims());
    let body =
        list_resource_groups(&directory(), LITWARE_SUB, &caller, Some("2024-08-01")).unwrap();
    insta::assert_json_snapshot!(body);
}

#[test]
fn reader_on_the_subscription_lists_every_group() {
    let mut dir = directory();
    dir.tenants[1].subscriptions[0]
        .role_assignments
        .push(RoleAssignment {
            principal_id: ObjectId::parse(MULTI_SP_LITWARE).unwrap(),
            role_definition_name: "Contributor".to_owned(),
            scope: format!("/subscriptions/{LITWARE_SUB}"),
        });
    let caller = caller(ResourceKind::Arm, &litware_arm_claims());
    let body = list_resource_groups(&dir, LITWARE_SUB, &caller, Some("2024-08-01")).unwrap();
    assert_eq!(body["value"].as_array().unwrap().len(), 3);
}

#[test]
fn a_principal_without_any_read_role_gets_authorization_failed() {
    let litware_admin = v1_claims(
        LITWARE,
        ARM,
        MULTI_APP,
        "ad200000-0000-4000-8000-0000000000a2",
        &[],
    );
    let caller = caller(ResourceKind::Arm, &litware_admin);
    let err =
        list_resource_groups(&directory(), LITWARE_SUB, &caller, Some("2024-08-01")).unwrap_err();
    assert_eq!((err.status, err.code), (403, "AuthorizationFailed"));
    insta::assert_json_snapshot!(arm_error(&err));
}

#[test]
fn a_data_plane_role_grants_no_resource_group_read() {
    let mut dir = directory();
    dir.tenants[1].subscriptions[0].role_assignments = vec![RoleAssignment {
        principal_id: ObjectId::parse(MULTI_SP_LITWARE).unwrap(),
        role_definition_name: "Storage Blob Data Reader".to_owned(),
        scope: format!("/subscriptions/{LITWARE_SUB}"),
    }];
    let caller = caller(ResourceKind::Arm, &litware_arm_claims());
    let err = list_resource_groups(&dir, LITWARE_SUB, &caller, Some("2024-08-01")).unwrap_err();
    assert_eq!(err.code, "AuthorizationFailed");
}

#[test]
fn a_missing_api_version_is_400_missing_api_version_parameter() {
    let caller = caller(ResourceKind::Arm, &litware_arm_claims());
    let err = list_resource_groups(&directory(), LITWARE_SUB, &caller, None).unwrap_err();
    insta::assert_json_snapshot!(arm_error(&err));
}

#[test]
fn an_unknown_subscription_is_404_and_a_malformed_one_400() {
    let caller = caller(ResourceKind::Arm, &litware_arm_claims());
    let unknown = list_resource_groups(
        &directory(),
        "00000000-0000-4000-8000-000000000000",
        &caller,
        Some("2024-08-01"),
    )
    .unwrap_err();
    assert_eq!(
        (unknown.status, unknown.code),
        (404, "SubscriptionNotFound")
    );
    insta::assert_json_snapshot!("unknown_subscription", arm_error(&unknown));
    let malformed =
        list_resource_groups(&directory(), "litware", &caller, Some("2024-08-01")).unwrap_err();
    assert_eq!(
        (malformed.status, malformed.code),
        (400, "InvalidSubscriptionId")
    );
}

#[test]
fn a_token_from_another_tenant_is_401_invalid_authentication_token_tenant() {
    let contoso = v1_claims(CONTOSO, ARM, MULTI_APP, MULTI_SP_CONTOSO, &[]);
    let caller = caller(ResourceKind::Arm, &contoso);
    let err =
        list_resource_groups(&directory(), LITWARE_SUB, &caller, Some("2024-08-01")).unwrap_err();
    assert_eq!(
        (err.status, err.code),
        (401, "InvalidAuthenticationTokenTenant")
    );
    insta::assert_json_snapshot!(arm_error(&err));
}

#[test]
fn contoso_reader_on_rg_workloads_lists_it_in_its_own_subscription() {
    let contoso = v1_claims(CONTOSO, ARM, MULTI_APP, MULTI_SP_CONTOSO, &[]);
    let caller = caller(ResourceKind::Arm, &contoso);
    let body =
        list_resource_groups(&directory(), CONTOSO_SUB, &caller, Some("2024-08-01")).unwrap();
    assert_eq!(body["value"][0]["name"], "rg-workloads");
}

#[test]
fn arm_renders_an_expired_token_as_expired_authentication_token() {
    let mut c = litware_arm_claims();
    c["exp"] = json!(NOW.secs() - 3600);
    let err = validate(&sign(&c), ResourceKind::Arm).unwrap_err();
    let arm = ArmError::from_auth(&err, Some(tid(LITWARE)));
    assert_eq!(arm.code, "ExpiredAuthenticationToken");
    insta::assert_json_snapshot!(arm_error(&arm));
}

#[test]
fn arm_renders_a_wrong_audience_and_a_bad_signature_and_a_missing_header() {
    let storage = v1_claims(
        LITWARE,
        "https://storage.azure.com/",
        MULTI_APP,
        MULTI_SP_LITWARE,
        &[],
    );
    let audience = validate(&sign(&storage), ResourceKind::Arm).unwrap_err();
    insta::assert_json_snapshot!(
        "arm_wrong_audience",
        arm_error(&ArmError::from_auth(&audience, Some(tid(LITWARE))))
    );
    insta::assert_json_snapshot!(
        "arm_bad_signature",
        arm_error(&ArmError::from_auth(&ResourceAuthError::BadSignature, None))
    );
    insta::assert_json_snapshot!(
        "arm_missing_header",
        arm_error(&ArmError::from_auth(&ResourceAuthError::MissingToken, None))
    );
}

#[test]
fn dotnet_times_print_like_arm() {
    assert_eq!(dotnet_utc(UnixTime(1_755_530_774)), "8/18/2025 3:26:14 PM");
    assert_eq!(dotnet_utc(UnixTime(1_768_435_200)), "1/15/2026 12:00:00 AM");
}

// --- Storage ------------------------------------------------------------------------------------

fn contoso_storage_caller() -> AccessTokenClaims {
    caller(
        ResourceKind::Storage,
        &v1_claims(
            CONTOSO,
            "https://storage.azure.com/",
            MULTI_APP,
            MULTI_SP_CONTOSO,
            &[],
        ),
    )
}

#[test]
fn a_blob_reader_lists_the_container_as_enumeration_results_xml() {
    let xml = list_blobs(
        &directory(),
        "contosodata",
        "reports",
        &contoso_storage_caller(),
        Some("2023-11-03"),
    )
    .unwrap();
    insta::assert_snapshot!(xml);
}

#[test]
fn bearer_auth_without_x_ms_version_fails_authentication() {
    for version in [None, Some("2017-04-17")] {
        let err = list_blobs(
            &directory(),
            "contosodata",
            "reports",
            &contoso_storage_caller(),
            version,
        )
        .unwrap_err();
        assert_eq!(err.code, "AuthenticationFailed");
    }
    let err = list_blobs(
        &directory(),
        "contosodata",
        "reports",
        &contoso_storage_caller(),
        None,
    )
    .unwrap_err();
    insta::assert_json_snapshot!(storage_error(&err));
}

#[test]
fn a_principal_outside_blob_readers_gets_authorization_permission_mismatch() {
    let other = caller(
        ResourceKind::Storage,
        &v1_claims(
            CONTOSO,
            "https://storage.azure.com/",
            MULTI_APP,
            "ad100000-0000-4000-8000-0000000000a1",
            &[],
        ),
    );
    let err = list_blobs(
        &directory(),
        "contosodata",
        "reports",
        &other,
        Some("2023-11-03"),
    )
    .unwrap_err();
    assert_eq!(
        (err.status, err.code),
        (403, "AuthorizationPermissionMismatch")
    );
    insta::assert_json_snapshot!(storage_error(&err));
}

#[test]
fn an_unknown_container_is_container_not_found_and_an_unknown_account_resource_not_found() {
    let c = contoso_storage_caller();
    let container =
        list_blobs(&directory(), "contosodata", "nope", &c, Some("2023-11-03")).unwrap_err();
    assert_eq!(
        (container.status, container.code),
        (404, "ContainerNotFound")
    );
    insta::assert_json_snapshot!("container_not_found", storage_error(&container));
    let account = list_blobs(
        &directory(),
        "nosuchaccount",
        "reports",
        &c,
        Some("2023-11-03"),
    )
    .unwrap_err();
    assert_eq!((account.status, account.code), (404, "ResourceNotFound"));
}

#[test]
fn an_account_of_another_tenant_refuses_the_token_as_issuer_mismatch() {
    let err = list_blobs(
        &directory(),
        "litwarefiles",
        "shared",
        &contoso_storage_caller(),
        Some("2023-11-03"),
    )
    .unwrap_err();
    assert_eq!((err.status, err.code), (401, "InvalidAuthenticationInfo"));
    insta::assert_json_snapshot!(storage_error(&err));
}

#[test]
fn storage_renders_missing_and_expired_tokens() {
    insta::assert_json_snapshot!(
        "storage_no_token",
        storage_error(&StorageError::from_auth(
            &ResourceAuthError::MissingToken,
            Some(tid(CONTOSO))
        ))
    );
    let expired = ResourceAuthError::Expired {
        expired_at: NOW,
        now: NOW.plus(600),
    };
    insta::assert_json_snapshot!(
        "storage_expired_token",
        storage_error(&StorageError::from_auth(&expired, Some(tid(CONTOSO))))
    );
}
