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
