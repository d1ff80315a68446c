//! The names the guided scenarios use (tenants, identity, apps, secrets), read from the live
//! directory by display name so that edits made in the directory editor flow into the steps.
use entra_core::directory::{Directory, FederatedIdentityCredential};

/// The default scenario, compiled in: what the playground shows before mock-entra answers.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.json");

/// The names the steps use, read from the directory by display name (core's, shared with the
/// whole-scenario export).
pub use entra_core::scenario::{World, admin_of};

/// A FIC by application display name and FIC name, with the app's home tenant.
pub fn find_fic(
    dir: &Directory,
    app: &str,
    fic: &str,
) -> Option<(String, FederatedIdentityCredential)> {
    dir.tenants.iter().find_map(|t| {
        t.applications
            .iter()
            .find(|a| a.display_name == app)
            .and_then(|a| {
                a.federated_identity_credentials
                    .iter()
                    .find(|f| f.name == fic)
            })
            .map(|f| (t.id.to_string(), f.clone()))
    })
}

/// Parses a scenario document with the engine's own parser (`from_slice`): one copy of the
/// directory's deserializer in the wasm instead of two (serde_json's `from_str` would
/// instantiate every `Deserialize` of the directory again for its string reader), and the
/// in-page engine's start finds it already compiled.
pub fn parse_directory(json: &str) -> Result<Directory, String> {
    entra_core::engine::parse_scenario(json.as_bytes()).map_err(|e| e.to_string())
}
