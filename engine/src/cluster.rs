//! Batch jobs on MPI ranks (cargo feature `mpi`).
//!
//! Rank 0 runs the script. Every batch (a script's `run_batch`, a plugin's `Host::batch`) is
//! split into jobs that go to ranks 1..K-1 one at a time: a rank that finishes gets the next job
//! (dynamic scheduling), and results are put back in submission order. Rank 0 writes every
//! record. Messages are RON text (a job: id + parameters; a result: the value or the error, and
//! the record), so their size is that of the parameters and the result.
//!
//! Workers send a heartbeat every second from a second thread. A worker silent for longer than
//! the timeout is counted as dead: its job fails with an error saying so, and it gets no more
//! jobs; when no worker is left the remaining jobs fail at once. Surviving a dead rank needs
//! `mpirun --enable-recovery` (Open MPI); without it mpirun ends the whole run.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use boundlab_sdk::{ErrorKind, PluginError, Value};
use mpi::point_to_point::{Destination, MatchedReceiveVec, Source};
use mpi::topology::{Communicator, SimpleCommunicator};
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Batcher, Executed};
use crate::error::EngineError;
use crate::records::Record;

const TAG_JOB: i32 = 1;
const TAG_RESULT: i32 = 2;
const TAG_ALIVE: i32 = 3;
const TAG_STOP: i32 = 4;

const HEARTBEAT: Duration = Duration::from_secs(1);

#[derive(Serialize, Deserialize)]
struct JobMessage {
    job: u64,
    id: String,
    params: Value,
    record: bool,
}

#[derive(Serialize, Deserialize)]
struct ResultMessage {
    job: u64,
    /// The value, or the error's kind name and message.
    outcome: Result<Value, (String, String)>,
    record: Option<Record>,
}

fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    ron::to_string(message)
        .map(String::into_bytes)
        .unwrap_or_default()
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    ron::from_str(text).map_err(|e| e.to_string())
}

/// Rank 0's view of the worker ranks.
pub struct MpiPool {
    timeout: Duration,
    state: Mutex<PoolState>,
}

struct PoolState {
    /// Indexed by rank; rank 0 is never a worker.
    alive: Vec<bool>,
    last_seen: Vec<Instant>,
    next_job: u64,
}

impl MpiPool {
    /// Call on rank 0 after MPI is initialised; `timeout` is the silence after which a worker
    /// counts as dead.
    pub fn new(timeout: Duration) -> Self {
        let size = SimpleCommunicator::world().size() as usize;
        let now = Instant::now();
        Self {
            timeout,
            state: Mutex::new(PoolState {
                alive: (0..size).map(|r| r > 0).collect(),
                last_seen: vec![now; size],
                next_job: 0,
            }),
        }
    }

    /// The number of worker ranks still alive.
    pub fn live_workers(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .alive
            .iter()
            .filter(|a| **a)
            .count()
    }

    /// Runs one batch on the workers; results in the order of `params`.
    fn run_on_workers(&self, batch: Batch<'_>) -> Vec<Result<Value, EngineError>> {
        let Batch {
            id,
            params,
            record,
            cancelled,
            on_done,
            ..
        } = batch;
        let world = SimpleCommunicator::world();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let count = params.len();
        let mut jobs: Vec<Option<Value>> = params.into_iter().map(Some).collect();
        let mut results: Vec<Option<Result<Value, EngineError>>> =
            (0..count).map(|_| None).collect();
        let mut queue: VecDeque<usize> = (0..count).collect();
        // rank -> (index in this batch, job number)
        let mut in_flight: HashMap<usize, (usize, u64)> = HashMap::new();
        let mut finished = 0;
        let failure = |message: String| {
            Err(EngineError::Algorithm {
                id: id.to_string(),
                error: PluginError::internal(message),
            })
        };
        loop {
            // Hand a job to every idle live worker.
            for rank in 1..state.alive.len() {
                if !state.alive[rank] || in_flight.contains_key(&rank) {
                    continue;
                }
                let Some(index) = queue.pop_front() else {
                    break;
                };
                if cancelled() {
                    results[index] = Some(Err(EngineError::Cancelled));
                    finished += 1;
                    continue;
                }
                let job = state.next_job;
                state.next_job += 1;
                let message = JobMessage {
                    job,
                    id: id.to_string(),
                    params: jobs[index].take().unwrap_or_default(),
                    record: record.is_some(),
                };
                world
                    .process_at_rank(rank as i32)
                    .send_with_tag(&encode(&message)[..], TAG_JOB);
                // A fresh job restarts the silence clock: the worker was idle until now.
                state.last_seen[rank] = Instant::now();
                in_flight.insert(rank, (index, job));
            }
            if in_flight.is_empty() {
                for index in queue.drain(..) {
                    results[index] =
                        Some(failure("no MPI worker rank is left to run this job".into()));
                }
                break;
            }
            match world.any_process().immediate_matched_probe() {
                Some(probed) => {
                    let (bytes, status) = probed.matched_receive_vec::<u8>();
                    let rank = status.source_rank() as usize;
                    if rank < state.last_seen.len() {
                        state.last_seen[rank] = Instant::now();
                    }
                    if status.tag() != TAG_RESULT {
                        continue;
                    }
                    let Some(&(index, job)) = in_flight.get(&rank) else {
                        continue; // a late answer from a rank already given up on
                    };
                    let outcome = match decode::<ResultMessage>(&bytes) {
                        Ok(reply) if reply.job == job => {
                            if let (Some(write), Some(r)) = (record, reply.record) {
                                write(r);
                            }
                            reply
                                .outcome
                                .map_err(|(kind, message)| EngineError::Algorithm {
                                    id: id.to_string(),
                                    error: PluginError::new(
                                        ErrorKind::from_name(&kind).unwrap_or(ErrorKind::Internal),
                                        message,
                                    ),
                                })
                        }
                        Ok(_) => continue,
                        Err(e) => {
                            failure(format!("MPI rank {rank} sent an unreadable result: {e}"))
                        }
                    };
                    in_flight.remove(&rank);
                    results[index] = Some(outcome);
                    finished += 1;
                    on_done(finished);
                }
                None => {
                    std::thread::sleep(Duration::from_micros(200));
                    let now = Instant::now();
                    let silent: Vec<usize> = in_flight
                        .keys()
                        .copied()
                        .filter(|&r| now.duration_since(state.last_seen[r]) > self.timeout)
                        .collect();
                    for rank in silent {
                        let (index, _) = in_flight.remove(&rank).expect("in flight");
                        state.alive[rank] = false;
                        tracing::error!(
                            "MPI rank {rank} stopped responding; its job fails and it gets no more jobs"
                        );
                        results[index] = Some(failure(format!(
                            "MPI rank {rank} stopped responding for {:.0} s while running this job (it died or hangs)",
                            self.timeout.as_secs_f64()
                        )));
                        finished += 1;
                        on_done(finished);
                    }
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(EngineError::Cancelled)))
            .collect()
    }

    /// Tells every live worker to stop; call once, when the script has ended.
    pub fn shutdown(&self) {
        let world = SimpleCommunicator::world();
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        for rank in 1..state.alive.len() {
            if state.alive[rank] {
                world
                    .process_at_rank(rank as i32)
                    .send_with_tag(&[0u8][..], TAG_STOP);
            }
        }
    }
}

impl Batcher for MpiPool {
    fn run_batch(&self, batch: Batch<'_>) -> Vec<Result<Value, EngineError>> {
        self.run_on_workers(batch)
    }

    fn runs_in_process(&self) -> bool {
        false
    }
}

/// A worker rank's loop: run jobs from rank 0 until told to stop. `run` runs one job and
/// returns its record unwritten (e.g. [`Engine::run_unwritten`](crate::Engine::run_unwritten)).
/// `heartbeat` is false when the MPI library cannot send from a second thread (then rank 0
/// cannot detect a dead rank).
pub fn serve(run: &dyn Fn(&str, Value) -> Executed, heartbeat: bool) {
    let world = SimpleCommunicator::world();
    let stop = Arc::new(AtomicBool::new(false));
    let beat = heartbeat.then(|| {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let world = SimpleCommunicator::world();
            while !stop.load(Ordering::SeqCst) {
                world
                    .process_at_rank(0)
                    .send_with_tag(&[0u8][..], TAG_ALIVE);
                std::thread::sleep(HEARTBEAT);
            }
        })
    });
    loop {
        let (bytes, status) = world.process_at_rank(0).receive_vec::<u8>();
        if status.tag() == TAG_STOP {
            break;
        }
        if status.tag() != TAG_JOB {
            continue;
        }
        let reply = match decode::<JobMessage>(&bytes) {
            Ok(job) => {
                let (outcome, record) = run(&job.id, job.params);
                let record = record.filter(|_| job.record);
                ResultMessage {
                    job: job.job,
                    outcome: outcome.map_err(|e| {
                        let e = e.into_plugin_error();
                        (e.kind.name().to_string(), e.message.to_string())
                    }),
                    record,
                }
            }
            Err(e) => ResultMessage {
                job: u64::MAX,
                outcome: Err((
                    ErrorKind::Internal.name().into(),
                    format!("unreadable job: {e}"),
                )),
                record: None,
            },
        };
        world
            .process_at_rank(0)
            .send_with_tag(&encode(&reply)[..], TAG_RESULT);
    }
    stop.store(true, Ordering::SeqCst);
    if let Some(handle) = beat {
        let _ = handle.join();
    }
}

/// Rank 0 tells the workers the output folder, so checkpoints written inside jobs land in it.
pub fn share_out_dir(out_dir: Option<&std::path::Path>) -> std::path::PathBuf {
    use mpi::collective::Root;
    let world = SimpleCommunicator::world();
    let root = world.process_at_rank(0);
    let mut bytes = out_dir
        .map(|p| p.to_string_lossy().into_owned().into_bytes())
        .unwrap_or_default();
    let mut len = bytes.len() as u64;
    root.broadcast_into(&mut len);
    bytes.resize(len as usize, 0);
    root.broadcast_into(&mut bytes[..]);
    std::path::PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// This process's rank.
pub fn rank() -> i32 {
    SimpleCommunicator::world().rank()
}
