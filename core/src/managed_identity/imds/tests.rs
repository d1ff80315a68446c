//! Tests of IMDS: request checks, identity selection, string bodies, cache and throttle.

use proptest::prelude::*;

use super::*;
use crate::managed_identity::test_world::*;

const META: [(&str, &str); 1] = [("Metadata", "true")];

fn token(query: &str) -> Result<ImdsTokenRequest, ImdsError> {
    parse_token_request("GET", TOKEN_PATH, Some(query), META)
}

const Q: &str = "api-version=2018-02-01&resource=api://AzureADTokenExchange";

#[test]
fn imds_without_metadata_header_is_400_whatever_the_query() {
    for query in [
        None,
        Some(""),
        Some(Q),
        Some("api-version=nope&client_id=x&client_id=y"),
    ] {
        let err =
            parse_token_request("GET", TOKEN_PATH, query, Vec::<(&str, &str)>::new()).unwrap_err();
        assert_eq!(err, ImdsError::MissingMetadataHeader);
        assert_eq!(err.http_status(), 400);
    }
    // Even with another method or a forwarded-for header, the missing header wins.
    let err = parse_token_request("POST", TOKEN_PATH, None, [("X-Forwarded-For", "1.2.3.4")])
        .unwrap_err();
    assert_eq!(err, ImdsError::MissingMetadataHeader);
}

#[test]
fn metadata_header_must_say_true_in_any_case() {
    assert_eq!(
        parse_token_request("GET", TOKEN_PATH, Some(Q), [("metadata", "false")]),
        Err(ImdsError::MissingMetadataHeader)
    );
    assert!(parse_token_request("GET", TOKEN_PATH, Some(Q), [("METADATA", "True")]).is_ok());
    assert_eq!(
        parse_token_request("GET", TOKEN_PATH, Some(Q), [("Metadata", &[0xff_u8][..])]),
        Err(ImdsError::MissingMetadataHeader)
    );
}

#[test]
fn a_forwarded_request_is_rejected() {
    let headers = [("Metadata", "true"), ("x-forwarded-for", "10.0.0.9")];
    assert_eq!(
        parse_token_request("GET", TOKEN_PATH, Some(Q), headers),
        Err(ImdsError::ForwardedRequest)
    );
}

#[test]
fn only_get_is_allowed() {
    let err = parse_token_request("POST", TOKEN_PATH, Some(Q), META).unwrap_err();
    assert_eq!((err, err.http_status()), (ImdsError::MethodNotAllowed, 405));
}

#[test]
fn duplicate_query_parameter_names_are_rejected() {
    assert_eq!(
        token(&format!("{Q}&resource=https://vault.azure.net")),
        Err(ImdsError::DuplicateQueryParameter)
    );
    assert_eq!(
        token(&format!("{Q}&Resource=x")),
        Err(ImdsError::DuplicateQueryParameter)
    );
}

#[test]
fn api_version_must_be_a_known_identity_version() {
    assert_eq!(token("resource=r"), Err(ImdsError::InvalidApiVersion));
    assert_eq!(
        token("api-version=2099-01-01&resource=r"),
        Err(ImdsError::InvalidApiVersion)
    );
    assert_eq!(
        token("api-version=2017-12-01&resource=r"),
        Err(ImdsError::InvalidApiVersion)
    );
    assert_eq!(
        token("api-version=2019-08-01&resource=r")
            .unwrap()
            .api_version
            .as_str(),
        "2019-08-01"
    );
}

#[test]
fn resource_is_required_and_echoed_verbatim() {
    assert_eq!(
        token("api-version=2018-02-01"),
        Err(ImdsError::MissingResource)
    );
    assert_eq!(
        token("api-version=2018-02-01&resource="),
        Err(ImdsError::MissingResource)
    );
    let r = token("api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F").unwrap();
    assert_eq!(r.resource.as_str(), "https://management.azure.com/");
    assert_eq!(r.selector, None);
    assert!(!r.bypass_cache);
}

#[test]
fn selectors_are_parsed_and_mutually_exclusive() {
    let c = token(&format!("{Q}&client_id={U1_CLIENT}")).unwrap();
    assert_eq!(c.selector, Some(IdentitySelector::ClientId(U1_CLIENT)));
    let o = token(&format!("{Q}&object_id={U1_PRINCIPAL}")).unwrap();
    assert_eq!(o.selector, Some(IdentitySelector::ObjectId(U1_PRINCIPAL)));
    let m = token(&format!("{Q}&msi_res_id={}", u1_id())).unwrap();
    assert_eq!(m.selector, Some(IdentitySelector::ResourceId(u1_id())));
    assert_eq!(
        token(&format!(
            "{Q}&client_id={U1_CLIENT}&object_id={U1_PRINCIPAL}"
        )),
        Err(ImdsError::ConflictingSelectors)
    );
    assert_eq!(
        token(&format!("{Q}&client_id=not-a-guid")),
        Err(ImdsError::IdentityNotFound)
    );
}

#[test]
fn bypass_cache_only_when_true() {
    assert!(
        token(&format!("{Q}&bypass_cache=true"))
            .unwrap()
            .bypass_cache
    );
    assert!(
        !token(&format!("{Q}&bypass_cache=yes"))
            .unwrap()
            .bypass_cache
    );
}

#[test]
fn sdk_extras_are_ignored() {
    let headers = [
        ("Metadata", "true"),
        ("x-client-SKU", "MSAL.Go"),
        ("x-ms-client-request-id", "abc"),
    ];
    assert!(parse_token_request("GET", TOKEN_PATH, Some(Q), headers).is_ok());
}

#[test]
fn the_metadata_segment_is_case_insensitive_and_unknown_paths_are_404() {
    assert!(parse_token_request("GET", "/Metadata/identity/oauth2/token", Some(Q), META).is_ok());
    let err = parse_request(
        "GET",
        "/metadata/identity/getplatformmetadata",
        None,
        Vec::<(&str, &str)>::new(),
    )
    .unwrap_err();
    assert_eq!((err, err.http_status()), (ImdsError::PathNotFound, 404));
    assert_eq!(
        parse_token_request("GET", INSTANCE_PATH, Some(Q), META),
        Err(ImdsError::PathNotFound)
    );
}

#[test]
fn instance_paths_have_their_own_error_bodies() {
    assert_eq!(
        parse_request(
            "GET",
            INSTANCE_COMPUTE_PATH,
            Some("api-version=2021-02-01"),
            Vec::<(&str, &str)>::new()
        ),
        Err(ImdsError::InstanceMissingMetadataHeader)
    );
    assert_eq!(
        parse_request("GET", INSTANCE_PATH, Some("api-version=x"), META),
        Err(ImdsError::InstanceInvalidApiVersion)
    );
    assert_eq!(
        parse_request(
            "GET",
            INSTANCE_COMPUTE_PATH,
            Some("api-version=2021-02-01"),
            META
        ),
        Ok(ImdsRequest::InstanceCompute {
            api_version: ImdsApiVersion("2021-02-01")
        })
    );
    assert_eq!(
        parse_request("GET", VERSIONS_PATH, None, META),
        Ok(ImdsRequest::Versions)
    );
    assert!(matches!(
        parse_request(
            "GET",
            IDENTITY_INFO_PATH,
            Some("api-version=2018-02-01"),
            META
        ),
        Ok(ImdsRequest::IdentityInfo { .. })
    ));
}

#[test]
fn http_requests_parse_like_their_parts() {
    let req = http::Request::get(format!("http://169.254.169.254{TOKEN_PATH}?{Q}"))
        .header("Metadata", "true")
        .body(())
        .unwrap();
    assert!(matches!(
        parse_http_request(&req),
        Ok(ImdsRequest::Token(_))
    ));
}

#[test]
fn every_error_body_matches_the_reference() {
    let all = [
        ImdsError::MissingMetadataHeader,
        ImdsError::InstanceMissingMetadataHeader,
        ImdsError::ForwardedRequest,
        ImdsError::MethodNotAllowed,
        ImdsError::PathNotFound,
        ImdsError::DuplicateQueryParameter,
        ImdsError::InvalidApiVersion,
        ImdsError::InstanceInvalidApiVersion,
        ImdsError::MissingResource,
        ImdsError::ConflictingSelectors,
        ImdsError::IdentityNotFound,
        ImdsError::MultipleUserAssignedIdentities,
        ImdsError::TooManyRequests,
    ];
    let rendered: Vec<_> =
        all.iter().map(|e| serde_json::json!({"case": format!("{e:?}"), "status": e.http_status(), "body": e.to_body()})).collect();
    insta::assert_json_snapshot!("imds_errors", rendered);
}

#[test]
fn no_selector_means_the_system_assigned_identity_with_the_host_as_mirid() {
    let d = directory();
    let h = host_named(&d, "vm-system-and-one");
    let s = select_identity(h, &d, None).unwrap();
    assert_eq!(s.properties.client_id, SYSTEM_CLIENT);
    assert_eq!(s.resource_id_for_xms_mirid, h.id);
    assert!(!s.user_assigned);
}

#[test]
fn the_only_user_assigned_identity_answers_for_system_assigned() {
    let d = directory();
    let s = select_identity(host_named(&d, "vm-one-uami"), &d, None).unwrap();
    assert_eq!(s.properties.client_id, U1_CLIENT);
    assert_eq!(s.resource_id_for_xms_mirid, u1_id());
    assert!(s.user_assigned);
}

#[test]
fn several_user_assigned_identities_need_a_selector() {
    let d = directory();
    assert_eq!(
        select_identity(host_named(&d, "vm-two-uamis"), &d, None),
        Err(ImdsError::MultipleUserAssignedIdentities)
    );
    let s = select_identity(
        host_named(&d, "vm-two-uamis"),
        &d,
        Some(&IdentitySelector::ObjectId(U2_PRINCIPAL)),
    )
    .unwrap();
    assert_eq!(s.properties.client_id, U2_CLIENT);
}

#[test]
fn a_selector_for_an_unattached_identity_is_identity_not_found() {
    let d = directory();
    let h = host_named(&d, "vm-system-and-one");
    assert_eq!(
        select_identity(h, &d, Some(&IdentitySelector::ClientId(U2_CLIENT))),
        Err(ImdsError::IdentityNotFound)
    );
    assert_eq!(
        select_identity(host_named(&d, "vm-no-identity"), &d, None),
        Err(ImdsError::IdentityNotFound)
    );
}

#[test]
fn resource_id_selectors_compare_case_insensitively() {
    let d = directory();
    let upper = ArmResourceId::new(u1_id().as_str().to_uppercase());
    let s = select_identity(
        host_named(&d, "vm-two-uamis"),
        &d,
        Some(&IdentitySelector::ResourceId(upper)),
    )
    .unwrap();
    assert_eq!(s.properties.client_id, U1_CLIENT);
}

#[test]
fn the_root_path_reaches_the_first_vm_and_a_hosts_path_the_named_one() {
    let d = directory();
    let name = |named| vm_host(&d, named).map(|h| h.name.as_str());
    assert_eq!(name(None), Ok("vm-system-and-one"));
    assert_eq!(name(Some("VM-Two-UAMIs")), Ok("vm-two-uamis"));
    // An App Service is not a VM, and an unknown name is no VM.
    assert_eq!(name(Some("func-contoso")), Err(ImdsError::IdentityNotFound));
    assert_eq!(name(Some("vm-nowhere")), Err(ImdsError::IdentityNotFound));
}

#[test]
fn an_entra_refusal_passes_through_as_ests_sent_it() {
    use crate::error::{Aadsts, EntraError};
    let err = EntraError::new(
        Aadsts::ResourceNotFound,
        ["https://nowhere.example/", TENANT.to_string().as_str()],
    );
    let body = token_failure_body(
        &err,
        crate::testutil::trace(),
        UnixTime(1_735_538_846),
        "login.microsoftonline.com",
    );
    assert_eq!(TOKEN_FAILURE_STATUS, 400);
    assert_eq!(body["error"], "invalid_resource");
    assert_eq!(body["error_codes"], json!([500011]));
    assert!(
        body["error_description"].as_str().is_some_and(|d| d
            .starts_with("AADSTS500011: The resource principal named https://nowhere.example/")),
        "{body}"
    );
}

#[test]
fn the_success_body_is_all_strings_with_the_resource_echoed() {
    let now = UnixTime(1_735_538_846 + 300);
    let body = token_response(
        "eyJ0eXAi.e30.sig",
        U1_CLIENT,
        UnixTime(1_735_625_546),
        UnixTime(1_735_538_846),
        now,
        &RequestedResource("api://AzureADTokenExchange".into()),
    );
    insta::assert_json_snapshot!("imds_token_response", body);
}

#[test]
fn expires_in_decreases_as_a_cached_token_ages_and_never_goes_negative() {
    let r = RequestedResource("https://management.azure.com/".into());
    let at = |now| {
        token_response(
            "t",
            U1_CLIENT,
            UnixTime(100_000),
            UnixTime(0),
            UnixTime(now),
            &r,
        )
        .expires_in
    };
    assert_eq!(at(13_600), "86400");
    assert_eq!(at(14_171), "85829");
    assert_eq!(at(200_000), "0");
}

#[test]
fn the_cache_reuses_until_five_minutes_before_expiry() {
    let r = RequestedResource("api://AzureADTokenExchange".into());
    let mut cache = ImdsCache::new();
    let t = CachedToken {
        access_token: "t".into(),
        expires_on: UnixTime(10_000),
        not_before: UnixTime(0),
    };
    cache.insert(U1_CLIENT, r.clone(), t.clone());
    assert_eq!(cache.get(U1_CLIENT, &r, UnixTime(9_699), false), Some(&t));
    assert_eq!(cache.get(U1_CLIENT, &r, UnixTime(9_700), false), None);
    assert_eq!(
        cache.get(U1_CLIENT, &r, UnixTime(0), true),
        None,
        "bypass_cache mints anew"
    );
    assert_eq!(
        cache.get(U2_CLIENT, &r, UnixTime(0), false),
        None,
        "per identity"
    );
    let slash = RequestedResource("api://AzureADTokenExchange/".into());
    assert_eq!(
        cache.get(U1_CLIENT, &slash, UnixTime(0), false),
        None,
        "per resource spelling"
    );
    cache.insert(
        U1_CLIENT,
        r.clone(),
        CachedToken {
            expires_on: UnixTime(20_000),
            ..t
        },
    );
    assert_eq!(cache.len(), 1);
    cache.purge(UnixTime(20_000));
    assert!(cache.is_empty());
}

#[test]
fn twenty_one_requests_in_one_second_get_a_429() {
    let mut rl = RateLimiter::identity(Millis(0));
    for i in 0..20 {
        assert_eq!(rl.try_begin(Millis(i)), Ok(()), "request {i}");
        rl.finish();
    }
    assert_eq!(rl.try_begin(Millis(20)), Err(ImdsError::TooManyRequests));
    // 50 ms later one token has been refilled (20 per second).
    assert_eq!(rl.try_begin(Millis(70)), Ok(()));
}

#[test]
fn a_sixth_concurrent_request_gets_a_429() {
    let mut rl = RateLimiter::identity(Millis(0));
    for _ in 0..5 {
        assert_eq!(rl.try_begin(Millis(0)), Ok(()));
    }
    assert_eq!(rl.try_begin(Millis(0)), Err(ImdsError::TooManyRequests));
    rl.finish();
    assert_eq!(rl.try_begin(Millis(0)), Ok(()));
    assert_eq!(rl.in_flight(), 5);
}

#[test]
fn a_clock_going_backwards_refills_nothing() {
    let mut rl = RateLimiter::new(1, 5, Millis(1_000));
    assert_eq!(rl.try_begin(Millis(1_000)), Ok(()));
    assert_eq!(rl.try_begin(Millis(0)), Err(ImdsError::TooManyRequests));
}

#[test]
fn identity_info_reports_the_identity_tenant() {
    let d = directory();
    assert_eq!(
        identity_info(host_named(&d, "vm-one-uami"), &d),
        Ok(IdentityInfo { tenant_id: TENANT })
    );
    assert_eq!(
        identity_info(host_named(&d, "vm-no-identity"), &d),
        Err(ImdsError::IdentityNotFound)
    );
    insta::assert_json_snapshot!(
        "imds_identity_info",
        identity_info(host_named(&d, "vm-system-and-one"), &d).unwrap()
    );
}

fn all_leaves_are_strings(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Array(a) => a.iter().all(all_leaves_are_strings),
        Value::Object(o) => o.values().all(all_leaves_are_strings),
        _ => false,
    }
}

#[test]
fn instance_metadata_has_only_string_primitives() {
    let d = directory();
    let h = host_named(&d, "vm-system-and-one");
    let doc = instance(h, &d);
    assert!(all_leaves_are_strings(&doc));
    assert_eq!(
        doc["compute"]["subscriptionId"],
        "04d00000-0000-4000-8000-000000000824"
    );
    assert_eq!(doc["compute"]["resourceGroupName"], "rg-contoso");
    insta::assert_json_snapshot!("imds_instance", doc);
    insta::assert_json_snapshot!("imds_versions", versions());
}

proptest! {
    #[test]
    fn arbitrary_requests_never_panic(
        method in "[A-Z]{0,6}",
        path in "(/metadata/identity/oauth2/token|/metadata/instance|.{0,30})",
        query in proptest::option::of(".{0,80}"),
        name in "[A-Za-z-]{0,16}",
        value in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let headers = vec![("Metadata".to_owned(), b"true".to_vec()), (name, value)];
        let _ = parse_request(&method, &path, query.as_deref(), headers);
    }

    #[test]
    fn arbitrary_token_queries_never_panic(query in "(api-version=2018-02-01&)?(resource=[^&]{0,10}&)?((client_id|object_id|msi_res_id|bypass_cache)=[^&]{0,40}&?){0,3}") {
        let _ = token(&query);
    }
}
