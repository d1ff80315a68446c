//! The shell's state: the engine (which owns everything Entra would know) plus what only a
//! process has: the real clock, the id source, the monotonic origin, the state-file writer, the
//! exchange log, the data directory and the playground's files.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use entra_core::directory::Directory;
use entra_core::engine::{Context, Engine};
use entra_core::ids::Guid;
use entra_core::keys::KeySet;
use entra_core::managed_identity::imds::Millis;
use entra_core::time::UnixTime;

pub use entra_core::engine::{IdSource, Scheme, SequentialIds};

use crate::persist::StateWriter;
use crate::recorder::ExchangeLog;

/// Wall-clock time. Production reads the system clock; tests install a fixed or manual one.
pub trait Clock: Send + Sync {
    fn now(&self) -> UnixTime;
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

/// Random version-4 GUIDs from the thread's RNG.
#[derive(Debug, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn guid(&self) -> Guid {
        let mut bytes: [u8; 16] = rand::random();
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Guid::from_bytes(bytes)
    }
}

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    engine: Engine,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    origin: std::time::Instant,
    data_dir: PathBuf,
    exchanges: ExchangeLog,
    writer: Option<StateWriter>,
    rotate_lock: tokio::sync::Mutex<()>,
    playground_dir: Option<PathBuf>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    pub(crate) fn new(
        engine: Engine,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        data_dir: PathBuf,
        writer: Option<StateWriter>,
        playground_dir: Option<PathBuf>,
    ) -> Self {
        AppState(Arc::new(Inner {
            engine,
            clock,
            ids,
            origin: std::time::Instant::now(),
            data_dir,
            exchanges: ExchangeLog::new(1000),
            writer,
            rotate_lock: tokio::sync::Mutex::new(()),
            playground_dir,
        }))
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    /// What the engine needs from the world for one request: the clock, a monotonic count and
    /// the id source.
    pub fn context(&self) -> Context<'_> {
        Context {
            now: self.0.clock.now(),
            monotonic: Millis(
                u64::try_from(self.0.origin.elapsed().as_millis()).unwrap_or(u64::MAX),
            ),
            ids: &*self.0.ids,
        }
    }

    /// The wall clock (without the control API's offset).
    pub fn wall_clock(&self) -> UnixTime {
        self.0.clock.now()
    }

    /// "Now" as the engine sees it (the clock plus the control API's offset).
    pub fn now(&self) -> UnixTime {
        self.0.engine.now(self.0.clock.now())
    }

    /// A snapshot of the live directory.
    pub fn directory(&self) -> Arc<Directory> {
        self.0.engine.directory()
    }

    pub fn keys(&self) -> Arc<KeySet> {
        self.0.engine.keys()
    }

    pub fn graph_prefix(&self) -> &str {
        self.0.engine.graph_prefix()
    }

    pub fn playground_dir(&self) -> Option<&std::path::Path> {
        self.0.playground_dir.as_deref()
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.0.data_dir
    }

    pub(crate) fn exchanges(&self) -> &ExchangeLog {
        &self.0.exchanges
    }

    pub(crate) fn writer(&self) -> Option<&StateWriter> {
        self.0.writer.as_ref()
    }

    pub(crate) fn rotate_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.0.rotate_lock
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
