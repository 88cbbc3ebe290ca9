//! The log on standard error, for the commands that log (`run`, `demo`):
//! human lines or one JSON object per line (`--log-format`), the level from
//! `THIDUA_LOG`. When standard error is systemd's journal (`JOURNAL_STREAM`
//! names it), each line starts with its syslog priority (`<3>` an error,
//! `<4>` a warning, `<6>` information, `<7>` debugging), which journald
//! reads as the entry's priority, and the journal's own timestamps stand in
//! for thidua's.

use std::io::Write;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// Log format on standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Logs at `level` unless `THIDUA_LOG` says otherwise; the scheduler
/// library's own bookkeeping only from warnings up.
pub(super) fn init(format: LogFormat, level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("THIDUA_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("{level},tokio_cron_scheduler=warn"))
    });
    let journal = stderr_is_journal();
    // Colours only on a terminal: a log file or the journal gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(!journal && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(Journal { prefix: journal });
    let _ = match (format, journal) {
        (LogFormat::Human, true) => builder.with_target(false).without_time().try_init(),
        (LogFormat::Human, false) => builder.with_target(false).try_init(),
        (LogFormat::Json, _) => builder.json().flatten_event(true).try_init(),
    };
    // A panic (most often a reading library choking on a hostile file,
    // caught and answered as an unreadable file) is one structured event
    // in the log, not raw text on standard error.
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current().name().unwrap_or("?").to_string();
        tracing::error!(target: "thidua::panic", message, location, thread, "panic");
    }));
}

/// Whether standard error is the journal stream systemd gave this process
/// (`JOURNAL_STREAM` is `device:inode` of it; a child with stderr redirected
/// elsewhere inherits the variable, hence the comparison).
fn stderr_is_journal() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        use std::os::unix::fs::MetadataExt as _;
        let Ok(value) = std::env::var("JOURNAL_STREAM") else {
            return false;
        };
        let Some((dev, ino)) = value.split_once(':') else {
            return false;
        };
        let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() else {
            return false;
        };
        let Ok(meta) = std::fs::File::from(fd).metadata() else {
            return false;
        };
        dev.parse() == Ok(meta.dev()) && ino.parse() == Ok(meta.ino())
    }
    #[cfg(not(unix))]
    false
}

/// The syslog priority of a level.
fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        Level::DEBUG | Level::TRACE => 7,
    }
}

/// Standard error, with each event's lines prefixed by its priority when
/// it is the journal.
struct Journal {
    prefix: bool,
}

impl<'a> MakeWriter<'a> for Journal {
    type Writer = Event;

    fn make_writer(&'a self) -> Event {
        Event::new(self.prefix.then_some(6))
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Event {
        Event::new(self.prefix.then(|| priority(*meta.level())))
    }
}

/// One event's text, written to standard error in one piece when dropped.
struct Event {
    priority: Option<u8>,
    text: Vec<u8>,
}

impl Event {
    fn new(priority: Option<u8>) -> Event {
        Event {
            priority,
            text: Vec::new(),
        }
    }
}

impl Write for Event {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let out = match self.priority {
            Some(p) => prefixed(&self.text, p),
            None => std::mem::take(&mut self.text),
        };
        let _ = std::io::stderr().lock().write_all(&out);
    }
}

/// Every line of `text` started with `<p>`.
fn prefixed(text: &[u8], p: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for line in text.split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(format!("<{p}>").as_bytes());
        out.extend_from_slice(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_carries_the_priority() {
        assert_eq!(prefixed(b"a\nb\n", 3), b"<3>a\n<3>b\n");
        assert_eq!(priority(Level::WARN), 4);
        assert_eq!(priority(Level::INFO), 6);
    }
}
