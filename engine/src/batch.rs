//! Batches: many runs of one algorithm, spread over workers behind one trait.
//!
//! The executor describes a batch ([`Batch`]: the jobs, how to run one here, how to record one
//! run elsewhere) and hands it to a [`Batcher`]. [`ThreadBatcher`] runs the jobs on threads of
//! this process; the MPI pool (`cluster`, cargo feature `mpi`) sends them to other ranks. A
//! batcher never sees the engine itself, so new kinds of workers plug in without touching it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use boundlab_sdk::Value;

use crate::error::EngineError;
use crate::records::Record;

/// A run's outcome with its record, not yet written (what a worker rank sends back).
pub type Executed = (Result<Value, EngineError>, Option<Record>);

/// One batch, as a batcher receives it.
pub struct Batch<'a> {
    /// The algorithm every job runs.
    pub id: &'a str,
    /// One parameter map per job, in submission order.
    pub params: Vec<Value>,
    /// Runs one job in this process (recording it when the batch is recorded).
    pub run_here: &'a (dyn Fn(Value) -> Result<Value, EngineError> + Sync),
    /// Writes the record of a job that ran elsewhere; `None` when the batch is not recorded
    /// (a plugin's batch is part of its caller's run).
    pub record: Option<&'a (dyn Fn(Record) + Sync)>,
    /// Whether the session was cancelled: jobs not yet started fail with `Cancelled`.
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
    /// Called with the number of finished jobs after each one.
    pub on_done: &'a (dyn Fn(usize) + Sync),
}

/// Runs the jobs of a batch somewhere; results come back in the order of `batch.params`.
pub trait Batcher: Send + Sync {
    fn run_batch(&self, batch: Batch<'_>) -> Vec<Result<Value, EngineError>>;

    /// Whether jobs run in this process: only then may their parameters hold script functions
    /// (which live in this process's script engine). Batches that hold some run on threads.
    fn runs_in_process(&self) -> bool;
}

/// Jobs on `workers` threads of this process, each taking the next job when it finishes one.
pub struct ThreadBatcher {
    pub workers: usize,
}

impl Batcher for ThreadBatcher {
    fn runs_in_process(&self) -> bool {
        true
    }

    fn run_batch(&self, batch: Batch<'_>) -> Vec<Result<Value, EngineError>> {
        let count = batch.params.len();
        let workers = self.workers.min(count).max(1);
        let jobs: Vec<Mutex<Option<Value>>> = batch
            .params
            .into_iter()
            .map(|p| Mutex::new(Some(p)))
            .collect();
        let results: Vec<Mutex<Option<Result<Value, EngineError>>>> =
            (0..count).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let finished = AtomicUsize::new(0);
        // faer's thread pool is process-wide: run each job sequentially inside while the
        // batch itself uses the cores, and restore the setting afterwards.
        let parallelism = faer::get_global_parallelism();
        if workers > 1 {
            faer::set_global_parallelism(faer::Par::Seq);
        }
        crossbeam::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|_| {
                    loop {
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        if index >= count {
                            break;
                        }
                        let params = jobs[index]
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .take()
                            .unwrap_or_default();
                        let result = if (batch.cancelled)() {
                            Err(EngineError::Cancelled)
                        } else {
                            (batch.run_here)(params)
                        };
                        *results[index].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                        (batch.on_done)(finished.fetch_add(1, Ordering::SeqCst) + 1);
                    }
                });
            }
        })
        .unwrap_or_else(|_| tracing::error!("a batch worker thread panicked"));
        faer::set_global_parallelism(parallelism);
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|p| p.into_inner())
                    .unwrap_or_else(|| Err(EngineError::Usage("a batch job did not run".into())))
            })
            .collect()
    }
}
