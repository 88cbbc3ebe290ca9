//! Which of the daemon's long-running parts are alive, for `/healthz`: the
//! inbox watcher and the mail worker each hold a [`Beat`] while they run,
//! and the page reports unhealthy as soon as either has stopped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
}

/// Whether each part is running.
#[derive(Debug, Default)]
pub struct Health {
    watcher: AtomicBool,
    mailer: AtomicBool,
}

impl Health {
    fn flag(&self, part: Part) -> &AtomicBool {
        match part {
            Part::Watcher => &self.watcher,
            Part::MailWorker => &self.mailer,
        }
    }

    /// Marks `part` running until the returned beat is dropped (however
    /// its task ends: returned, failed or panicked).
    pub fn beat(self: &Arc<Self>, part: Part) -> Beat {
        self.flag(part).store(true, Ordering::SeqCst);
        Beat(self.clone(), part)
    }

    /// The parts that are not running.
    pub fn stopped(&self) -> Vec<Part> {
        [Part::Watcher, Part::MailWorker]
            .into_iter()
            .filter(|p| !self.flag(*p).load(Ordering::SeqCst))
            .collect()
    }
}

/// A part's mark of being alive; dropping it marks the part stopped.
#[derive(Debug)]
pub struct Beat(Arc<Health>, Part);

impl Drop for Beat {
    fn drop(&mut self) {
        self.0.flag(self.1).store(false, Ordering::SeqCst);
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
        drop(m);
        assert_eq!(h.stopped(), vec![Part::MailWorker]);
        drop(w);
        assert_eq!(h.stopped().len(), 2);
    }
}
