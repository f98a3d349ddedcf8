//! Ctrl-C during a run: runs execute on the calling thread with the GIL released, and
//! while one runs on the main thread our own SIGINT handler stands in for Python's.
//!
//! Python's handler only sets a flag that the interpreter looks at between bytecodes, which
//! never happens while Rust code runs with the GIL released. The stand-in sets the engine's
//! cancellation flag (an atomic store: async-signal-safe), the algorithm stops at its next
//! check, Python's handler is put back and the interrupt is handed to it
//! (`PyErr_SetInterrupt`), so that `KeyboardInterrupt` — or whatever handler the program
//! installed — follows as if the signal had just arrived. A Python callable that is running
//! when Ctrl-C comes finishes first.
//!
//! Running on the calling thread instead of handing each run to another thread saves two
//! thread wake-ups per run (~60 µs of a trivial `engine.run` here; bench/python).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

use boundlab_engine::CancelToken;
use pyo3::prelude::*;

/// The cancellation flag of the outermost interruptible run (null when none runs).
static FLAG: AtomicPtr<AtomicBool> = AtomicPtr::new(std::ptr::null_mut());
/// Set by the stand-in handler; read when the outermost run ends.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Interruptible runs in progress on the main thread (a Python callable can start a run).
static DEPTH: AtomicUsize = AtomicUsize::new(0);

/// Runs `work` with the GIL released; on the main thread Ctrl-C cancels it through `token`
/// and the interrupt is raised once `work` has returned.
pub fn run_interruptible<T: Send>(
    py: Python<'_>,
    token: &CancelToken,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    if !is_main_thread() {
        return Ok(py.detach(work));
    }
    let scope = Scope::enter(token);
    let out = py.detach(work);
    let outermost = scope.outermost;
    drop(scope);
    if outermost && INTERRUPTED.swap(false, Ordering::SeqCst) {
        token.reset();
        // SAFETY: called with the GIL held; hands the signal to Python's own handler.
        unsafe { pyo3::ffi::PyErr_SetInterrupt() };
        py.check_signals()?;
    }
    Ok(out)
}

/// One interruptible run on the main thread; the outermost installs the stand-in handler
/// and puts Python's back when it ends (also if the run unwinds).
struct Scope {
    outermost: bool,
    previous: Option<handler::Saved>,
    _flag: Option<Arc<AtomicBool>>,
}

impl Scope {
    fn enter(token: &CancelToken) -> Self {
        if DEPTH.fetch_add(1, Ordering::SeqCst) > 0 {
            return Self {
                outermost: false,
                previous: None,
                _flag: None,
            };
        }
        let flag = token.shared_flag();
        FLAG.store(Arc::as_ptr(&flag).cast_mut(), Ordering::SeqCst);
        INTERRUPTED.store(false, Ordering::SeqCst);
        Self {
            outermost: true,
            previous: handler::install(),
            _flag: Some(flag),
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        if self.outermost {
            handler::restore(self.previous.take());
            FLAG.store(std::ptr::null_mut(), Ordering::SeqCst);
        }
        DEPTH.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The stand-in handler: cancel the run, remember the interrupt.
extern "C" fn on_sigint(_signal: libc::c_int) {
    let flag = FLAG.load(Ordering::SeqCst);
    if !flag.is_null() {
        // SAFETY: FLAG points into an `Arc` kept alive until after the handler is removed.
        unsafe { (*flag).store(true, Ordering::SeqCst) };
    }
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether this is the process's main thread, the only one Python runs signal handlers on.
fn is_main_thread() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls without arguments.
        unsafe { libc::gettid() == libc::getpid() }
    }
    #[cfg(target_os = "macos")]
    {
        // SAFETY: no arguments; reports whether the caller is the main thread.
        unsafe { libc::pthread_main_np() == 1 }
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        // No stand-in handler elsewhere: runs are not interruptible by Ctrl-C there.
        false
    }
}

#[cfg(unix)]
mod handler {
    pub type Saved = libc::sigaction;

    /// Replaces the SIGINT handler by [`super::on_sigint`] unless SIGINT is ignored or left
    /// to its default (then nothing changes); returns what to restore.
    pub fn install() -> Option<libc::sigaction> {
        // SAFETY: sigaction with valid pointers; the new handler only does atomic stores.
        unsafe {
            let mut ours: libc::sigaction = std::mem::zeroed();
            ours.sa_sigaction = super::on_sigint as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut ours.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGINT, &ours, &mut previous) != 0 {
                return None;
            }
            if previous.sa_sigaction == libc::SIG_IGN || previous.sa_sigaction == libc::SIG_DFL {
                libc::sigaction(libc::SIGINT, &previous, std::ptr::null_mut());
                return None;
            }
            Some(previous)
        }
    }

    pub fn restore(previous: Option<libc::sigaction>) {
        if let Some(previous) = previous {
            // SAFETY: puts back the handler that `install` read.
            unsafe { libc::sigaction(libc::SIGINT, &previous, std::ptr::null_mut()) };
        }
    }
}

#[cfg(not(unix))]
mod handler {
    pub type Saved = ();

    pub fn install() -> Option<()> {
        None
    }
    pub fn restore(_previous: Option<()>) {}
}
