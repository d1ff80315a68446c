//! Fixtures shared by the fuzz targets: the default scenario, the fixture key set and a fixed
//! environment, so every target drives the same engine the server runs.

use entra_core::directory::Directory;
use entra_core::ids::{CorrelationId, Guid, TraceId, TraceIds};
use entra_core::keys::{KeySet, test_keys};
use entra_core::time::UnixTime;
use entra_core::token::{Env, IssuerMode};

/// The scenario the server starts with.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.json");

/// 2025-08-18 15:26:14Z: inside the default scenario's credential lifetimes.
pub const NOW: UnixTime = UnixTime(1_755_530_774);

pub static ENTRA: IssuerMode = IssuerMode::Entra;

pub fn default_directory() -> Directory {
    serde_json::from_str(DEFAULT_SCENARIO).expect("default scenario parses")
}

pub fn keys() -> KeySet {
    test_keys::key_set()
}

pub fn env(keys: &KeySet) -> Env<'_> {
    Env {
        now: NOW,
        trace: TraceIds {
            trace_id: TraceId::from_u128(1),
            correlation_id: CorrelationId::from_u128(2),
        },
        token_id: Guid::from_u128(3),
        keys,
        issuers: &ENTRA,
    }
}
