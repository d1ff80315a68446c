//! `--state-file`: the live directory written with atomic writes (temp file, fsync, rename) by a
//! background task, so request handlers never wait on the disk.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use entra_core::directory::Directory;
use tokio::sync::watch;

use crate::config::render_scenario;
use crate::pki::write_atomic;

/// Schedules writes of directory snapshots; only the latest snapshot is written.
#[derive(Debug)]
pub struct StateWriter {
    scheduled: AtomicU64,
    latest: watch::Sender<(u64, Option<Arc<Directory>>)>,
    written: watch::Receiver<u64>,
}

impl StateWriter {
    /// Starts the writer task (needs a Tokio runtime).
    pub fn spawn(path: PathBuf) -> Self {
        let (latest, mut rx) = watch::channel::<(u64, Option<Arc<Directory>>)>((0, None));
        let (written_tx, written) = watch::channel(0u64);
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let (version, snapshot) = rx.borrow_and_update().clone();
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
                let _ = written_tx.send(version);
            }
        });
        StateWriter {
            scheduled: AtomicU64::new(0),
            latest,
            written,
        }
    }

    pub fn schedule(&self, dir: Arc<Directory>) {
        let version = self.scheduled.fetch_add(1, Ordering::SeqCst) + 1;
        self.latest.send_replace((version, Some(dir)));
    }

    /// Waits until the latest scheduled snapshot is on disk.
    pub async fn flush(&self) {
        let target = self.scheduled.load(Ordering::SeqCst);
        let mut rx = self.written.clone();
        let _ = rx.wait_for(|v| *v >= target).await;
    }
}

/// Reads a state file written earlier, if there is one.
pub fn load(path: &std::path::Path) -> Result<Option<Directory>, String> {
    match std::fs::read(path) {
        Ok(bytes) => crate::config::parse_scenario(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
