//! Progress of long work: bars on a terminal, rate-limited log lines otherwise, and an
//! embedder's own callback.
//!
//! A plugin reports with `host.report_progress(done, total, message)`; each top-level run and
//! each batch is one task. An application that embeds the engine sees the reports in one of
//! three ways: [`ProgressMode::Bars`] or [`ProgressMode::Lines`] (on stderr, or as `tracing`
//! events with target `boundlab::progress`), or every report through
//! [`EngineBuilder::on_progress`](crate::EngineBuilder::on_progress) to draw its own.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How the engine itself shows progress. Independent of an
/// [`on_progress`](crate::EngineBuilder::on_progress) callback, which receives every report
/// whatever the mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// indicatif bars on stderr, one per running task (for a terminal).
    Bars,
    /// An `info` event (target `boundlab::progress`) at most every 5 s per task and at the end,
    /// through whatever `tracing` subscriber the application installed (for logs, CI).
    Lines,
    /// Nothing shown (the default for library use and tests).
    Silent,
}

impl ProgressMode {
    /// Bars when stderr is a terminal, lines otherwise.
    pub fn detect() -> Self {
        if std::io::stderr().is_terminal() {
            ProgressMode::Bars
        } else {
            ProgressMode::Lines
        }
    }
}

/// One progress report as an [`on_progress`](crate::EngineBuilder::on_progress) callback
/// receives it.
#[derive(Debug, Clone, Copy)]
pub struct ProgressUpdate<'a> {
    /// The algorithm id, or `ID batch` for a batch.
    pub task: &'a str,
    pub done: u64,
    /// 0 when the total is not known.
    pub total: u64,
    /// What is being counted or the current state (`iterations`, `gap 1.2e-7`).
    pub message: &'a str,
}

/// A callback for every progress report; called on the thread that reports, so it should be
/// quick (update a widget, send on a channel).
pub type ProgressCallback = Arc<dyn Fn(&ProgressUpdate<'_>) + Send + Sync>;

/// Shared by all runs of an engine.
pub struct ProgressSink {
    mode: ProgressMode,
    bars: MultiProgress,
    callback: Option<ProgressCallback>,
}

const LINE_INTERVAL: Duration = Duration::from_secs(5);

impl ProgressSink {
    pub fn new(mode: ProgressMode, callback: Option<ProgressCallback>) -> Self {
        let bars = MultiProgress::with_draw_target(match mode {
            ProgressMode::Bars => ProgressDrawTarget::stderr(),
            _ => ProgressDrawTarget::hidden(),
        });
        Self {
            mode,
            bars,
            callback,
        }
    }

    /// A progress reporter for one task (an algorithm run, a batch). A task that is not
    /// `visible` (a job inside a batch, a nested run: the enclosing task reports) shows nothing.
    pub fn task(&self, label: &str, visible: bool) -> TaskProgress {
        TaskProgress {
            label: label.to_string(),
            mode: if visible {
                self.mode
            } else {
                ProgressMode::Silent
            },
            callback: self.callback.clone().filter(|_| visible),
            bars: self.bars.clone(),
            state: Mutex::new(TaskState {
                bar: None,
                last_line: None,
            }),
        }
    }
}

struct TaskState {
    bar: Option<ProgressBar>,
    last_line: Option<Instant>,
}

/// Progress of one task; the bar appears on the first report and is cleared when dropped.
pub struct TaskProgress {
    label: String,
    mode: ProgressMode,
    callback: Option<ProgressCallback>,
    bars: MultiProgress,
    state: Mutex<TaskState>,
}

impl TaskProgress {
    pub fn update(&self, done: u64, total: u64, message: &str) {
        if let Some(callback) = &self.callback {
            callback(&ProgressUpdate {
                task: &self.label,
                done,
                total,
                message,
            });
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match self.mode {
            ProgressMode::Silent => {}
            ProgressMode::Bars => {
                let bar = state.bar.get_or_insert_with(|| {
                    let bar = self.bars.add(ProgressBar::new(total));
                    let style = ProgressStyle::with_template(
                        "{prefix:.bold} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                    bar.set_style(style);
                    bar.set_prefix(self.label.clone());
                    bar
                });
                if total > 0 {
                    bar.set_length(total);
                }
                bar.set_position(done);
                bar.set_message(message.to_string());
            }
            ProgressMode::Lines => {
                let now = Instant::now();
                let due = state.last_line.is_none_or(|t| now - t >= LINE_INTERVAL)
                    || (total > 0 && done >= total);
                if due {
                    state.last_line = Some(now);
                    if total > 0 {
                        tracing::info!(target: "boundlab::progress", "{}: {done}/{total} {message}", self.label);
                    } else {
                        tracing::info!(target: "boundlab::progress", "{}: {done} {message}", self.label);
                    }
                }
            }
        }
    }
}

impl Drop for TaskProgress {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(bar) = state.bar.take() {
            bar.finish_and_clear();
            self.bars.remove(&bar);
        }
    }
}
