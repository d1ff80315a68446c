//! Tests of the FIC doctor: each mismatch named with its cause and AADSTS code.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::jose::b64url;

const TID: &str = "f96a1c2e-0000-4000-8000-00000000d2f0";
const OTHER_TID: &str = "eac00000-0000-4000-8000-000000000691";
const MI_PRINCIPAL: &str = "02d00000-0000-4000-8000-00000000057d";
const MI_CLIENT: &str = "f31a0000-0000-4000-8000-000000000d43";
const EXCHANGE_GUID: &str = "fb60f99c-7a34-4190-8149-302f77469936";
const NOW: UnixTime = UnixTime(1_735_540_000);

fn v2_issuer() -> String {
    format!("https://login.microsoftonline.com/{TID}/v2.0")
}

/// The MI token of seed 002 (E.4 shape).
fn mi_claims() -> Value {
    json!({
        "aud": EXCHANGE_GUID,
        "iss": v2_issuer(),
        "iat": 1_735_538_846, "nbf": 1_735_538_846, "exp": 1_735_625_546,
        "azp": MI_CLIENT, "azpacr": "2", "idtyp": "app",
        "oid": MI_PRINCIPAL, "sub": MI_PRINCIPAL, "tid": TID, "ver": "2.0",
        "xms_mirid": "/subscriptions/04d/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/umi-multi-tenant-example",
    })
}

fn jwt(claims: &Value) -> Jwt {
    let token = format!(
        "{}.{}.{}",
        b64url(br#"{"typ":"JWT","alg":"RS256","kid":"k"}"#),
        b64url(claims.to_string().as_bytes()),
        b64url(b"sig")
    );
    Jwt::decode(&token).unwrap()
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn fic(name: &str, issuer: &str, subject: &str, audience: &str) -> FederatedIdentityCredential {
    FederatedIdentityCredential {
        id: ObjectId::from_u128(1),
        name: name.into(),
        issuer: issuer.into(),
        subject: subject.into(),
        audiences: vec![audience.into()],
        description: None,
        claims_matching_expression: None,
        created_at: None,
    }
}

fn good_fic() -> FederatedIdentityCredential {
    fic(
        "umi-multi-tenant-example",
        &v2_issuer(),
        MI_PRINCIPAL,
        "api://AzureADTokenExchange",
    )
}

fn ctx() -> DoctorContext<'static> {
    DoctorContext {
        now: NOW,
        ..Default::default()
    }
}

fn first(d: &Diagnosis) -> (FindingField, Cause, Aadsts) {
    let f = &d.findings()[0];
    (f.field, f.cause, f.code)
}

#[test]
fn the_seed_002_token_matches_its_fic_despite_the_guid_audience() {
    let d = diagnose(&jwt(&mi_claims()), &[good_fic()], &ctx());
    assert_eq!(
        d,
        Diagnosis::Matches {
            fic_name: "umi-multi-tenant-example".into()
        }
    );
}

#[test]
fn no_fic_at_all_is_reported_with_the_fic_to_create() {
    let d = diagnose(&jwt(&mi_claims()), &[], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Credential,
            Cause::NoFederatedCredential,
            Aadsts::FicIssuerMismatch
        )
    );
    assert!(d.findings()[0].fix.contains("api://AzureADTokenExchange"));
}

#[test]
fn a_trailing_slash_on_the_issuer_is_named() {
    let f = fic(
        "slash",
        &format!("{}/", v2_issuer()),
        MI_PRINCIPAL,
        "api://AzureADTokenExchange",
    );
    let d = diagnose(&jwt(&mi_claims()), &[f], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Issuer,
            Cause::TrailingSlash,
            Aadsts::FicIssuerMismatch
        )
    );
    assert_eq!(d.findings().len(), 1);
}

#[test]
fn a_case_difference_in_the_subject_is_named() {
    let f = fic(
        "upper",
        &v2_issuer(),
        &MI_PRINCIPAL.to_uppercase(),
        "api://AzureADTokenExchange",
    );
    let d = diagnose(&jwt(&mi_claims()), &[f], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Subject,
            Cause::CaseDifference,
            Aadsts::FicSubjectMismatch
        )
    );
}

#[test]
fn surrounding_whitespace_is_named() {
    let f = fic(
        "ws",
        &format!(" {}", v2_issuer()),
        MI_PRINCIPAL,
        "api://AzureADTokenExchange",
    );
    let d = diagnose(&jwt(&mi_claims()), &[f], &ctx());
    assert_eq!(first(&d).1, Cause::Whitespace);
}

#[test]
fn the_client_id_as_subject_is_named() {
    let f = fic(
        "clientid",
        &v2_issuer(),
        MI_CLIENT,
        "api://AzureADTokenExchange",
    );
    let d = diagnose(&jwt(&mi_claims()), &[f], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Subject,
            Cause::SubjectIsClientId,
            Aadsts::FicSubjectMismatch
        )
    );
}

#[test]
fn the_exchange_guid_as_fic_audience_matches_a_guid_token_as_the_exchange_accepts_it() {
    let f = fic("guid", &v2_issuer(), MI_PRINCIPAL, EXCHANGE_GUID);
    assert!(diagnose(&jwt(&mi_claims()), std::slice::from_ref(&f), &ctx()).is_match());
    // Against a token for the URI (a non-Entra issuer keeps it literal) the GUID is named.
    let gh = json!({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:a",
        "aud": "api://AzureADTokenExchange", "exp": 1_735_625_546, "nbf": 1_735_538_846});
    let f = fic(
        "guid",
        "https://token.actions.githubusercontent.com",
        "repo:a",
        EXCHANGE_GUID,
    );
    let d = diagnose(&jwt(&gh), &[f], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Audience,
            Cause::GuidAudienceInFic,
            Aadsts::FicAudienceMismatch
        )
    );
}

#[test]
fn another_clouds_exchange_audience_is_named() {
    let f = fic(
        "usgov",
        &v2_issuer(),
        MI_PRINCIPAL,
        "api://AzureADTokenExchangeUSGov",
    );
    let d = diagnose(&jwt(&mi_claims()), &[f], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Audience,
            Cause::OtherCloudExchangeAudience,
            Aadsts::FicAudienceMismatch
        )
    );
}

#[test]
fn a_token_for_another_resource_is_named() {
    let claims = with(mi_claims(), "aud", json!("https://management.azure.com/"));
    let d = diagnose(&jwt(&claims), &[good_fic()], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Audience,
            Cause::WrongResourceRequested,
            Aadsts::MiTokenAudienceMismatch
        )
    );
    assert!(d.findings()[0].entra_message.starts_with(
        "AADSTS7002121: No matching federated identity record found for presented assertion audience 'https://management.azure.com/'"
    ));
    assert!(d.findings()[0].explanation.contains("audience"));
}

#[test]
fn a_fic_still_propagating_is_the_transient_70021_with_retry_advice() {
    let f = FederatedIdentityCredential {
        claims_matching_expression: None,
        created_at: Some(UnixTime(NOW.secs() - 5)),
        ..good_fic()
    };
    let c = DoctorContext {
        propagation_delay_secs: 60,
        ..ctx()
    };
    let d = diagnose(&jwt(&mi_claims()), std::slice::from_ref(&f), &c);
    assert_eq!(
        first(&d),
        (
            FindingField::Credential,
            Cause::StillPropagating,
            Aadsts::NoMatchingFic
        )
    );
    assert!(d.findings()[0].fix.contains("retry"));
    let later = DoctorContext {
        now: UnixTime(NOW.secs() + 55),
        ..c
    };
    assert!(diagnose(&jwt(&mi_claims()), &[f], &later).is_match());
}

#[test]
fn an_app_without_a_service_principal_at_home_is_7000229_before_the_assertion() {
    let c = DoctorContext {
        home_tenant: TenantId::parse(TID),
        missing_service_principal: ClientId::parse("d70e4b1a-2c3d-4e5f-8a9b-0c1d2e3f4c6f"),
        ..ctx()
    };
    let d = diagnose(&jwt(&mi_claims()), &[good_fic()], &c);
    assert_eq!(
        first(&d),
        (
            FindingField::Client,
            Cause::NoServicePrincipal,
            Aadsts::MissingServicePrincipal
        )
    );
    assert!(
        d.findings()[0]
            .entra_message
            .contains(&format!("missing service principal in the tenant {TID}"))
    );
}

#[test]
fn a_v1_token_from_a_custom_audience_api_is_named() {
    // Seeds 000/001: the API app behind api://{appId} left requestedAccessTokenVersion null.
    let api = "api://166f0000-0000-4000-8000-000000000001";
    let claims = json!({
        "aud": api, "iss": format!("https://sts.windows.net/{TID}/"), "sub": MI_PRINCIPAL,
        "appid": MI_CLIENT, "exp": 1_735_625_546, "nbf": 1_735_538_846, "xms_mirid": "/x", "ver": "1.0",
    });
    let d = diagnose(
        &jwt(&claims),
        &[fic("custom", &v2_issuer(), MI_PRINCIPAL, api)],
        &ctx(),
    );
    assert_eq!(
        first(&d),
        (
            FindingField::Issuer,
            Cause::V1TokenFromCustomAudienceApi,
            Aadsts::FicIssuerMismatch
        )
    );
    assert!(d.findings()[0].fix.contains("requestedAccessTokenVersion"));
}

#[test]
fn a_custom_audience_matches_the_v2_guid_audience() {
    let claims = with(
        mi_claims(),
        "aud",
        json!("166f0000-0000-4000-8000-000000000001"),
    );
    let f = fic(
        "custom",
        &v2_issuer(),
        MI_PRINCIPAL,
        "api://166f0000-0000-4000-8000-000000000001",
    );
    assert!(diagnose(&jwt(&claims), &[f], &ctx()).is_match());
}

#[test]
fn a_v1_issuer_is_named_both_ways() {
    let v1 = format!("https://sts.windows.net/{TID}/");
    let token_v1 = with(mi_claims(), "iss", json!(v1));
    assert_eq!(
        first(&diagnose(&jwt(&token_v1), &[good_fic()], &ctx())).1,
        Cause::V1TokenIssuer
    );
    let fic_v1 = fic("v1", &v1, MI_PRINCIPAL, "api://AzureADTokenExchange");
    assert_eq!(
        first(&diagnose(&jwt(&mi_claims()), &[fic_v1], &ctx())).1,
        Cause::V1IssuerInFic
    );
}

#[test]
fn another_tenants_issuer_is_named() {
    let f = fic(
        "other",
        &format!("https://login.microsoftonline.com/{OTHER_TID}/v2.0"),
        MI_PRINCIPAL,
        "api://AzureADTokenExchange",
    );
    let d = diagnose(&jwt(&mi_claims()), &[f], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Issuer,
            Cause::OtherTenantIssuer,
            Aadsts::FicIssuerMismatch
        )
    );
}

#[test]
fn another_clouds_issuer_is_named() {
    let f = fic(
        "china",
        &format!("https://login.partner.microsoftonline.cn/{TID}/v2.0"),
        MI_PRINCIPAL,
        "api://AzureADTokenExchange",
    );
    assert_eq!(
        first(&diagnose(&jwt(&mi_claims()), &[f], &ctx())).1,
        Cause::OtherCloudIssuer
    );
}

#[test]
fn an_app_in_another_tenant_is_the_cross_tenant_700236_even_with_a_matching_fic() {
    // Seed 002: a new app registered in Litware with Contoso's issuer.
    let c = DoctorContext {
        home_tenant: TenantId::parse(OTHER_TID),
        ..ctx()
    };
    let d = diagnose(&jwt(&mi_claims()), &[good_fic()], &c);
    assert_eq!(
        first(&d),
        (
            FindingField::Issuer,
            Cause::CrossTenantEntraIssuer,
            Aadsts::EntraTokenFromOtherTenant
        )
    );
    assert_eq!(d.findings().len(), 1);
    assert!(d.findings()[0].entra_message.starts_with(&format!(
        "AADSTS700236: Entra ID tokens issued by issuer '{}'",
        v2_issuer()
    )));
    let home = DoctorContext {
        home_tenant: TenantId::parse(TID),
        ..ctx()
    };
    assert!(diagnose(&jwt(&mi_claims()), &[good_fic()], &home).is_match());
}

#[test]
fn expired_and_not_yet_valid_assertions_are_700024() {
    let late = DoctorContext {
        now: UnixTime(1_735_625_546 + ASSERTION_CLOCK_SKEW_SECS),
        ..ctx()
    };
    let d = diagnose(&jwt(&mi_claims()), &[good_fic()], &late);
    assert_eq!(
        first(&d),
        (
            FindingField::Time,
            Cause::Expired,
            Aadsts::AssertionTimeRange
        )
    );
    let early = DoctorContext {
        now: UnixTime(1_735_538_845 - ASSERTION_CLOCK_SKEW_SECS),
        ..ctx()
    };
    assert_eq!(
        first(&diagnose(&jwt(&mi_claims()), &[good_fic()], &early)).1,
        Cause::NotYetValid
    );
}

#[test]
fn a_user_token_is_700229() {
    let claims = with(mi_claims(), "scp", json!("user_impersonation"));
    assert_eq!(
        first(&diagnose(&jwt(&claims), &[good_fic()], &ctx())).2,
        Aadsts::OnlyAppOnlyTokensForEntraIssuer
    );
}

#[test]
fn an_app_registration_token_is_700226() {
    let mut claims = mi_claims();
    claims.as_object_mut().unwrap().remove("xms_mirid");
    assert_eq!(
        first(&diagnose(&jwt(&claims), &[good_fic()], &ctx())).2,
        Aadsts::OnlyMsiTokensForEntraIssuer
    );
}

#[test]
fn non_entra_issuers_skip_the_entra_policies() {
    let gh = json!({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:contoso/app:ref:refs/heads/main",
        "aud": "api://AzureADTokenExchange", "exp": 1_735_625_546, "nbf": 1_735_538_846});
    let f = fic(
        "gh",
        "https://token.actions.githubusercontent.com",
        "repo:contoso/app:ref:refs/heads/main",
        "api://AzureADTokenExchange",
    );
    assert!(diagnose(&jwt(&gh), &[f], &ctx()).is_match());
}

#[test]
fn the_closest_fic_is_the_one_with_the_same_issuer_and_mismatches_follow_entras_order() {
    let unrelated = fic(
        "unrelated",
        "https://token.actions.githubusercontent.com",
        "x",
        "y",
    );
    let near = fic("near", &v2_issuer(), "wrong-subject", "api://other");
    let d = diagnose(&jwt(&mi_claims()), &[unrelated, near], &ctx());
    let Diagnosis::Mismatch {
        findings,
        closest_fic,
    } = &d
    else {
        panic!("expected a mismatch")
    };
    assert_eq!(closest_fic.as_deref(), Some("near"));
    let fields: Vec<_> = findings.iter().map(|f| f.field).collect();
    assert_eq!(fields, vec![FindingField::Audience, FindingField::Subject]);
}

#[test]
fn malformed_and_claimless_tokens_are_named() {
    assert_eq!(
        first(&diagnose_raw("not-a-token", &[good_fic()], &ctx())).2,
        Aadsts::MalformedJwt
    );
    let mut claims = mi_claims();
    claims.as_object_mut().unwrap().remove("aud");
    let d = diagnose(&jwt(&claims), &[good_fic()], &ctx());
    assert_eq!(first(&d).2, Aadsts::MissingClaim);
    assert!(d.findings()[0].entra_message.contains("'aud'"));
}

#[test]
fn diagnoses_render_for_the_playground() {
    let f = fic(
        "slash",
        &format!("{}/", v2_issuer()),
        &MI_PRINCIPAL.to_uppercase(),
        EXCHANGE_GUID,
    );
    let late = DoctorContext {
        now: UnixTime(1_735_700_000),
        home_tenant: TenantId::parse(OTHER_TID),
        cloud: Some(Cloud::AzureCloud),
        ..Default::default()
    };
    insta::assert_json_snapshot!(
        "doctor_every_field_wrong",
        diagnose(&jwt(&mi_claims()), &[f], &late)
    );
    insta::assert_json_snapshot!(
        "doctor_match",
        diagnose(&jwt(&mi_claims()), &[good_fic()], &ctx())
    );
}

#[test]
fn pasted_fics_are_read_in_every_graph_shape() {
    let one = r#"{"@odata.context":"x","id":"d9b7bf1e-0000-4000-8000-000000000001","name":"testing02","issuer":"i","subject":"s","description":null,"audiences":["api://AzureADTokenExchange"]}"#;
    let fics = parse_fics(one).unwrap();
    assert_eq!(fics.len(), 1);
    assert_eq!(
        fics[0].id,
        ObjectId::parse("d9b7bf1e-0000-4000-8000-000000000001").unwrap()
    );
    let list = format!(
        r#"{{"@odata.context":"x","value":[{one},{{"name":"b","issuer":"i","subject":"t","audiences":["a"]}}]}}"#
    );
    let fics = parse_fics(&list).unwrap();
    assert_eq!(fics.len(), 2);
    assert_eq!(
        fics[1].id,
        parse_fics(&list).unwrap()[1].id,
        "derived ids are stable"
    );
    assert_eq!(parse_fics(&format!("[{one}]")).unwrap().len(), 1);
}

#[test]
fn pasted_fics_name_what_is_missing() {
    assert_eq!(parse_fics("nope"), Err(FicPasteError::NotJson));
    assert_eq!(parse_fics("3"), Err(FicPasteError::UnexpectedShape));
    assert_eq!(
        parse_fics(r#"{"name":"a","subject":"s","audiences":["a"]}"#),
        Err(FicPasteError::BadItem {
            index: 0,
            property: "issuer"
        })
    );
    assert_eq!(
        parse_fics(r#"[{"issuer":"i","subject":"s","audiences":"a"}]"#),
        Err(FicPasteError::BadItem {
            index: 0,
            property: "audiences"
        })
    );
}

proptest! {
    #[test]
    fn arbitrary_tokens_never_panic(token in ".{0,200}") {
        let _ = diagnose_raw(&token, &[good_fic()], &ctx());
    }

    #[test]
    fn arbitrary_claims_never_panic(
        iss in "(https://login.microsoftonline.com/|https://sts.windows.net/)?[a-f0-9-]{0,40}(/v2.0)?/?",
        sub in ".{0,40}",
        aud in ".{0,40}",
        exp in any::<i64>(),
        scp in any::<bool>(),
    ) {
        let mut claims = json!({"iss": iss, "sub": sub, "aud": aud, "exp": exp, "azp": sub});
        if scp { claims["scp"] = json!("x"); }
        let fics = [good_fic(), fic("b", &iss, &sub.to_uppercase(), &aud)];
        let c = DoctorContext { now: NOW, home_tenant: TenantId::parse(OTHER_TID), cloud: Some(Cloud::AzureChinaCloud), ..Default::default() };
        let _ = diagnose(&jwt(&claims), &fics, &c);
    }

    #[test]
    fn arbitrary_pastes_never_panic(text in ".{0,200}") {
        let _ = parse_fics(&text);
    }
}

// Tokens of GitHub Actions and Kubernetes, and flexible FICs.

fn github_claims(sub: &str) -> Value {
    json!({
        "jti": "j", "sub": sub, "environment": "production",
        "aud": "api://AzureADTokenExchange", "ref": "refs/heads/main",
        "repository": "litware/deploy-infra", "repository_owner": "litware",
        "repository_id": "812345678",
        "iss": "https://token.actions.githubusercontent.com",
        "nbf": NOW.minus(600).secs(), "exp": NOW.plus(300).secs(), "iat": NOW.secs(),
    })
}

fn flexible(value: &str) -> FederatedIdentityCredential {
    let mut f = fic(
        "github-flexible",
        "https://token.actions.githubusercontent.com",
        "",
        "api://AzureADTokenExchange",
    );
    f.claims_matching_expression = Some(crate::directory::ClaimsMatchingExpression {
        value: value.into(),
        language_version: 1,
    });
    f
}

#[test]
fn a_pasted_github_token_with_a_subject_differing_in_case_is_named_as_a_case_difference() {
    let f = fic(
        "github",
        "https://token.actions.githubusercontent.com",
        "repo:Litware/deploy-infra:environment:production",
        "api://AzureADTokenExchange",
    );
    let t = jwt(&github_claims(
        "repo:litware/deploy-infra:environment:production",
    ));
    let d = diagnose(&t, &[f], &ctx());
    assert_eq!(
        first(&d),
        (
            FindingField::Subject,
            Cause::CaseDifference,
            Aadsts::FicSubjectMismatch
        )
    );
}

#[test]
fn a_flexible_fic_whose_expression_holds_matches_a_github_token() {
    let t = jwt(&github_claims(
        "repo:litware/deploy-infra:environment:production",
    ));
    let f = flexible(
        "claims['sub'] matches 'repo:litware/deploy-infra:*' and claims['repository_id'] eq '812345678'",
    );
    let d = diagnose(&t, &[f], &ctx());
    assert_eq!(
        d,
        Diagnosis::Matches {
            fic_name: "github-flexible".into()
        }
    );
}

#[test]
fn a_flexible_fic_that_does_not_match_is_7002131_naming_the_failing_condition() {
    let t = jwt(&github_claims(
        "repo:litware/deploy-infra:environment:production",
    ));
    let f = flexible(
        "claims['sub'] matches 'repo:litware/deploy-infra:*' and claims['repository_id'] eq '999'",
    );
    let d = diagnose(&t, &[f], &ctx());
    assert_eq!(d.findings()[0].code, Aadsts::FicExpressionMismatch);
    let explanation = &d.findings()[0].explanation;
    assert!(explanation.contains("repository_id"), "{explanation}");
    assert!(explanation.contains("812345678"), "{explanation}");
    assert!(
        d.findings()[0]
            .entra_message
            .starts_with("AADSTS7002131: No matching federated identity record found for presented assertion subject 'repo:litware/deploy-infra:environment:production' or no federated identity credential expression matched."),
        "{}",
        d.findings()[0].entra_message
    );
}

#[test]
fn a_kubernetes_token_for_another_namespace_is_a_subject_mismatch() {
    let issuer = "https://westeurope.oic.prod-aks.azure.com/t/g/";
    let f = fic(
        "aks",
        issuer,
        "system:serviceaccount:payments:payments-api",
        "api://AzureADTokenExchange",
    );
    let t = jwt(&json!({
        "aud": ["api://AzureADTokenExchange"], "iss": issuer,
        "sub": "system:serviceaccount:default:payments-api",
        "kubernetes.io": {"namespace": "default"},
        "iat": NOW.secs(), "nbf": NOW.secs(), "exp": NOW.plus(3600).secs(),
    }));
    let d = diagnose(&t, &[f], &ctx());
    assert_eq!(first(&d).2, Aadsts::FicSubjectMismatch);
}

#[test]
fn a_pasted_flexible_fic_keeps_its_expression_and_is_diagnosed_as_the_exchange_would() {
    let pasted = r#"{"name": "github-flexible", "issuer": "https://token.actions.githubusercontent.com",
        "subject": null, "audiences": ["api://AzureADTokenExchange"],
        "claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:litware/deploy-infra:ref:refs/heads/*'", "languageVersion": 1}}"#;
    let fics = parse_fics(pasted).expect("a flexible FIC in Graph's shape");
    assert_eq!(fics[0].subject, "");
    assert_eq!(
        fics[0]
            .claims_matching_expression
            .as_ref()
            .map(|e| e.value.as_str()),
        Some("claims['sub'] matches 'repo:litware/deploy-infra:ref:refs/heads/*'")
    );
    let t = jwt(&github_claims(
        "repo:litware/deploy-infra:environment:production",
    ));
    let d = diagnose(&t, &fics, &ctx());
    assert_eq!(d.findings()[0].code, Aadsts::FicExpressionMismatch, "{d:?}");
    // Neither a subject nor an expression: the paste names what is missing.
    let neither = r#"{"issuer": "https://token.actions.githubusercontent.com", "subject": null, "audiences": ["api://AzureADTokenExchange"]}"#;
    assert_eq!(
        parse_fics(neither),
        Err(FicPasteError::BadItem {
            index: 0,
            property: "subject"
        })
    );
}
