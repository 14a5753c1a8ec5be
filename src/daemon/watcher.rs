//! Finds complete files in the drop folders: filesystem events (notify) trigger a
//! scan, a periodic rescan catches what events miss (network filesystems drop them),
//! and a file is handed out only once its size and modification time have held still
//! for the settle time.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use notify::{RecursiveMode, Watcher as _};
use tokio::sync::{mpsc, watch};

use super::folders::list_candidates;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Observation {
    len: u64,
    modified: Option<SystemTime>,
    unchanged_since: Instant,
}

/// Watches a set of folders and yields batches of files ready to process.
pub struct FolderWatcher {
    dirs: Vec<PathBuf>,
    settle: Duration,
    rescan: Duration,
    seen: HashMap<PathBuf, Observation>,
    events: mpsc::Receiver<()>,
    // Kept alive for as long as we watch; events arrive through `events`.
    _notify: Option<notify::RecommendedWatcher>,
}

impl FolderWatcher {
    /// Creates the folders if needed and starts watching them. If the platform's
    /// watcher cannot start, the periodic rescan alone keeps things moving.
    pub fn new(
        dirs: Vec<PathBuf>,
        settle: Duration,
        rescan: Duration,
    ) -> anyhow::Result<FolderWatcher> {
        for dir in &dirs {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
        }
        let (sender, events) = mpsc::channel(1);
        let notify = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if event.is_ok() {
                // A full channel already holds a wake-up: nothing is lost.
                let _ = sender.try_send(());
            }
        })
        .and_then(|mut watcher| {
            for dir in &dirs {
                watcher.watch(dir, RecursiveMode::NonRecursive)?;
            }
            Ok(watcher)
        });
        let notify = match notify {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                tracing::warn!(message = "File events unavailable; relying on periodic rescans.", %error);
                None
            }
        };
        Ok(FolderWatcher {
            dirs,
            settle,
            rescan,
            seen: HashMap::new(),
            events,
            _notify: notify,
        })
    }

    /// Waits until at least one file is ready, or until shutdown is signalled (`None`).
    pub async fn next_batch(
        &mut self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Option<Vec<PathBuf>> {
        loop {
            if *shutdown.borrow() {
                return None;
            }
            let ready = self.scan();
            if !ready.is_empty() {
                return Some(ready);
            }
            let wait = if self.seen.is_empty() {
                self.rescan
            } else {
                self.settle.min(self.rescan)
            };
            tokio::select! {
                _ = self.events.recv() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Observes every candidate; returns those unchanged for the settle time. A
    /// returned file is forgotten: if it is still there later, it is observed anew.
    fn scan(&mut self) -> Vec<PathBuf> {
        let now = Instant::now();
        let mut present = HashSet::new();
        let mut ready = Vec::new();
        for dir in &self.dirs {
            for path in list_candidates(dir) {
                let Ok(metadata) = std::fs::metadata(&path) else {
                    continue;
                };
                let observed = Observation {
                    len: metadata.len(),
                    modified: metadata.modified().ok(),
                    unchanged_since: now,
                };
                match self.seen.get(&path) {
                    Some(previous)
                        if previous.len == observed.len
                            && previous.modified == observed.modified =>
                    {
                        if now.duration_since(previous.unchanged_since) >= self.settle {
                            ready.push(path.clone());
                        }
                    }
                    _ => {
                        self.seen.insert(path.clone(), observed);
                    }
                }
                present.insert(path);
            }
        }
        self.seen.retain(|path, _| present.contains(path));
        for path in &ready {
            self.seen.remove(path);
        }
        ready
    }
}
