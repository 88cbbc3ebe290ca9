//! What every command does with its output: standard output that a reader
//! gone away (`thidua … | head -1`) does not turn into a panic, and a
//! progress bar that only a terminal sees.

use std::io::Write;

/// `println!` for command output that goes quietly when the reader of a
/// pipe has gone (`thidua form --all -o x | head -1`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::emit(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Writes `text` to standard output. A reader that went away (`thidua …
/// | head`) is not an error worth a panic: the rest is dropped quietly.
pub(super) fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// A progress bar on standard error for `len` steps. indicatif draws it
/// only on a terminal, so pipes and logs stay clean; a single step gets none.
pub(super) fn progress(len: usize, message: &str) -> indicatif::ProgressBar {
    if len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(len as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(message.to_string());
    pb
}
