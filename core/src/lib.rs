//! entra-core: a sans-IO model of Microsoft Entra ID for managed identities used as federated
//! identity credentials.
//!
//! No sockets, files, threads, clock or RNG. Time arrives as [`time::UnixTime`]; anything random
//! (trace ids, token ids, new object ids) and all key material arrive as values. The same inputs
//! give byte-identical outputs, which is what makes the snapshot tests exact and lets the crate
//! run unchanged in the browser (wasm32).
//!
//! Map:
//! - [`directory`]: tenants, apps, service principals, managed identities, hosts (the scenario).
//! - [`discovery`]: OIDC metadata, JWKS issuers, instance discovery and the client environment.
//! - [`error`]: the AADSTS table and Entra's error envelope.
//! - [`jose`] and [`keys`]: JWT decoding, RS256 signing and verification, JWKS.
//! - [`token`]: the shapes of the tokens Entra issues.
//! - [`exchange`]: the token endpoint's decision for `client_credentials`.
//! - [`issuers`]: identity providers outside Entra: the emulated GitHub Actions and Kubernetes
//!   issuers (documents, tokens) and the fetched keys of real ones.
//! - [`fic`]: Graph's create-time rules for federated identity credentials.
//! - [`doctor`]: why a given assertion does not match a given FIC.
//! - [`managed_identity`]: the IMDS and App Service MSI protocols.
//! - [`client`]: requests of the flow as a client sends them, and code export.
//! - [`resource`]: access-token validation and the protected resources (ARM, Storage, Graph
//!   devices).
//! - [`graph`]: Graph's applications, FICs, service principals and app role assignments.
//! - [`consent`]: the admin-consent page and its redirect.
//! - [`engine`]: the request-to-response engine: every surface routed and answered from one
//!   value that owns the live directory, keys, IMDS caches, faults and the clock offset.

pub mod client;
pub mod cloud;
pub mod consent;
pub mod directory;
pub mod discovery;
pub mod doctor;
pub mod engine;
pub mod error;
pub mod exchange;
pub mod export;
pub mod fic;
pub mod first_party;
#[cfg(any(test, feature = "test-support"))]
pub mod forgery;
pub mod graph;
pub mod graph_error;
pub mod ids;
pub mod issuers;
pub mod jose;
pub mod keys;
pub mod lab;
pub mod managed_identity;
pub mod resource;
pub mod scenario;
pub mod time;
pub mod token;

#[cfg(test)]
mod testutil;

#[cfg(test)]
mod captures;
