//! Progress of long work: bars on a terminal, rate-limited log lines otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// indicatif bars on stderr.
    Bars,
    /// A log line at most every few seconds.
    Lines,
    /// Nothing (library use, tests).
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

/// Shared by all runs of an engine.
pub struct ProgressSink {
    mode: ProgressMode,
    bars: MultiProgress,
}

const LINE_INTERVAL: Duration = Duration::from_secs(5);

impl ProgressSink {
    pub fn new(mode: ProgressMode) -> Self {
        let bars = MultiProgress::with_draw_target(match mode {
            ProgressMode::Bars => ProgressDrawTarget::stderr(),
            _ => ProgressDrawTarget::hidden(),
        });
        Self { mode, bars }
    }

    pub fn mode(&self) -> ProgressMode {
        self.mode
    }

    /// A progress reporter for one task (an algorithm run, a batch).
    pub fn task(&self, label: &str, mode: ProgressMode) -> TaskProgress {
        TaskProgress {
            label: label.to_string(),
            mode: if self.mode == ProgressMode::Silent {
                ProgressMode::Silent
            } else {
                mode
            },
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
    bars: MultiProgress,
    state: Mutex<TaskState>,
}

impl TaskProgress {
    pub fn update(&self, done: u64, total: u64, message: &str) {
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
