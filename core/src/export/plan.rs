//! A guided scenario as one exportable [`Plan`]: here, in `export`, so that the dependency runs
//! one way (export reads scenarios; scenarios know nothing of export).

use super::script::{Plan, PlanStep};
use crate::scenario::{Lane, Scenario, Tokens, World, step_name};

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
                        expect: s.expect,
                        stores: s.stores.map(|slot| step_name(slot).to_owned()),
                    }
                })
                .collect(),
        }
    }
}
