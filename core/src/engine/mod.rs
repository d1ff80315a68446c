//! The request-to-response engine: every surface of the emulator (Entra, IMDS, App Service,
//! Graph, ARM, Storage and the control API's decisions) answered from one value, in the style of
//! quinn-proto.
//!
//! # The sans-IO promise
//!
//! [`Engine::handle`] takes an `http::Request` whose body is already read, plus a [`Context`]
//! carrying the time (wall clock and a monotonic millisecond count) and a source of fresh ids.
//! It returns an [`Outcome`]: the `http::Response`, the [`Exchange`] record the inspector shows
//! and the [`Effect`]s the shell must carry out (persist a directory snapshot, delay the answer).
//! It never touches a socket, a file, a clock or an RNG, so the same inputs give the same
//! answer, and it runs unchanged in the browser (wasm32).
//!
//! The engine owns the live and the start directory, the key set (generation stays with the
//! caller: new keys arrive as values), IMDS's token caches and throttles, the fault rules and the
//! clock offset. Reads work on `Arc` snapshots taken under short locks, so RSA signing never runs
//! under a lock; writes apply to a copy under a short write lock and only land when core accepts
//! them.

mod control;
mod entra;
pub mod faults;
mod graph;
mod issuers;
mod managed_identity;
pub mod record;
mod reply;
mod resources;
mod route;
pub mod shapes;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use crate::directory::Directory;
use crate::ids::{CorrelationId, Guid, TraceId, TraceIds};
use crate::issuers::{ExternalKeyCache, KeyFetch};
use crate::keys::{KeySet, PublishedKey, Signer};
use crate::managed_identity::imds::{ImdsCache, ImdsError, Millis, RateLimiter};
use crate::time::UnixTime;
use crate::token::IssuerMode;

pub use control::{parse_scenario, render_scenario};
pub use faults::{Fault, Faults};
pub use record::Exchange;
pub use reply::Failure;
pub use route::normalize_path;
pub use shapes::{Limit, RoutingError, Surface, surface_of};

/// The request type the engine answers: the body is read by the shell first.
pub type Request = http::Request<Vec<u8>>;
/// The response type the engine renders.
pub type Response = http::Response<Vec<u8>>;

/// Fresh ids (trace ids, token ids, object ids, request ids). The shell passes random ones;
/// tests pass [`SequentialIds`].
pub trait IdSource: Send + Sync {
    fn guid(&self) -> Guid;
}

/// Deterministic GUIDs `00000000-0000-4000-8000-000000000001`, `…02`, … (tests, parity runs).
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdSource for SequentialIds {
    fn guid(&self) -> Guid {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Guid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
    }
}

/// What the world tells the engine for one request.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The wall clock (the engine adds the control API's offset).
    pub now: UnixTime,
    /// A monotonic millisecond count (IMDS's throttle measures rates with it).
    pub monotonic: Millis,
    pub ids: &'a dyn IdSource,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .field("monotonic", &self.monotonic)
            .finish_non_exhaustive()
    }
}

/// The scheme of the listener a request arrived on; the shell puts it in the request's
/// extensions (absent means plain HTTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// Which issuers tokens and documents carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuerChoice {
    /// Entra's exact issuers.
    #[default]
    Entra,
    /// Issuers on the HTTPS origin the shell announces with [`Engine::set_https_base`].
    Mock,
}

/// How an engine is set up.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    pub issuers: IssuerChoice,
    /// Extra path prefix of the Graph subset (e.g. `/graph`), besides `/v1.0`.
    pub graph_prefix: String,
    /// IMDS's documented throttle (429 beyond 20 identity requests/s or 5 concurrent per VM).
    pub imds_throttle: bool,
}

/// Something the shell must do for the engine.
#[derive(Debug, Clone)]
pub enum Effect {
    /// The live directory changed: this snapshot is the state to persist. `generation` grows
    /// with every accepted write, so a shell that receives snapshots out of order keeps the
    /// newest.
    Persist {
        generation: u64,
        directory: Arc<Directory>,
    },
    /// An injected fault asks for this much latency before the answer is sent.
    Delay { millis: u64 },
    /// The answer depends on a real external issuer's keys the engine does not have (or that
    /// lack the assertion's key): GET this document, hand the body to
    /// [`Engine::issuer_document_fetched`] (which may ask for the next one), then handle the same
    /// request once more. A shell that cannot fetch sends the response as it is (50166 or
    /// 7000272).
    FetchIssuerKeys(KeyFetch),
}

/// The engine's answer to one request.
#[derive(Debug)]
pub struct Outcome {
    pub response: Response,
    /// The inspector's record (absent for the control API, which is never recorded). `id` and
    /// `duration_ms` are the shell's to fill.
    pub record: Option<Exchange>,
    pub effects: Vec<Effect>,
}

/// The answer of a control operation the shell starts itself (key rotation).
#[derive(Debug)]
pub struct ControlAnswer {
    pub response: Response,
}

/// IMDS throttles its categories separately (reference A.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ImdsCategory {
    Identity,
    Instance,
}

/// Rotated-out keys stay published this long.
pub const KEY_GRACE_SECS: i64 = 24 * 3600;

/// The emulator's whole state and its request handling.
pub struct Engine {
    config: EngineConfig,
    https_base: OnceLock<String>,
    clock_offset: AtomicI64,
    directory: RwLock<Arc<Directory>>,
    start_directory: Arc<Directory>,
    keys: RwLock<Arc<KeySet>>,
    faults: Mutex<Faults>,
    /// IMDS's token cache, one per VM (lowercased name). Cleared whenever the directory, the keys
    /// or the clock offset change, so a cached token never outlives what minted it.
    imds_caches: Mutex<HashMap<String, ImdsCache>>,
    imds_limiters: Mutex<HashMap<(String, ImdsCategory), RateLimiter>>,
    routes: route::Routes,
    /// Counts accepted directory writes (see [`Effect::Persist`]).
    generation: AtomicU64,
    /// Keys fetched from real external issuers' metadata, by issuer.
    external_keys: Mutex<ExternalKeyCache>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn read<T: Clone>(l: &RwLock<T>) -> T {
    match l.read() {
        Ok(g) => g.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Per-request view of the engine: "now" with the offset, fresh ids, snapshots.
pub(crate) struct Call<'e> {
    pub(crate) engine: &'e Engine,
    pub(crate) now: UnixTime,
    pub(crate) monotonic: Millis,
    pub(crate) ids: &'e dyn IdSource,
    pub(crate) effects: Vec<Effect>,
}

impl Call<'_> {
    pub(crate) fn guid(&self) -> Guid {
        self.ids.guid()
    }

    /// Fresh trace and correlation ids for one response. A `client-request-id` the client sent
    /// becomes the correlation id, as Entra does.
    pub(crate) fn trace(&self, client_request_id: Option<&str>) -> TraceIds {
        let correlation = client_request_id
            .and_then(Guid::parse)
            .unwrap_or_else(|| self.guid());
        TraceIds {
            trace_id: TraceId(self.guid()),
            correlation_id: CorrelationId(correlation),
        }
    }

    /// Runs `f` with core's token environment: now, `trace`, a fresh token id, the keys, the
    /// issuers.
    pub(crate) fn with_env<R>(
        &self,
        trace: TraceIds,
        f: impl FnOnce(&crate::token::Env<'_>) -> R,
    ) -> R {
        let keys = self.engine.keys();
        let issuers = self.engine.issuers();
        let env = crate::token::Env {
            now: self.now,
            trace,
            token_id: self.guid(),
            keys: &keys,
            issuers: &issuers,
        };
        f(&env)
    }

    /// Applies `f` to a copy of the live directory; the copy becomes live (and is handed to the
    /// shell to persist, and IMDS's caches are cleared) only when `f` succeeds. A refused write
    /// changes nothing.
    pub(crate) fn mutate<T, E>(
        &mut self,
        f: impl FnOnce(&mut Directory) -> Result<T, E>,
    ) -> Result<T, E> {
        let snapshot;
        let generation;
        let out = {
            let mut guard = match self.engine.directory.write() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            let mut copy = (**guard).clone();
            let out = f(&mut copy)?;
            snapshot = Arc::new(copy);
            *guard = snapshot.clone();
            generation = self.engine.generation.fetch_add(1, Ordering::SeqCst) + 1;
            out
        };
        self.engine.clear_imds_caches();
        self.effects.push(Effect::Persist {
            generation,
            directory: snapshot,
        });
        Ok(out)
    }

    /// Replaces the live directory (scenario PUT, reset).
    pub(crate) fn replace_directory(&mut self, dir: Directory) {
        let _ = self.mutate(|d| {
            *d = dir;
            Ok::<(), std::convert::Infallible>(())
        });
    }
}

impl Engine {
    /// An engine serving `live`, resetting to `start`, signing with `keys`.
    pub fn new(config: EngineConfig, start: Directory, live: Directory, keys: KeySet) -> Self {
        Engine {
            routes: route::Routes::new(&config.graph_prefix),
            generation: AtomicU64::new(0),
            config,
            https_base: OnceLock::new(),
            clock_offset: AtomicI64::new(0),
            directory: RwLock::new(Arc::new(live)),
            start_directory: Arc::new(start),
            keys: RwLock::new(Arc::new(keys)),
            faults: Mutex::new(Faults::default()),
            imds_caches: Mutex::new(HashMap::new()),
            imds_limiters: Mutex::new(HashMap::new()),
            external_keys: Mutex::new(ExternalKeyCache::default()),
        }
    }

    /// A snapshot of the cached keys of real external issuers.
    pub fn external_keys(&self) -> ExternalKeyCache {
        lock(&self.external_keys).clone()
    }

    /// Takes the body of a document asked for by [`Effect::FetchIssuerKeys`] (or why it could
    /// not be fetched); returns the next document to fetch, if any.
    pub fn issuer_document_fetched(
        &self,
        fetch: &KeyFetch,
        body: Result<&[u8], &str>,
        now: UnixTime,
    ) -> Option<KeyFetch> {
        let now = self.now(now);
        lock(&self.external_keys).fetched(fetch, body, now)
    }

    /// Drops a remembered retrieval failure of `issuer` once it has been answered.
    pub(crate) fn forget_external_failure(&self, issuer: &str) {
        lock(&self.external_keys).forget_failure(issuer);
    }

    /// The emulated external issuers of the live directory that have no signing key yet (the
    /// shell generates one for each and calls [`Engine::install_issuer_key`]).
    pub fn issuers_without_keys(&self) -> Vec<String> {
        let keys = self.keys();
        self.directory()
            .external_issuers
            .iter()
            .filter(|i| keys.issuer(&i.name).is_none())
            .map(|i| i.name.clone())
            .collect()
    }

    /// Gives the emulated issuer `name` its signing key.
    pub fn install_issuer_key(&self, name: &str, signer: Arc<dyn Signer>, key: PublishedKey) {
        let mut guard = match self.keys.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut keys = (**guard).clone();
        keys.set_issuer(name, KeySet::new(signer, key));
        *guard = Arc::new(keys);
    }

    /// Rotates the emulated issuer `name` to `signer`/`key`; the previous keys stay published
    /// for `grace_secs` (0: at once unpublished, as when a cluster is recreated with a new
    /// service-account key). Renders the control API's answer.
    pub fn rotate_issuer_key(
        &self,
        name: &str,
        signer: Arc<dyn Signer>,
        key: PublishedKey,
        now: UnixTime,
        grace_secs: i64,
    ) -> ControlAnswer {
        let now = self.now(now);
        let kid = key.kid().as_str().to_owned();
        let mut guard = match self.keys.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut keys = (**guard).clone();
        let Some(set) = keys.issuer_mut(name) else {
            return ControlAnswer {
                response: shapes::ControlError::new(
                    404,
                    "IssuerNotFound",
                    format!("The scenario has no external issuer named '{name}'."),
                )
                .to_response(),
            };
        };
        set.rotate(signer, key, now, grace_secs);
        set.prune(now);
        let published: Vec<String> = set
            .published()
            .iter()
            .map(|k| k.kid().as_str().to_owned())
            .collect();
        *guard = Arc::new(keys);
        ControlAnswer {
            response: control::rotated(&kid, &published),
        }
    }

    /// Answers one request. See the module documentation for the promise.
    pub fn handle(&self, req: &Request, cx: Context<'_>) -> Outcome {
        let mut call = Call {
            engine: self,
            now: self.now(cx.now),
            monotonic: cx.monotonic,
            ids: cx.ids,
            effects: Vec::new(),
        };
        route::dispatch(&mut call, req)
    }

    /// The answer, in the shape of the surface `path` belongs to, to a request over one of the
    /// shell's size limits.
    pub fn over_limit(&self, path: &str, limit: Limit, cx: Context<'_>) -> Response {
        self.refuse(path, "", limit.into(), cx)
    }

    /// The answer, in the shape of the surface `path` belongs to, to `method path` refused with
    /// `error` (the shell's own routes use it for methods they do not serve).
    pub fn refuse(
        &self,
        path: &str,
        method: &str,
        error: RoutingError,
        cx: Context<'_>,
    ) -> Response {
        let call = Call {
            engine: self,
            now: self.now(cx.now),
            monotonic: cx.monotonic,
            ids: cx.ids,
            effects: Vec::new(),
        };
        shapes::routing_error(
            &call,
            surface_of(path, self.graph_prefix()),
            error,
            path,
            method,
        )
    }

    /// The control API's answer when the shell could not generate a key.
    pub fn key_generation_failed(&self, reason: &str) -> Response {
        shapes::ControlError::new(500, "KeyGenerationFailed", reason).to_response()
    }

    /// The control API's refusal of a caller from another machine.
    pub fn control_forbidden(&self) -> Response {
        control::forbidden()
    }

    /// Makes `signer`/`key` the current signing key (key generation is the caller's), keeping
    /// the previous keys published for [`KEY_GRACE_SECS`]; renders the control API's answer.
    pub fn rotate_keys(
        &self,
        signer: Arc<dyn Signer>,
        key: PublishedKey,
        now: UnixTime,
    ) -> ControlAnswer {
        let now = self.now(now);
        let kid = key.kid().as_str().to_owned();
        let published = {
            let mut guard = match self.keys.write() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            let mut keys = (**guard).clone();
            keys.prune(now);
            keys.rotate(signer, key, now, KEY_GRACE_SECS);
            let published: Vec<String> = keys
                .published()
                .iter()
                .map(|k| k.kid().as_str().to_owned())
                .collect();
            *guard = Arc::new(keys);
            published
        };
        self.clear_imds_caches();
        ControlAnswer {
            response: control::rotated(&kid, &published),
        }
    }

    /// "Now": `wall` plus the offset set by `POST /_mock/clock`.
    pub fn now(&self, wall: UnixTime) -> UnixTime {
        wall.plus(self.clock_offset.load(Ordering::SeqCst))
    }

    pub fn clock_offset(&self) -> i64 {
        self.clock_offset.load(Ordering::SeqCst)
    }

    pub(crate) fn set_clock_offset(&self, secs: i64) {
        self.clock_offset.store(secs, Ordering::SeqCst);
        self.clear_imds_caches();
    }

    /// A snapshot of the live directory.
    pub fn directory(&self) -> Arc<Directory> {
        read(&self.directory)
    }

    pub fn start_directory(&self) -> Arc<Directory> {
        self.start_directory.clone()
    }

    /// A snapshot of the key set.
    pub fn keys(&self) -> Arc<KeySet> {
        read(&self.keys)
    }

    pub fn graph_prefix(&self) -> &str {
        &self.config.graph_prefix
    }

    /// Announces the HTTPS origin (`https://localhost:8443`) issuers carry in mock mode.
    pub fn set_https_base(&self, base: String) {
        let _ = self.https_base.set(base);
    }

    /// The issuers tokens and documents carry.
    pub fn issuers(&self) -> IssuerMode {
        match self.config.issuers {
            IssuerChoice::Entra => IssuerMode::Entra,
            IssuerChoice::Mock => IssuerMode::Mock {
                base_url: self
                    .https_base
                    .get()
                    .map_or("https://localhost", String::as_str)
                    .to_owned(),
            },
        }
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    fn clear_imds_caches(&self) {
        lock(&self.imds_caches).clear();
    }

    /// Runs `f` on the IMDS token cache of the VM `vm`.
    pub(crate) fn with_imds_cache<R>(&self, vm: &str, f: impl FnOnce(&mut ImdsCache) -> R) -> R {
        let mut caches = lock(&self.imds_caches);
        f(caches.entry(vm.to_ascii_lowercase()).or_default())
    }

    /// Admits an IMDS request of `category` on VM `vm`, or answers IMDS's 429 when the throttle
    /// is on and the VM is over its rate or concurrency. `Ok(true)`: a slot was taken and must be
    /// released with [`Engine::release_imds`].
    pub(crate) fn admit_imds(
        &self,
        vm: &str,
        category: ImdsCategory,
        now: Millis,
    ) -> Result<bool, ImdsError> {
        if !self.config.imds_throttle {
            return Ok(false);
        }
        let key = (vm.to_ascii_lowercase(), category);
        lock(&self.imds_limiters)
            .entry(key)
            .or_insert_with(|| match category {
                ImdsCategory::Identity => RateLimiter::identity(now),
                ImdsCategory::Instance => RateLimiter::instance(now),
            })
            .try_begin(now)?;
        Ok(true)
    }

    pub(crate) fn release_imds(&self, vm: &str, category: ImdsCategory) {
        if let Some(l) = lock(&self.imds_limiters).get_mut(&(vm.to_ascii_lowercase(), category)) {
            l.finish();
        }
    }
}

#[cfg(test)]
mod tests;
