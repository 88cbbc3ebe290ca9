//! Giving freed memory back to the system after a burst of work. glibc
//! keeps what a thread freed in that thread's arena, so after a burst of
//! score sheets rendered on several threads the idle daemon would go on
//! holding memory it no longer uses.

/// Returns the heap's free pages to the system (glibc's `malloc_trim`);
/// does nothing with other C libraries.
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim takes no pointers; it only walks the allocator's
    // own free lists, under the allocator's locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Caps glibc's heap arenas at two, one per core here. By default glibc
/// gives each thread that allocates at once its own arena, up to eight per
/// core; the daemon's preparing threads and mail senders made five or six,
/// each keeping scattered live blocks (and so whole pages) after a burst:
/// the idle daemon held 31,8 MiB instead of 27. Does nothing with other C
/// libraries.
pub fn fewer_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt takes no pointers and only sets an allocator limit;
    // it is called before the daemon starts its threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
