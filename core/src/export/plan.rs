//! Guided scenarios and lab runs as exportable [`Plan`]s: here, in `export`, so that the
//! dependency runs one way (export reads scenarios and the lab; they know nothing of export).
//! Both plans are built from the requests the playground sends: [`Scenario::plan`] from the
//! scenario's steps, [`lab_plan`] from [`LabFlow`]. Neither knows a scenario or mistake by name,
//! so new ones export without code here.

use serde_json::{Map, Value, json};

use super::script::{Outcome, Plan, PlanStep};
use crate::client::{self, HttpExchange};
use crate::directory::{Directory, FederatedIdentityCredential};
use crate::lab::{LabFlow, Mistake};
use crate::scenario::{
    GRAPH_SCOPE, Lane, Scenario, Slot, Tokens, World, admin_of, secret_token, step_name,
};
use crate::time::UnixTime;

impl Scenario {
    /// The scenario as one exportable run: every request aimed at the environment's endpoints
    /// ([`crate::scenario::Bases::environment`]), tokens of earlier steps as placeholders.
    pub fn plan(&self, w: &World) -> Plan {
        let w = w.clone().with_environment_bases();
        let tokens = Tokens::default();
        Plan {
            title: format!("{} ({})", self.title, self.seed),
            steps: self
                .steps
                .iter()
                .map(|s| {
                    let request = (s.build)(&w, &tokens);
                    PlanStep {
                        id: s.id.to_owned(),
                        title: s.title.to_owned(),
                        show_body: s.to == Lane::Resource && request.method == http::Method::GET,
                        request,
                        expect: s.expect.into(),
                        stores: s.stores.map(|slot| step_name(slot).to_owned()),
                    }
                })
                .collect(),
        }
    }
}

/// A lab run ready to export, and the chosen mistakes the script cannot reproduce.
#[derive(Clone)]
pub struct LabPlan {
    pub plan: Plan,
    /// Mistakes left out of the script: they change what only mock-entra can change (its clock,
    /// the scenario's propagation delay, a service principal Graph would have to delete), not a
    /// request or a FIC's issuer, subject or audiences; or a FIC change a Graph PATCH cannot
    /// make and undo (turning a FIC flexible: a PATCH cannot remove `claimsMatchingExpression`
    /// again).
    pub left_out: Vec<&'static Mistake>,
}

/// Mistakes are static data: equal when their ids are.
impl PartialEq for LabPlan {
    fn eq(&self, other: &Self) -> bool {
        let ids = |l: &LabPlan| l.left_out.iter().map(|m| m.id).collect::<Vec<_>>();
        self.plan == other.plan && ids(self) == ids(other)
    }
}

/// One FIC a lab run changes through Graph: its application, the changed properties and the
/// values they had.
#[derive(Debug, Clone, PartialEq)]
struct FicChange {
    tenant: String,
    application: crate::ids::ObjectId,
    fic: FederatedIdentityCredential,
    mistake: Map<String, Value>,
    original: Map<String, Value>,
}

/// What the FIC properties Graph can PATCH hold.
fn patchable(f: &FederatedIdentityCredential) -> [(&'static str, Value); 3] {
    [
        ("issuer", json!(f.issuer)),
        ("subject", json!(f.subject)),
        ("audiences", json!(f.audiences)),
    ]
}

/// The FIC changes that turn `before` into `after`, or None when `after` differs in anything else
/// (then a script cannot make the change through Graph's FIC PATCH).
fn fic_changes(before: &Directory, after: &Directory) -> Option<Vec<FicChange>> {
    let mut restored = after.clone();
    let mut out = vec![];
    for (t_after, t_before) in restored.tenants.iter_mut().zip(&before.tenants) {
        for (a_after, a_before) in t_after.applications.iter_mut().zip(&t_before.applications) {
            for (f_after, f_before) in a_after
                .federated_identity_credentials
                .iter_mut()
                .zip(&a_before.federated_identity_credentials)
            {
                let mut mistake = Map::new();
                let mut original = Map::new();
                for ((k, new), (_, old)) in patchable(f_after).into_iter().zip(patchable(f_before))
                {
                    if new != old {
                        mistake.insert(k.to_owned(), new);
                        original.insert(k.to_owned(), old);
                    }
                }
                if mistake.is_empty() {
                    continue;
                }
                out.push(FicChange {
                    tenant: t_before.id.to_string(),
                    application: a_before.id,
                    fic: f_before.clone(),
                    mistake,
                    original,
                });
                f_after.issuer.clone_from(&f_before.issuer);
                f_after.subject.clone_from(&f_before.subject);
                f_after.audiences.clone_from(&f_before.audiences);
            }
        }
    }
    (restored == *before).then_some(out)
}

/// Whether a script can reproduce `m` alone: its request edits need no clock, and its
/// directory edits are FIC PATCHes in a tenant whose "Playground Admin" can write them.
fn exportable(m: &Mistake, dir: &Directory, w: &World) -> bool {
    if let Some(edit) = m.edit_flow {
        let mut flow = LabFlow::new(w);
        edit(&mut flow, w);
        if flow.clock_offset != 0 {
            return false;
        }
    }
    match m.edit_directory {
        None => true,
        Some(edit) => {
            let mut after = dir.clone();
            edit(&mut after, w, UnixTime(0));
            fic_changes(dir, &after)
                .is_some_and(|changes| changes.iter().all(|c| admin_of(dir, &c.tenant).is_some()))
        }
    }
}

fn step(id: String, title: String, request: HttpExchange, expect: Outcome) -> PlanStep {
    PlanStep {
        id,
        title,
        request,
        expect,
        stores: None,
        show_body: false,
    }
}

/// `id`, then `id-2`, `id-3` … for the second and later of a kind.
fn numbered(id: &str, i: usize) -> String {
    if i == 0 {
        id.to_owned()
    } else {
        format!("{id}-{}", i + 1)
    }
}

/// A lab run with `mistakes` on, as one exportable run against the directory `dir`: FIC mistakes
/// are written through Graph by the tenant's "Playground Admin" first and put back last (as the
/// playground saves and restores the scenario), then the lab's two requests run: the
/// managed-identity token and the exchange, which expects the chosen mistakes' AADSTS codes.
pub fn lab_plan(dir: &Directory, mistakes: &[&'static Mistake]) -> LabPlan {
    let w = World::from_directory(dir).with_environment_bases();
    let (kept, left_out): (Vec<&'static Mistake>, Vec<&'static Mistake>) = mistakes
        .iter()
        .copied()
        .partition(|m| exportable(m, dir, &w));
    let mut flow = LabFlow::new(&w);
    let mut edited = dir.clone();
    for m in &kept {
        if let Some(edit) = m.edit_flow {
            edit(&mut flow, &w);
        }
        if let Some(edit) = m.edit_directory {
            edit(&mut edited, &w, UnixTime(0));
        }
    }
    let changes = fic_changes(dir, &edited).unwrap_or_default();
    let mut steps = vec![];
    let mut tenants: Vec<&str> = changes.iter().map(|c| c.tenant.as_str()).collect();
    tenants.dedup();
    // One admin token per tenant whose FICs change: `adminTokenResponse`, `admin2TokenResponse` …
    let admin_step = |tenant: &str| match tenants.iter().position(|t| *t == tenant).unwrap_or(0) {
        0 => step_name(Slot::Admin).to_owned(),
        n => format!("admin{}TokenResponse", n + 1),
    };
    let patch = |c: &FicChange, body: &Map<String, Value>| {
        client::graph_fic_update_request(
            &w.bases.graph,
            c.application,
            c.fic.id,
            &client::token_of(&admin_step(&c.tenant)),
            &Value::Object(body.clone()),
        )
    };
    for (i, change) in changes.iter().enumerate() {
        if i == 0 || changes[i - 1].tenant != change.tenant {
            let (app, secret) = admin_of(dir, &change.tenant).unwrap_or_default();
            let n = tenants
                .iter()
                .position(|t| *t == change.tenant)
                .unwrap_or(0);
            steps.push(PlanStep {
                stores: Some(admin_step(&change.tenant)),
                ..step(
                    numbered("admin-token", n),
                    "Admin: a Graph token to change the FIC (the tenant's Playground Admin)"
                        .to_owned(),
                    secret_token(&w.bases, &change.tenant, &app, &secret, GRAPH_SCOPE),
                    Outcome::Success,
                )
            });
        }
        steps.push(step(
            numbered("fic-mistake", i),
            format!(
                "Admin: put the mistake into FIC {} (Graph PATCH)",
                change.fic.name
            ),
            patch(change, &change.mistake),
            Outcome::Success,
        ));
    }
    let mut codes: Vec<u32> = kept.iter().map(|m| m.code.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    let slot = flow.assertion_slot();
    steps.push(PlanStep {
        stores: Some(step_name(slot).to_owned()),
        ..step(
            match slot {
                Slot::GitHub => "id-token",
                Slot::ServiceAccount => "sa-token",
                _ => "mi-token",
            }
            .to_owned(),
            flow.assertion_title().to_owned(),
            flow.assertion_request(&w),
            Outcome::Success,
        )
    });
    let exchange = flow.exchange_request(&w, &client::token_of(step_name(slot)));
    steps.push(if codes.is_empty() {
        PlanStep {
            stores: Some(step_name(Slot::App).to_owned()),
            ..step(
                "app-token".to_owned(),
                "The FIC exchange succeeds".to_owned(),
                exchange,
                Outcome::Success,
            )
        }
    } else {
        step(
            "app-token".to_owned(),
            "The FIC exchange, refused because of the mistake".to_owned(),
            exchange,
            Outcome::Aadsts(codes),
        )
    });
    for (i, change) in changes.iter().enumerate() {
        steps.push(step(
            numbered("fic-restore", i),
            format!("Admin: put FIC {} back (Graph PATCH)", change.fic.name),
            patch(change, &change.original),
            Outcome::Success,
        ));
    }
    let title = if kept.is_empty() {
        "Misconfiguration lab: no mistake".to_owned()
    } else {
        format!(
            "Misconfiguration lab: {}",
            kept.iter().map(|m| m.title).collect::<Vec<_>>().join(", ")
        )
    };
    LabPlan {
        plan: Plan { title, steps },
        left_out,
    }
}

#[cfg(test)]
mod tests;
