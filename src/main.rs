//! The `thidua` binary: parses the command line and maps the outcome to an
//! exit code; everything else is in the library.

fn main() -> std::process::ExitCode {
    thidua::cli::main()
}
