//! Every guided scenario and every lab mistake, sent through the engine the way the playground
//! sends them (page-relative bases, the answer of one step feeding the next): each step reaches
//! the outcome it announces, and each mistake Entra's code.

use super::*;
use crate::keys::test_keys;
use crate::lab::{LabFlow, MISTAKES};
use crate::testutil::engine::{Answer, Harness};
use crate::testutil::{NOW, directory};

fn harness() -> Harness {
    Harness::with_keys(directory(), test_keys::key_set_with_issuers())
}

fn send(h: &Harness, x: &HttpExchange) -> Answer {
    h.send(x.into_http().expect("a request core built is valid HTTP"))
}

fn aadsts(a: &Answer) -> Option<u64> {
    a.json["error_codes"][0].as_u64()
}

#[test]
fn every_guided_scenario_reaches_each_steps_expected_outcome_in_the_engine() {
    for sc in SCENARIOS {
        let h = harness();
        let mut tokens = Tokens::default();
        for step in sc.steps {
            let w = World::from_directory(&h.engine.directory());
            let a = send(&h, &(step.build)(&w, &tokens));
            let what = format!("{}/{}: {} {}", sc.id, step.id, a.status, a.text());
            match step.expect {
                Expect::Success => {
                    assert!(a.status < 400 && aadsts(&a).is_none(), "{what}");
                    if let Some(slot) = step.stores {
                        let token = slot.read_token(&a.text()).expect(&what);
                        tokens.set(slot, token);
                    }
                }
                Expect::Aadsts(code) => {
                    assert_eq!(aadsts(&a), Some(u64::from(code.code())), "{what}")
                }
            }
        }
        // A scenario that changes FICs puts them back by its last step.
        let fics = |d: &Directory| {
            d.tenants
                .iter()
                .flat_map(|t| &t.applications)
                .flat_map(|a| a.federated_identity_credentials.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(fics(&h.engine.directory()), fics(&directory()), "{}", sc.id);
    }
}

#[test]
fn the_github_scenario_asks_for_the_id_token_as_actions_core_does() {
    let w = World::from_directory(&directory());
    let x = github_id_token(&w.bases);
    assert_eq!(
        x.full_url(),
        "/_issuers/github/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
    );
    assert!(
        x.headers.iter().any(|(k, v)| k == "Authorization"
            && v == "Bearer mock-entra-actions-id-token-request-token")
    );
    let exported = github_id_token(&w.clone().with_environment_bases().bases);
    assert_eq!(
        exported.url,
        "{{env:ACTIONS_ID_TOKEN_REQUEST_URL}}&audience=api%3A%2F%2FAzureADTokenExchange"
    );
}

#[test]
fn the_external_issuers_tokens_are_kept_from_their_own_answer_members() {
    assert_eq!(
        Slot::GitHub.read_token(r#"{"value":"a.b.c"}"#).as_deref(),
        Some("a.b.c")
    );
    assert_eq!(
        Slot::ServiceAccount
            .read_token(r#"{"token":"a.b.c","subject":"system:serviceaccount:x:y"}"#)
            .as_deref(),
        Some("a.b.c")
    );
    assert_eq!(Slot::App.read_token(r#"{"value":"a.b.c"}"#), None);
    assert_eq!(token_field("idTokenResponse"), "value");
    assert_eq!(token_field("serviceAccountTokenResponse"), "token");
    assert_eq!(token_field("admin2TokenResponse"), "access_token");
}

#[test]
fn every_lab_mistake_that_needs_no_clock_is_answered_with_its_code_by_the_engine() {
    for m in MISTAKES {
        let mut dir = directory();
        let w = World::from_directory(&dir);
        let mut flow = LabFlow::new(&w);
        if let Some(edit) = m.edit_flow {
            edit(&mut flow, &w);
        }
        if flow.clock_offset != 0 {
            continue;
        }
        if let Some(edit) = m.edit_directory {
            edit(&mut dir, &w, NOW);
        }
        let h = Harness::with_keys(dir, test_keys::key_set_with_issuers());
        let first = send(&h, &flow.assertion_request(&w));
        let what = format!("{}: {} {}", m.id, first.status, first.text());
        let answer = match flow.assertion_slot().read_token(&first.text()) {
            Some(token) => send(&h, &flow.exchange_request(&w, &token)),
            None => first,
        };
        assert_eq!(
            aadsts(&answer),
            Some(u64::from(m.code.code())),
            "{what} then {}",
            answer.text()
        );
    }
}
