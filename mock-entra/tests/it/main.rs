//! Integration tests over real sockets: one binary, a spawn helper, scenario-shaped tests.

mod aadsts;
mod arm;
mod control;
mod crash;
mod doctor;
#[cfg(feature = "embed-playground")]
mod embedded;
mod exposure;
mod fic_matching;
mod flows;
mod forgery;
mod graph;
mod helpers;
mod issuers;
mod oidc;
mod parity;
mod soak;
mod tls;
