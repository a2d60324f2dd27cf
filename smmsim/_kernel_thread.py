"""Long numba calls that Ctrl-C can interrupt: :func:`call_interruptibly`.

Python delivers Ctrl-C (SIGINT) to the main thread between bytecodes, so a numba
kernel that runs for minutes in the main thread keeps Ctrl-C waiting until it
returns. The kernels release the GIL (``nogil=True``), so the main thread can hand
them to one worker thread and wait in short slices: Ctrl-C then lands in the waiting
main thread within a fraction of a second, and the caller keeps what finished before.

The worker is one long-lived daemon thread, so per-thread state kept by the models
(the eWOM kernel's workspace) survives between calls, and an abandoned kernel never
delays the end of the process. A call made after an interrupted one waits for the
abandoned kernel to finish first: kernels never run two at a time.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["call_interruptibly", "check_interrupt", "deferred_interrupt"]

T = TypeVar("T")

#: How often the waiting main thread wakes up (Ctrl-C is handled at the latest then).
POLL_SECONDS = 0.1


class _Job:
    __slots__ = ("args", "done", "error", "func", "kwargs", "threads", "value")

    def __init__(self, func: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        self.func, self.args, self.kwargs = func, args, kwargs
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        # numba's thread count is per thread: the worker uses the caller's
        numba = sys.modules.get("numba")
        self.threads = None if numba is None else numba.get_num_threads()

    def run(self) -> None:
        try:
            if self.threads is not None:
                sys.modules["numba"].set_num_threads(self.threads)
            self.value = self.func(*self.args, **self.kwargs)
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            self.error = exc
        finally:
            self.done.set()


class _Worker:
    """One daemon thread that runs the jobs it is given, in order."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: _Job) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._serve, name="smmsim-kernels", daemon=True
                )
                self._thread.start()
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            self._jobs.get().run()


_WORKER = _Worker()
#: Set by a Ctrl-C that :func:`deferred_interrupt` held back until a safe point.
_PENDING = threading.Event()


def check_interrupt() -> None:
    """Raise the ``KeyboardInterrupt`` a held-back Ctrl-C asked for, if any (a safe
    point: nothing half-done in this thread)."""
    if _PENDING.is_set():
        _PENDING.clear()  # delivered: later Ctrl-Cs are ignored, not held
        raise KeyboardInterrupt


@contextlib.contextmanager
def deferred_interrupt():
    """Inside the block the first Ctrl-C is held back until a safe point (the next
    :func:`call_interruptibly` wait, or :func:`check_interrupt`) and later ones are
    ignored.

    Raising from the signal handler lands wherever the main thread happens to be, which
    may be inside numba compiling a kernel on first use (writing a batch's table, say),
    and leaves the compiler broken; held back, the interrupt is raised where the caller
    can keep what finished. Ignoring the later ones keeps a second Ctrl-C (a user
    pressing twice, or ``timeout``, which signals the process and then its group) from
    losing the finished runs being summarised. A Ctrl-C still held when the block ends
    is raised there. Only in the main thread, where Python delivers signals; elsewhere a
    plain block.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def hold(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _PENDING.set()

    _PENDING.clear()
    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    except BaseException:
        signal.signal(signal.SIGINT, previous)
        _PENDING.clear()
        raise
    signal.signal(signal.SIGINT, previous)
    if _PENDING.is_set():  # held back, and the block ended before a safe point raised it
        _PENDING.clear()
        raise KeyboardInterrupt


def call_interruptibly(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)``, run so that Ctrl-C interrupts the wait for it.

    From the main thread the call runs in the kernel worker thread while the main
    thread waits in slices of :data:`POLL_SECONDS`; a ``KeyboardInterrupt`` then
    propagates at once and the abandoned call finishes in the background (its result is
    dropped). From any other thread (which never receives Ctrl-C) it is a plain call.

    Parameters
    ----------
    func : callable
        Typically a model's ``run``: numba kernels that release the GIL.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    Whatever ``func`` returns; whatever it raises is raised here.
    """
    if threading.current_thread() is not threading.main_thread():
        return func(*args, **kwargs)
    check_interrupt()
    job = _Job(func, args, kwargs)
    _WORKER.submit(job)
    while not job.done.wait(POLL_SECONDS):
        check_interrupt()
    if job.error is not None:
        raise job.error
    return job.value
