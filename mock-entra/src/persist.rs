//! `--state-file`: the live directory written with atomic writes (temp file, fsync, rename,
//! fsync of the directory) by one background task. A write the engine accepted is acknowledged
//! only once its snapshot (or a newer one) is on disk, so an acknowledged write survives a
//! crash.

use std::path::PathBuf;
use std::sync::Arc;

use entra_core::directory::Directory;
use entra_core::engine::render_scenario;
use tokio::sync::watch;

use crate::pki::write_atomic;

/// The newest snapshot to write, by the engine's write generation.
type Latest = (u64, Option<Arc<Directory>>);

/// Writes directory snapshots; only the newest pending snapshot is written.
#[derive(Debug)]
pub struct StateWriter {
    latest: watch::Sender<Latest>,
    written: watch::Receiver<u64>,
}

impl StateWriter {
    /// Starts the writer task (needs a Tokio runtime).
    pub fn spawn(path: PathBuf) -> Self {
        let (latest, mut rx) = watch::channel::<Latest>((0, None));
        let (written_tx, written) = watch::channel(0u64);
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let (generation, snapshot) = rx.borrow_and_update().clone();
                let Some(dir) = snapshot else { continue };
                let path = path.clone();
                let result = tokio::task::spawn_blocking(move || {
                    write_atomic(&path, &render_scenario(&dir))
                })
                .await;
                match result {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "writing the state file failed"),
                    Err(e) => tracing::error!(error = %e, "state writer task failed"),
                }
                let _ = written_tx.send(generation);
            }
        });
        StateWriter { latest, written }
    }

    /// Queues `dir`, the directory after write number `generation`, unless a newer one is
    /// already queued.
    pub fn schedule(&self, generation: u64, dir: Arc<Directory>) {
        self.latest.send_if_modified(|(g, d)| {
            if generation > *g {
                *g = generation;
                *d = Some(dir);
                true
            } else {
                false
            }
        });
    }

    /// Waits until write number `generation` (or a newer one) is on disk.
    pub async fn written(&self, generation: u64) {
        let mut rx = self.written.clone();
        let _ = rx.wait_for(|v| *v >= generation).await;
    }

    /// Waits until the newest queued snapshot is on disk.
    pub async fn flush(&self) {
        let target = self.latest.borrow().0;
        self.written(target).await;
    }
}

/// Reads a state file written earlier, if there is one.
pub fn load(path: &std::path::Path) -> Result<Option<Directory>, String> {
    match std::fs::read(path) {
        Ok(bytes) => entra_core::engine::parse_scenario(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
