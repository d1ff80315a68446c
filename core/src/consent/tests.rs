//! Tests of the admin-consent page and its redirects over the default scenario.

use super::*;
use crate::testutil::tokens::*;

const REDIRECT: &str = "https://localhost:5001/consent-done";
const NEW_SP: ObjectId = ObjectId::from_u128(0x5e_0000_0000_4000_8000_0000_0000_0001);

fn outcome(
    dir: &mut Directory,
    segment: &str,
    chosen: Option<TenantId>,
    decision: ConsentDecision,
) -> Result<ConsentOutcome, EntraError> {
    admin_consent(
        dir,
        segment,
        chosen,
        MULTI_APP,
        REDIRECT,
        Some("xyz 1"),
        decision,
        NEW_SP,
    )
}

#[test]
fn the_page_shows_the_app_its_publisher_and_the_consenting_tenant() {
    let page = consent_page(&directory(), "fabrikam.onmicrosoft.com", MULTI_APP).unwrap();
    assert_eq!(page.consenting_tenant, Some(tid(FABRIKAM)));
    assert!(!page.already_consented);
    insta::assert_debug_snapshot!(page);
}

#[test]
fn accepting_in_fabrikam_creates_the_service_principal_and_redirects_with_admin_consent_true() {
    let mut dir = directory();
    let out = outcome(&mut dir, FABRIKAM, None, ConsentDecision::Accept).unwrap();
    assert_eq!(out.created_service_principal, Some(NEW_SP));
    insta::assert_snapshot!(out.redirect_url);
    let sp = dir
        .tenant(tid(FABRIKAM))
        .unwrap()
        .service_principal(ClientId::parse(MULTI_APP).unwrap())
        .unwrap();
    assert_eq!(sp.id, NEW_SP);
    assert_eq!(sp.app_owner_organization_id, Some(tid(CONTOSO)));
}

#[test]
fn accepting_twice_keeps_the_first_service_principal() {
    let mut dir = directory();
    outcome(&mut dir, FABRIKAM, None, ConsentDecision::Accept).unwrap();
    let again = admin_consent(
        &mut dir,
        FABRIKAM,
        None,
        MULTI_APP,
        REDIRECT,
        None,
        ConsentDecision::Accept,
        ObjectId::from_u128(99),
    )
    .unwrap();
    assert_eq!(again.created_service_principal, None);
    let fabrikam = dir.tenant(tid(FABRIKAM)).unwrap();
    let count = fabrikam
        .service_principals
        .iter()
        .filter(|s| s.app_id.to_string() == MULTI_APP)
        .count();
    assert_eq!(count, 1);
    assert!(
        consent_page(&dir, FABRIKAM, MULTI_APP)
            .unwrap()
            .already_consented
    );
}

#[test]
fn declining_redirects_with_permission_denied_and_changes_nothing() {
    let mut dir = directory();
    let out = outcome(&mut dir, FABRIKAM, None, ConsentDecision::Decline).unwrap();
    assert_eq!(dir, directory());
    insta::assert_snapshot!(out.redirect_url);
}

#[test]
fn on_organizations_the_tenant_chosen_on_the_page_is_consented() {
    let mut dir = directory();
    let page = consent_page(&dir, "organizations", MULTI_APP).unwrap();
    assert_eq!(page.consenting_tenant, None);
    let out = outcome(
        &mut dir,
        "organizations",
        Some(tid(FABRIKAM)),
        ConsentDecision::Accept,
    )
    .unwrap();
    assert!(out.redirect_url.contains(&format!("tenant={FABRIKAM}")));
}

#[test]
fn common_without_a_chosen_tenant_cannot_complete() {
    let mut dir = directory();
    let err = outcome(&mut dir, "common", None, ConsentDecision::Accept).unwrap_err();
    assert_eq!(err.code(), Aadsts::TenantNotFound);
}

#[test]
fn an_unknown_app_is_aadsts700016() {
    let err = consent_page(
        &directory(),
        FABRIKAM,
        "00000000-1111-4222-8333-444444444444",
    )
    .unwrap_err();
    assert_eq!(err.code(), Aadsts::AppNotFound);
    insta::assert_snapshot!(err.message());
}

#[test]
fn a_single_tenant_app_of_another_tenant_cannot_be_consented() {
    let litware_own_app = "c8e0a2b4-6d8f-4a1c-9e3b-5d7f9a1c3e57";
    let err = consent_page(&directory(), FABRIKAM, litware_own_app).unwrap_err();
    assert_eq!(err.code(), Aadsts::AppNotFound);
    assert!(consent_page(&directory(), LITWARE, litware_own_app).is_ok());
}

#[test]
fn unknown_and_malformed_tenants_are_90002_and_900023() {
    let unknown = consent_page(&directory(), "nowhere.onmicrosoft.com", MULTI_APP).unwrap_err();
    assert_eq!(unknown.code(), Aadsts::TenantNotFound);
    let malformed = consent_page(&directory(), "not a tenant!", MULTI_APP).unwrap_err();
    assert_eq!(malformed.code(), Aadsts::InvalidTenantName);
}

#[test]
fn a_redirect_uri_with_a_query_keeps_it_and_appends() {
    assert_eq!(
        with_query("https://app/cb?x=1", &[("a", "b c")]),
        "https://app/cb?x=1&a=b+c"
    );
}
