//! Integration tests over real sockets: one binary, a spawn helper, scenario-shaped tests.

mod control;
mod helpers;
mod oidc;
mod tls;
