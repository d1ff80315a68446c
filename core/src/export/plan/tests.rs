//! Tests of lab runs as plans: a run exports the lab's own requests, writes FIC mistakes through
//! Graph and puts them back, expects the mistakes' codes, and leaves out what a script cannot do.

use super::*;
use crate::export::script::{ScriptLang, script};
use crate::lab::{MISTAKES, by_id};
use crate::testutil;

fn run(ids: &[&str]) -> LabPlan {
    let mistakes: Vec<&'static Mistake> = ids
        .iter()
        .map(|i| by_id(i).expect("a lab mistake"))
        .collect();
    lab_plan(&testutil::directory(), &mistakes)
}

fn ids(p: &Plan) -> Vec<&str> {
    p.steps.iter().map(|s| s.id.as_str()).collect()
}

fn json_body(x: &HttpExchange) -> Value {
    match &x.body {
        Some(client::Body::Json(j)) => serde_json::from_str(j).expect("a JSON body"),
        other => panic!("not a JSON body: {other:?}"),
    }
}

#[test]
fn a_lab_run_exports_in_every_language_snapshot() {
    for (name, mistakes) in [
        ("lab_issuer_trailing_slash", &["issuer-trailing-slash"][..]),
        ("lab_app_wrong_tenant", &["app-wrong-tenant"][..]),
        (
            "lab_subject_case_and_missing_default",
            &["subject-case", "missing-default"][..],
        ),
    ] {
        let p = run(mistakes).plan;
        for lang in ScriptLang::ALL {
            insta::assert_snapshot!(format!("{name}_{}", lang.id()), script(&p, lang));
        }
    }
}

#[test]
fn without_mistakes_the_lab_run_is_the_two_requests_and_the_exchange_succeeds() {
    let l = run(&[]);
    assert!(l.left_out.is_empty());
    assert_eq!(ids(&l.plan), ["mi-token", "app-token"]);
    assert_eq!(l.plan.steps[1].expect, Outcome::Success);
    assert_eq!(l.plan.title, "Misconfiguration lab: no mistake");
}

#[test]
fn the_lab_run_sends_the_lab_flows_own_requests_at_the_environments_endpoints() {
    let dir = testutil::directory();
    let w = World::from_directory(&dir).with_environment_bases();
    let flow = LabFlow::new(&w);
    let l = run(&[]);
    assert_eq!(l.plan.steps[0].request, flow.assertion_request(&w));
    assert_eq!(
        l.plan.steps[1].request,
        flow.exchange_request(&w, &client::token_of(step_name(Slot::Mi)))
    );
    assert!(l.plan.steps[0].request.url.starts_with("{{env:"));
}

#[test]
fn a_fic_mistake_is_written_through_graph_first_and_put_back_last() {
    let l = run(&["issuer-trailing-slash"]);
    assert_eq!(
        ids(&l.plan),
        [
            "admin-token",
            "fic-mistake",
            "mi-token",
            "app-token",
            "fic-restore"
        ]
    );
    let steps = &l.plan.steps;
    assert_eq!(steps[0].stores.as_deref(), Some("adminTokenResponse"));
    let mistake = json_body(&steps[1].request);
    let restore = json_body(&steps[4].request);
    let issuer = restore["issuer"].as_str().expect("the original issuer");
    assert_eq!(mistake["issuer"], format!("{issuer}/"));
    assert_eq!(mistake.as_object().map(Map::len), Some(1), "{mistake}");
    assert_eq!(steps[1].request.method, http::Method::PATCH);
    assert!(
        steps[1]
            .request
            .url
            .contains("/federatedIdentityCredentials/"),
        "{}",
        steps[1].request.url
    );
    assert_eq!(steps[1].request.url, steps[4].request.url);
    assert_eq!(steps[3].expect, Outcome::Aadsts(vec![700211]));
}

#[test]
fn a_request_mistake_changes_only_the_request() {
    let l = run(&["missing-default"]);
    assert_eq!(ids(&l.plan), ["mi-token", "app-token"]);
    let exchange = &l.plan.steps[1];
    assert_eq!(exchange.expect, Outcome::Aadsts(vec![1002012]));
    let scope = match &exchange.request.body {
        Some(client::Body::Form(f)) => f.iter().find(|(k, _)| k == "scope").map(|(_, v)| v.clone()),
        _ => None,
    };
    assert_eq!(scope.as_deref(), Some("https://management.azure.com"));
}

#[test]
fn combined_mistakes_expect_any_of_their_codes() {
    let l = run(&["missing-default", "subject-case"]);
    let exchange = l
        .plan
        .steps
        .iter()
        .find(|s| s.id == "app-token")
        .expect("the exchange");
    assert_eq!(exchange.expect, Outcome::Aadsts(vec![700213, 1002012]));
}

#[test]
fn the_script_leaves_out_what_only_the_mock_can_change() {
    let left_out: Vec<&str> = MISTAKES
        .iter()
        .filter(|m| !run(&[m.id]).left_out.is_empty())
        .map(|m| m.id)
        .collect();
    assert_eq!(
        left_out,
        [
            "no-service-principal",
            "home-without-service-principal",
            "fic-not-propagated",
            "expired-assertion",
            // Graph's PATCH cannot remove a claimsMatchingExpression again.
            "github-flexible-mismatch"
        ]
    );
    // A left-out mistake changes nothing in the script, and its code is not expected.
    let l = run(&["expired-assertion", "wrong-cloud"]);
    assert_eq!(l.left_out.len(), 1);
    let exchange = l
        .plan
        .steps
        .iter()
        .find(|s| s.id == "app-token")
        .expect("the exchange");
    assert_eq!(exchange.expect, Outcome::Aadsts(vec![700212]));
    assert_eq!(
        l.plan.title,
        "Misconfiguration lab: Audience of another cloud"
    );
}

#[test]
fn every_kept_mistake_changes_the_run() {
    // A mistake the script keeps must make its run differ from the run without mistakes, or the
    // script would expect an error it never provokes.
    let none = run(&[]).plan;
    for m in MISTAKES {
        let l = run(&[m.id]);
        if l.left_out.is_empty() {
            let changed = l.plan.steps.len() != none.steps.len()
                || l.plan
                    .steps
                    .iter()
                    .zip(&none.steps)
                    .any(|(a, b)| a.request != b.request);
            assert!(changed, "{}", m.id);
        }
    }
}
