//! The allocator of the `warraq` binary and of the benchmark
//! (`benches/large_book.rs` includes this file), so that the benchmark
//! measures what the binary does: jemalloc with the settings below. A
//! library leaves the choice to the program that links it.

/// The allocator: jemalloc, which keeps fewer holes than glibc's malloc
/// among the blocks a long build holds to the end (the PDF's streams, its
/// tags) while each page's own come and go, and hands freed pages back on
/// its own ([`MALLOC_CONF`]). README, "Dependencies".
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings ([`SETTINGS`]), read when it starts
/// (`_RJEM_MALLOC_CONF` in the environment is read after them, and wins).
#[cfg(not(target_env = "msvc"))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: Conf = Conf(SETTINGS.as_ptr());

/// Pages freed and not taken again within 300 ms are given back to the
/// system at once, rather than after ten seconds and then only marked as
/// reclaimable: a build is over in seconds, so the defaults would hand
/// back nothing before its peak. Within 100 ms, a long build gave back
/// pages it soon took again, each cleared by the kernel anew: 300 ms took
/// 4–5% less CPU for 10–13 MiB more at 4,000 pages (README, "Speed").
/// And memory is asked for in huge pages where the system allows them
/// (`madvise`): a build touches each page it holds once, and the kernel's
/// work on 4 KiB pages, faulted in and cleared one by one, was a tenth of
/// a 100-chapter build's CPU time (`bench/HISTORY.md`). A huge page is taken whole by the first byte
/// touched in it, and each arena starts its own, so there is one arena a
/// core, each thread taking the one of the core it runs on, rather than
/// one a thread (up to four a core): 10–20 MiB less. Only on Linux: where
/// jemalloc cannot ask for huge pages, or which core a thread is on, it
/// would print an error at every start.
#[cfg(target_os = "linux")]
const SETTINGS: &std::ffi::CStr =
    c"dirty_decay_ms:300,muzzy_decay_ms:0,thp:always,percpu_arena:percpu";
#[cfg(all(not(target_env = "msvc"), not(target_os = "linux")))]
const SETTINGS: &std::ffi::CStr = c"dirty_decay_ms:300,muzzy_decay_ms:0";

/// A C string pointer that may be a static (jemalloc reads it as `const
/// char *`).
#[cfg(not(target_env = "msvc"))]
#[repr(transparent)]
struct Conf(*const std::ffi::c_char);

// SAFETY: the pointer is to a string literal, never written.
#[cfg(not(target_env = "msvc"))]
unsafe impl Sync for Conf {}
