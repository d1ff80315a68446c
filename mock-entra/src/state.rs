//! The server's shared state: the live directory, keys, clock and id source, faults and the
//! exchange log. `AppState::env`-style accessors are the one place where "now" and fresh ids are
//! read.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use entra_core::directory::Directory;
use entra_core::ids::{CorrelationId, Guid, TraceId, TraceIds};
use entra_core::keys::KeySet;
use entra_core::managed_identity::imds::{ImdsCache, ImdsError, Millis, RateLimiter};
use entra_core::time::UnixTime;

use crate::config::IssuerModeArg;
use crate::faults::Faults;
use crate::persist::StateWriter;
use crate::recorder::ExchangeLog;

/// Wall-clock time. Production reads the system clock; tests install a fixed or manual one.
pub trait Clock: Send + Sync {
    fn now(&self) -> UnixTime;
}

/// Fresh ids (trace ids, token ids, object ids). Random v4 GUIDs in production; sequential in
/// tests.
pub trait IdSource: Send + Sync {
    fn guid(&self) -> Guid;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        UnixTime::from_secs(secs)
    }
}

/// A clock that stands still until told otherwise (tests).
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: UnixTime) -> Self {
        ManualClock(AtomicI64::new(at.secs()))
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.0.load(Ordering::SeqCst))
    }
}

/// Random version-4 GUIDs: 122 bits from `rand`'s thread-local CSPRNG (seeded by the OS), with
/// the version and variant bits set by `uuid`.
#[derive(Debug, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn guid(&self) -> Guid {
        let random: [u8; 16] = rand::random();
        Guid::from_bytes(
            *uuid::Builder::from_random_bytes(random)
                .as_uuid()
                .as_bytes(),
        )
    }
}

/// Deterministic GUIDs `00000000-0000-4000-8000-000000000001`, `…02`, … (tests).
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdSource for SequentialIds {
    fn guid(&self) -> Guid {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Guid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
    }
}

/// The scheme a request arrived with (the TLS listener inserts `Https`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub(crate) struct Inner {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdSource>,
    pub(crate) clock_offset: AtomicI64,
    pub(crate) directory: RwLock<Arc<Directory>>,
    pub(crate) start_directory: Arc<Directory>,
    pub(crate) keys: RwLock<Arc<KeySet>>,
    pub(crate) data_dir: PathBuf,
    pub(crate) issuer_mode: IssuerModeArg,
    pub(crate) graph_prefix: String,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) exchanges: ExchangeLog,
    pub(crate) writer: Option<StateWriter>,
    pub(crate) rotate_lock: tokio::sync::Mutex<()>,
    pub(crate) https_base: std::sync::OnceLock<String>,
    pub(crate) playground_dir: Option<PathBuf>,
    /// IMDS's token cache, one per VM (lowercased name). Cleared whenever the directory, the
    /// keys or the clock offset change, so a cached token never outlives what minted it.
    pub(crate) imds_caches: Mutex<HashMap<String, ImdsCache>>,
    /// IMDS's throttle when `--imds-throttle` is on: one limiter per VM and category.
    pub(crate) imds_throttle: std::sync::OnceLock<ImdsThrottle>,
}

/// The per-VM limiters of IMDS (core's [`RateLimiter`]) and the monotonic origin they count from.
pub(crate) struct ImdsThrottle {
    origin: std::time::Instant,
    limiters: Mutex<HashMap<(String, ImdsCategory), RateLimiter>>,
}

/// IMDS throttles its categories separately (reference A.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImdsCategory {
    /// Token and identity info requests.
    Identity,
    /// Instance metadata and versions.
    Instance,
}

/// An admitted IMDS request; dropping it releases its concurrency slot.
pub struct ImdsPermit {
    state: AppState,
    key: (String, ImdsCategory),
}

impl Drop for ImdsPermit {
    fn drop(&mut self) {
        if let Some(t) = self.state.0.imds_throttle.get() {
            let mut limiters = match t.limiters.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            if let Some(l) = limiters.get_mut(&self.key) {
                l.finish();
            }
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        start: Directory,
        live: Directory,
        keys: KeySet,
        data_dir: PathBuf,
        issuer_mode: IssuerModeArg,
        graph_prefix: String,
        writer: Option<StateWriter>,
        playground_dir: Option<PathBuf>,
    ) -> Self {
        AppState(Arc::new(Inner {
            clock,
            ids,
            clock_offset: AtomicI64::new(0),
            directory: RwLock::new(Arc::new(live)),
            start_directory: Arc::new(start),
            keys: RwLock::new(Arc::new(keys)),
            data_dir,
            issuer_mode,
            graph_prefix,
            faults: Mutex::new(Faults::default()),
            exchanges: ExchangeLog::new(1000),
            writer,
            rotate_lock: tokio::sync::Mutex::new(()),
            https_base: std::sync::OnceLock::new(),
            playground_dir,
            imds_caches: Mutex::new(HashMap::new()),
            imds_throttle: std::sync::OnceLock::new(),
        }))
    }

    /// Turns on IMDS's throttle (`--imds-throttle`).
    pub(crate) fn enable_imds_throttle(&self) {
        let _ = self.0.imds_throttle.set(ImdsThrottle {
            origin: std::time::Instant::now(),
            limiters: Mutex::new(HashMap::new()),
        });
    }

    /// Admits an IMDS request of `category` on VM `vm`, or answers IMDS's 429 when the throttle
    /// is on and the VM is over its rate or concurrency. `None`: the throttle is off.
    pub fn admit_imds(
        &self,
        vm: &str,
        category: ImdsCategory,
    ) -> Result<Option<ImdsPermit>, ImdsError> {
        let Some(t) = self.0.imds_throttle.get() else {
            return Ok(None);
        };
        let now = Millis(u64::try_from(t.origin.elapsed().as_millis()).unwrap_or(u64::MAX));
        let key = (vm.to_ascii_lowercase(), category);
        let mut limiters = match t.limiters.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        limiters
            .entry(key.clone())
            .or_insert_with(|| match category {
                ImdsCategory::Identity => RateLimiter::identity(now),
                ImdsCategory::Instance => RateLimiter::instance(now),
            })
            .try_begin(now)?;
        drop(limiters);
        Ok(Some(ImdsPermit {
            state: self.clone(),
            key,
        }))
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.0
    }

    /// "Now": the clock plus the offset set by `POST /_mock/clock`.
    pub fn now(&self) -> UnixTime {
        self.0
            .clock
            .now()
            .plus(self.0.clock_offset.load(Ordering::SeqCst))
    }

    pub fn set_clock_offset(&self, secs: i64) {
        self.0.clock_offset.store(secs, Ordering::SeqCst);
        self.clear_imds_caches();
    }

    /// Runs `f` on the IMDS token cache of the VM `vm`.
    pub fn with_imds_cache<R>(&self, vm: &str, f: impl FnOnce(&mut ImdsCache) -> R) -> R {
        let mut caches = match self.0.imds_caches.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(caches.entry(vm.to_ascii_lowercase()).or_default())
    }

    fn clear_imds_caches(&self) {
        match self.0.imds_caches.lock() {
            Ok(mut g) => g.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }

    pub fn clock_offset(&self) -> i64 {
        self.0.clock_offset.load(Ordering::SeqCst)
    }

    pub fn guid(&self) -> Guid {
        self.0.ids.guid()
    }

    /// Fresh trace and correlation ids for one response. A `client-request-id` the client sent
    /// becomes the correlation id, as Entra does.
    pub fn trace(&self, client_request_id: Option<&str>) -> TraceIds {
        let correlation = client_request_id
            .and_then(Guid::parse)
            .unwrap_or_else(|| self.guid());
        TraceIds {
            trace_id: TraceId(self.guid()),
            correlation_id: CorrelationId(correlation),
        }
    }

    /// Runs `f` with core's ambient token environment: now, fresh trace and token ids, the
    /// current keys and the issuer mode. The one place handlers get "now" and ids for core.
    pub fn with_env<R>(
        &self,
        trace: TraceIds,
        f: impl FnOnce(&entra_core::token::Env<'_>) -> R,
    ) -> R {
        let keys = self.keys();
        let issuers = self.issuers();
        let env = entra_core::token::Env {
            now: self.now(),
            trace,
            token_id: self.guid(),
            keys: &keys,
            issuers: &issuers,
        };
        f(&env)
    }

    /// A snapshot of the live directory.
    pub fn directory(&self) -> Arc<Directory> {
        match self.0.directory.read() {
            Ok(d) => d.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Applies `f` to the live directory (copy-on-write) and schedules a state-file write.
    pub fn update_directory<R>(&self, f: impl FnOnce(&mut Directory) -> R) -> R {
        let (out, snapshot) = {
            let mut guard = match self.0.directory.write() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            let dir = Arc::make_mut(&mut guard);
            let out = f(dir);
            (out, guard.clone())
        };
        self.clear_imds_caches();
        if let Some(w) = &self.0.writer {
            w.schedule(snapshot);
        }
        out
    }

    /// Replaces the whole directory (PUT /_mock/scenario, reset).
    pub fn replace_directory(&self, dir: Directory) {
        self.update_directory(|d| *d = dir);
    }

    pub fn start_directory(&self) -> Arc<Directory> {
        self.0.start_directory.clone()
    }

    pub fn keys(&self) -> Arc<KeySet> {
        match self.0.keys.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn set_keys(&self, keys: KeySet) {
        let mut guard = match self.0.keys.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(keys);
        drop(guard);
        self.clear_imds_caches();
    }

    pub fn issuer_mode(&self) -> IssuerModeArg {
        self.0.issuer_mode
    }

    /// The issuers tokens and documents carry (mock mode uses the HTTPS listener's origin).
    pub fn issuers(&self) -> entra_core::token::IssuerMode {
        match self.0.issuer_mode {
            IssuerModeArg::Entra => entra_core::token::IssuerMode::Entra,
            IssuerModeArg::Mock => entra_core::token::IssuerMode::Mock {
                base_url: self.https_base().to_owned(),
            },
        }
    }

    /// The HTTPS listener's origin (`https://localhost:8443`).
    pub fn https_base(&self) -> &str {
        self.0
            .https_base
            .get()
            .map_or("https://localhost", String::as_str)
    }

    pub(crate) fn set_https_base(&self, base: String) {
        let _ = self.0.https_base.set(base);
    }

    pub fn playground_dir(&self) -> Option<&std::path::Path> {
        self.0.playground_dir.as_deref()
    }

    pub fn graph_prefix(&self) -> &str {
        &self.0.graph_prefix
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.0.data_dir
    }

    pub(crate) fn exchanges(&self) -> &ExchangeLog {
        &self.0.exchanges
    }

    pub(crate) fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        match self.0.faults.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Waits until every scheduled state-file write is on disk.
    pub async fn flush(&self) {
        if let Some(w) = &self.0.writer {
            w.flush().await;
        }
    }
}

/// The peer address of a request (absent in `oneshot` tests that do not insert one).
pub fn peer(req_ext: &http::Extensions) -> Option<SocketAddr> {
    req_ext
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_version_4_guids_and_do_not_repeat() {
        let ids: std::collections::HashSet<[u8; 16]> =
            (0..1000).map(|_| *RandomIds.guid().as_bytes()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            assert_eq!(id[6] >> 4, 4, "version nibble");
            assert_eq!(id[8] >> 6, 0b10, "RFC 4122 variant");
        }
    }
}
