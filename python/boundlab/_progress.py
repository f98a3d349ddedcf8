"""Progress of long runs: tqdm bars when tqdm is installed, else ``logging`` lines."""

import logging
import threading
import time

_log = logging.getLogger("boundlab")


class LogProgress:
    """An ``info`` line per task at most every ``interval`` seconds, and one at the end."""

    def __init__(self, interval=5.0):
        self.interval = interval
        self._last = {}
        self._lock = threading.Lock()

    def __call__(self, task, done, total, message):
        now = time.monotonic()
        finished = total > 0 and done >= total
        with self._lock:
            if not finished and now - self._last.get(task, -1e9) < self.interval:
                return
            self._last[task] = now
        of = f"/{total}" if total else ""
        _log.info("%s: %d%s %s", task, done, of, message)


class TqdmProgress:
    """One tqdm bar per running task, closed when it completes."""

    def __init__(self, tqdm):
        self._tqdm = tqdm
        self._bars = {}
        self._lock = threading.Lock()

    def __call__(self, task, done, total, message):
        with self._lock:
            bar = self._bars.get(task)
            if bar is None:
                bar = self._tqdm(total=total or None, desc=task, leave=False)
                self._bars[task] = bar
            if total and bar.total != total:
                bar.total = total
            bar.n = done
            bar.set_postfix_str(message, refresh=False)
            bar.refresh()
            if total and done >= total:
                bar.close()
                del self._bars[task]

    def finish(self):
        """Closes the bars of tasks that ended before their total (a solve that converged
        before its iteration limit)."""
        with self._lock:
            for bar in self._bars.values():
                bar.close()
            self._bars.clear()


def make_progress(progress):
    """The callback for ``Engine(progress=...)``: "auto", "tqdm", "log", None/False, or a
    callable ``(task, done, total, message)``."""
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    if progress in ("auto", True, "tqdm"):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if progress == "tqdm":
                raise
        else:
            return TqdmProgress(tqdm)
        return LogProgress()
    if progress == "log":
        return LogProgress()
    raise ValueError(
        f"progress={progress!r}: expected 'auto', 'tqdm', 'log', None or a callable"
    )
