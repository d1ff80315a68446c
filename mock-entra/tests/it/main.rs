//! Integration tests over real sockets: one binary, a spawn helper, scenario-shaped tests.

mod aadsts;
mod control;
mod exposure;
mod flows;
mod graph;
mod helpers;
mod oidc;
mod tls;
