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

/// Caps glibc's heap arenas at eight. By default glibc gives each thread
/// that allocates at once its own arena, up to eight per core; after the
/// daemon bench's bursts the preparing threads and the mail senders had
/// left more than eight, each holding about 1,5 MiB of pages with
/// scattered live blocks that `malloc_trim` cannot return: the idle daemon
/// held 31,5 MiB. Eight: 28,0–28,7 MiB. Fewer made the preparing threads
/// wait on the allocator's locks (median drop-to-receipt 2,40 s with eight,
/// 2,50 with four, 2,60 with two). Does nothing with other C libraries.
pub fn fewer_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt takes no pointers and only sets an allocator limit;
    // it is called before the daemon starts its threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 8);
    }
}
