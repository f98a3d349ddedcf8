"""Progress reports reach Python: a callback, or logging lines when tqdm is absent."""

import logging

import boundlab
from boundlab._progress import LogProgress, TqdmProgress


def test_a_progress_callback_sees_every_iteration(tmp_path):
    seen = []
    engine = boundlab.Engine(out_dir=tmp_path, progress=lambda *report: seen.append(report))
    r = engine.run("sdp.cohn_elkies", dim=8, degree=15, precision="dd")
    task, done, total, message = seen[-1]
    assert task == "sdp.cohn_elkies" and total > 0 and "gap" in message
    # A report per iteration, counting up.
    assert len(seen) >= r["iterations"] and done >= r["iterations"] - 1
    assert [d for _, d, _, _ in seen] == sorted(d for _, d, _, _ in seen)


def test_batches_report_jobs_done(tmp_path):
    seen = []
    engine = boundlab.Engine(out_dir=tmp_path, progress=lambda *report: seen.append(report))
    engine.run_batch("sdp.delsarte", [dict(dim=8, degree=6)] * 3)
    assert seen[-1] == ("sdp.delsarte batch", 3, 3, "jobs")


def test_logging_lines_are_rate_limited_and_the_end_is_logged(caplog):
    progress = LogProgress(interval=3600.0)
    with caplog.at_level(logging.INFO, logger="boundlab"):
        for k in range(10):
            progress("task", k, 9, "working")
    # The first report, then nothing within the interval, then the final one.
    assert [r.getMessage() for r in caplog.records] == ["task: 0/9 working", "task: 9/9 working"]


def test_tqdm_bars_are_closed_when_the_run_ends():
    closed = []

    class FakeBar:
        def __init__(self, total, desc, leave):
            self.total, self.n = total, 0

        def set_postfix_str(self, s, refresh):
            pass

        def refresh(self):
            pass

        def close(self):
            closed.append(self)

    progress = TqdmProgress(FakeBar)
    progress("solve", 3, 200, "gap 1e-9")  # converged long before its iteration limit
    progress.finish()
    assert len(closed) == 1
