//! `circuitscope`: the reproducible, scriptable face of everything the page does.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    keep_large_allocations();
    quiet_on_closed_pipe();
    let cli = circuitscope::cli::Cli::parse();
    match circuitscope::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Patched passes allocate and free the same large activation buffers thousands of times; glibc
/// returns them to the kernel each time (mmap/munmap), and the page faults cost more than the
/// arithmetic on small models. Keep them in the heap instead.
fn keep_large_allocations() {
    // SAFETY: mallopt only sets allocator tunables; called once before any threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

/// `circuitscope … | head` closes stdout early. Rust ignores SIGPIPE, so the next `println!` would
/// panic ("failed printing to stdout"); like other Unix tools, end quietly instead.
fn quiet_on_closed_pipe() {
    // SAFETY: restores the default disposition of one signal, once, before any threads start.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
