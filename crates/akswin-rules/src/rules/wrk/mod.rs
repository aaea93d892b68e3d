//! WRK: workloads as they will be deployed (pool, OS, image version, names and values).

pub mod wrk001_workload_placement;
pub mod wrk002_invalid_workload_value;
pub mod wrk003_run_as_identity;
pub mod wrk004_windows_workload_logs;
