//! Tests of the App Service MSI endpoint: both api-versions, headers, bodies.

use proptest::prelude::*;

use super::*;
use crate::managed_identity::test_world::*;

const PATH: &str = "/msi/token";
const Q: &str = "resource=api://AzureADTokenExchange&api-version=2019-08-01";

fn hdr() -> [(&'static str, &'static str); 1] {
    [("X-IDENTITY-HEADER", IDENTITY_HEADER)]
}

fn req(query: &str) -> Result<AppServiceTokenRequest, AppServiceError> {
    parse_token_request("GET", PATH, Some(query), hdr())
}

#[test]
fn the_2019_request_of_seed_004_parses() {
    let r = req(Q).unwrap();
    assert_eq!(r.api_version, AppServiceApiVersion::V2019_08_01);
    assert_eq!(r.identity_header.as_str(), IDENTITY_HEADER);
    assert_eq!(r.resource.as_str(), "api://AzureADTokenExchange");
    assert_eq!(r.selector, None);
}

#[test]
fn the_identity_header_selects_the_host() {
    let d = directory();
    let r = req(Q).unwrap();
    assert_eq!(
        host_for_identity_header(&d, &r.identity_header).map(|h| h.name.as_str()),
        Some("func-contoso")
    );
    assert!(host_for_identity_header(&d, &IdentityHeader("nope".into())).is_none());
}

#[test]
fn a_hosts_path_must_name_the_host_the_identity_header_selects() {
    let d = directory();
    let h = IdentityHeader(IDENTITY_HEADER.into());
    let name = |named| host_for_request(&d, named, &h).map(|h| h.name.as_str());
    assert_eq!(name(None), Ok("func-contoso"));
    assert_eq!(name(Some("FUNC-contoso")), Ok("func-contoso"));
    assert_eq!(
        name(Some("func-uami-only")),
        Err(AppServiceError::UnknownIdentityHeader)
    );
    assert_eq!(
        host_for_request(&d, None, &IdentityHeader("wrong".into())).map(|h| h.name.as_str()),
        Err(AppServiceError::UnknownIdentityHeader)
    );
}

#[test]
fn a_missing_identity_header_is_refused_before_anything_else_is_read() {
    let err = parse_token_request(
        "GET",
        PATH,
        Some("api-version=2019-08-01"),
        Vec::<(&str, &str)>::new(),
    )
    .unwrap_err();
    assert_eq!(
        (err.clone(), err.http_status()),
        (AppServiceError::MissingIdentityHeader, 403)
    );
    // The 2017 Secret header does not count for 2019-08-01.
    let err = parse_token_request("GET", PATH, Some(Q), [("Secret", IDENTITY_HEADER)]).unwrap_err();
    assert_eq!(err, AppServiceError::MissingIdentityHeader);
}

#[test]
fn header_names_are_case_insensitive_as_rust_sends_them() {
    assert!(
        parse_token_request(
            "GET",
            PATH,
            Some(Q),
            [("x-identity-header", IDENTITY_HEADER), ("metadata", "true")]
        )
        .is_ok()
    );
}

#[test]
fn api_version_is_required_and_limited_to_the_two_known() {
    assert_eq!(
        req("resource=r"),
        Err(AppServiceError::ApiVersionUnspecified)
    );
    let err = req("resource=r&api-version=2018-02-01").unwrap_err();
    assert_eq!(
        err,
        AppServiceError::UnsupportedApiVersion {
            request_uri: "/msi/token?resource=r&api-version=2018-02-01".into(),
            api_version: "2018-02-01".into()
        }
    );
}

#[test]
fn resource_is_required() {
    assert_eq!(
        req("api-version=2019-08-01"),
        Err(AppServiceError::MissingResource)
    );
}

#[test]
fn only_get_is_allowed() {
    assert_eq!(
        parse_token_request("POST", PATH, Some(Q), hdr())
            .unwrap_err()
            .http_status(),
        405
    );
}

#[test]
fn selectors_use_app_service_spellings() {
    assert_eq!(
        req(&format!("{Q}&client_id={U1_CLIENT}")).unwrap().selector,
        Some(IdentitySelector::ClientId(U1_CLIENT))
    );
    assert_eq!(
        req(&format!("{Q}&principal_id={U1_PRINCIPAL}"))
            .unwrap()
            .selector,
        Some(IdentitySelector::ObjectId(U1_PRINCIPAL))
    );
    assert_eq!(
        req(&format!("{Q}&object_id={U1_PRINCIPAL}"))
            .unwrap()
            .selector,
        Some(IdentitySelector::ObjectId(U1_PRINCIPAL))
    );
    assert_eq!(
        req(&format!("{Q}&mi_res_id={}", u1_id())).unwrap().selector,
        Some(IdentitySelector::ResourceId(u1_id()))
    );
    // msi_res_id is the IMDS spelling: ignored here.
    assert_eq!(
        req(&format!("{Q}&msi_res_id={}", u1_id()))
            .unwrap()
            .selector,
        None
    );
    assert_eq!(
        req(&format!("{Q}&client_id={U1_CLIENT}&mi_res_id=x")),
        Err(AppServiceError::ConflictingSelectors)
    );
}

#[test]
fn the_2017_flavour_uses_secret_and_clientid() {
    let q = format!("resource=https://vault.azure.net&api-version=2017-09-01&clientid={U1_CLIENT}");
    let r = parse_token_request("GET", PATH, Some(&q), [("Secret", IDENTITY_HEADER)]).unwrap();
    assert_eq!(r.api_version, AppServiceApiVersion::V2017_09_01);
    assert_eq!(r.selector, Some(IdentitySelector::ClientId(U1_CLIENT)));
}

#[test]
fn no_selector_without_system_assigned_identity_is_unable_to_load() {
    let d = directory();
    let err = select_identity(host_named(&d, "func-uami-only"), &d, None).unwrap_err();
    assert_eq!(
        (err.clone(), err.http_status()),
        (AppServiceError::IdentityNotFound, 400)
    );
    let s = select_identity(host_named(&d, "func-contoso"), &d, None).unwrap();
    assert_eq!(s.properties.client_id, SYSTEM_CLIENT);
    let u = select_identity(
        host_named(&d, "func-contoso"),
        &d,
        Some(&IdentitySelector::ClientId(U2_CLIENT)),
    )
    .unwrap();
    assert_eq!(u.resource_id_for_xms_mirid, u2_id());
}

#[test]
fn success_bodies_match_each_version() {
    let r = RequestedResource("https://vault.azure.net".into());
    let v2019 = token_response(
        AppServiceApiVersion::V2019_08_01,
        "eyJ0eXAi.e30.sig",
        U1_CLIENT,
        UnixTime(1_586_984_735),
        &r,
    );
    let v2017 = token_response(
        AppServiceApiVersion::V2017_09_01,
        "eyJ0eXAi.e30.sig",
        U1_CLIENT,
        UnixTime(1_560_999_478),
        &r,
    );
    assert_eq!(v2017.expires_on, "06/20/2019 02:57:58 +00:00");
    insta::assert_json_snapshot!("app_service_token_responses", [v2019, v2017]);
}

#[test]
fn every_error_body_matches_the_reference() {
    let all = [
        AppServiceError::ApiVersionUnspecified,
        AppServiceError::UnsupportedApiVersion {
            request_uri: "/msi/token?api-version=2018-02-01".into(),
            api_version: "2018-02-01".into(),
        },
        AppServiceError::MethodNotAllowed,
        AppServiceError::MissingIdentityHeader,
        AppServiceError::UnknownIdentityHeader,
        AppServiceError::MissingResource,
        AppServiceError::ConflictingSelectors,
        AppServiceError::IdentityNotFound,
        AppServiceError::TokenServiceFailure,
    ];
    let cid = CorrelationId::from_u128(0x1b9a1ef8_0f16_435a_9aba_1c0aff5e20dc);
    let rendered: Vec<_> = all
        .iter()
        .map(|e| json!({"status": e.http_status(), "body": e.to_body(cid)}))
        .collect();
    insta::assert_json_snapshot!("app_service_errors", rendered);
}

proptest! {
    #[test]
    fn arbitrary_requests_never_panic(
        method in "[A-Z]{0,5}",
        query in proptest::option::of(".{0,100}"),
        name in "[A-Za-z-]{0,18}",
        value in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let _ = parse_token_request(&method, PATH, query.as_deref(), vec![(name, value)]);
    }

    #[test]
    fn arbitrary_selector_values_never_panic(v in ".{0,60}", which in "(client_id|principal_id|object_id|mi_res_id|clientid)") {
        let _ = req(&format!("{Q}&{which}={v}"));
    }
}
