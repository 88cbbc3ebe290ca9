//! Which of the daemon's long-running parts are alive and working, for
//! `/healthz`: the inbox watcher and the mail worker each hold a [`Beat`]
//! while they run, and each says when it cannot do its work although it
//! runs (the watcher: the inbox folder is gone or cannot be read; the mail
//! worker: it cannot read or record the outbox in the ledger). The page
//! reports unhealthy, with the reason, as soon as either has stopped or
//! says so; the systemd watchdog looks only at whether they run (a restart
//! brings back neither a folder nor the ledger).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The parts `/healthz` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Watcher,
    MailWorker,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Watcher => "inbox watcher",
            Part::MailWorker => "mail worker",
        }
    }

    fn index(self) -> usize {
        match self {
            Part::Watcher => 0,
            Part::MailWorker => 1,
        }
    }
}

const PARTS: [Part; 2] = [Part::Watcher, Part::MailWorker];

/// A part that is not doing its work: ended, or stuck with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Down {
    pub part: Part,
    /// Why, when it runs but cannot work; `None` when it has ended.
    pub why: Option<String>,
}

impl std::fmt::Display for Down {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.why {
            None => write!(f, "{} stopped", self.part.name()),
            Some(why) => write!(f, "{} stopped: {why}", self.part.name()),
        }
    }
}

/// Whether each part is running, and what keeps a running one from working.
#[derive(Debug, Default)]
pub struct Health {
    running: [AtomicBool; 2],
    trouble: Mutex<[Option<String>; 2]>,
}

impl Health {
    /// Marks `part` running until the returned beat is dropped (however
    /// its task ends: returned, failed or panicked).
    pub fn beat(self: &Arc<Self>, part: Part) -> Beat {
        self.running[part.index()].store(true, Ordering::SeqCst);
        Beat(self.clone(), part)
    }

    /// `part` runs but cannot do its work, for `why` (until [`Health::fine`]).
    pub fn trouble(&self, part: Part, why: String) {
        self.troubles()[part.index()] = Some(why);
    }

    /// `part` works again.
    pub fn fine(&self, part: Part) {
        self.troubles()[part.index()] = None;
    }

    fn troubles(&self) -> std::sync::MutexGuard<'_, [Option<String>; 2]> {
        self.trouble
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The parts whose task has ended (for the watchdog).
    pub fn stopped(&self) -> Vec<Part> {
        PARTS
            .into_iter()
            .filter(|p| !self.running[p.index()].load(Ordering::SeqCst))
            .collect()
    }

    /// The parts not doing their work, ended or in trouble (for `/healthz`).
    pub fn down(&self) -> Vec<Down> {
        let trouble = self.troubles().clone();
        PARTS
            .into_iter()
            .filter_map(|part| {
                if self.running[part.index()].load(Ordering::SeqCst) {
                    trouble[part.index()].clone().map(|why| Down {
                        part,
                        why: Some(why),
                    })
                } else {
                    Some(Down { part, why: None })
                }
            })
            .collect()
    }
}

/// A part's mark of being alive; dropping it marks the part stopped.
#[derive(Debug)]
pub struct Beat(Arc<Health>, Part);

impl Drop for Beat {
    fn drop(&mut self) {
        self.0.running[self.1.index()].store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_stopped_once_its_beat_is_dropped() {
        let h = Arc::new(Health::default());
        assert_eq!(h.stopped(), vec![Part::Watcher, Part::MailWorker]);
        let w = h.beat(Part::Watcher);
        let m = h.beat(Part::MailWorker);
        assert!(h.stopped().is_empty());
        assert!(h.down().is_empty());
        drop(m);
        assert_eq!(h.stopped(), vec![Part::MailWorker]);
        assert_eq!(h.down()[0].to_string(), "mail worker stopped");
        drop(w);
        assert_eq!(h.stopped().len(), 2);
    }

    #[test]
    fn a_running_part_in_trouble_is_down_with_its_reason_until_fine() {
        let h = Arc::new(Health::default());
        let _w = h.beat(Part::Watcher);
        let _m = h.beat(Part::MailWorker);
        h.trouble(Part::Watcher, "the inbox folder /x is gone".into());
        assert!(h.stopped().is_empty(), "the watchdog still sees it run");
        let down = h.down();
        assert_eq!(down.len(), 1);
        assert_eq!(
            down[0].to_string(),
            "inbox watcher stopped: the inbox folder /x is gone"
        );
        h.fine(Part::Watcher);
        assert!(h.down().is_empty());
    }
}
