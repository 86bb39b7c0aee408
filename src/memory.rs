//! Memory planning, in one place for `run`, `sweep`, `compare` and `check`: what one replicate
//! needs (estimated before anything is allocated), what the machine has, and how many runs fit
//! at once.
//!
//! The limit is the machine's available memory, or what `--max-memory` says; a test passes its
//! own limit, so no result depends on the machine a test runs on.

use crate::engine::STATE_BYTES_PER_AGENT;
use crate::metrics::{CohortRow, DayRecord, WeekRow};
use crate::population::{network_bytes_per_agent, TRAIT_BYTES_PER_AGENT};
use crate::scenario::Scenario;

/// Fixed memory of a process beyond the agents: code, buffers, the thread pool.
const FIXED_BYTES: u64 = 64 << 20;

/// Estimated peak memory of one replicate of `s`, in bytes, before anything is allocated.
pub fn replicate_bytes(s: &Scenario) -> u64 {
    let p = &s.coefficients().population;
    let per_agent = (TRAIT_BYTES_PER_AGENT + STATE_BYTES_PER_AGENT) as f64
        + network_bytes_per_agent(&p.network);
    (p.size as f64 * per_agent) as u64 + table_bytes(s.days(), p.size as u64)
}

/// Bytes per row of a table as the CSV writer holds it before the file is written.
const CSV_BYTES_PER_ROW: u64 = 512;

/// The run's tables that grow with its length: the daily series and the retention triangle, a
/// row per join week with joiners and week since (kept, sorted into a copy and written as CSV);
/// `agents` bound the weeks anyone joins.
fn table_bytes(days: u32, agents: u64) -> u64 {
    let series = days as u64 + 1;
    series * (std::mem::size_of::<DayRecord>() as u64 + CSV_BYTES_PER_ROW)
        + triangle(days, agents)
            * (2 * std::mem::size_of::<CohortRow>() as u64 + CSV_BYTES_PER_ROW / 4)
}

/// Rows of the retention triangle of a run of `days` days among `agents`: a row per join week
/// with joiners and week since.
fn triangle(days: u32, agents: u64) -> u64 {
    let weeks = days as u64 / 7 + 1;
    if agents >= weeks {
        weeks * (weeks + 1) / 2
    } else {
        agents * weeks
    }
}

/// What a finished replicate of `s` keeps until the run's files are written, in bytes: its
/// daily series, its retention triangle and its weekly rows.
pub fn kept_bytes(s: &Scenario) -> u64 {
    let days = s.days();
    let rows = |n: u64, row: usize| n * row as u64;
    rows(days as u64 + 1, std::mem::size_of::<DayRecord>())
        + rows(triangle(days, s.size()), std::mem::size_of::<CohortRow>())
        + rows(days as u64 / 7 + 1, std::mem::size_of::<WeekRow>())
}

/// Bytes of CSV a row of the daily series takes, roughly (the presets' `timeseries.csv`: 190
/// to 200), and a row of the retention triangle.
const SERIES_CSV_BYTES: u64 = 200;
const TRIANGLE_CSV_BYTES: u64 = 40;

/// The files of a run of `s`, in bytes, roughly: the daily series and the retention triangle
/// of every replicate (the other files are a row or a few per replicate).
pub fn csv_bytes(s: &Scenario) -> u64 {
    let days = s.days();
    s.replicates() as u64
        * ((days as u64 + 1) * SERIES_CSV_BYTES + triangle(days, s.size()) * TRIANGLE_CSV_BYTES)
}

/// How much memory agora may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Bytes, or None when unknown (no limit is enforced).
    pub bytes: Option<u64>,
}

impl Budget {
    /// `limit` if given, else the machine's available memory.
    pub fn new(limit: Option<u64>) -> Budget {
        Budget {
            bytes: limit.or_else(available_memory),
        }
    }

    /// Refuses a scenario one replicate of which does not fit: the message says why, in terms of
    /// `population.size`.
    pub fn check(&self, s: &Scenario) -> Result<(), String> {
        let bytes = replicate_bytes(s);
        self.check_bytes(bytes).map_err(|m| {
            format!(
                "{} agents ({} bytes an agent with this network) {m}",
                s.size(),
                bytes / s.size().max(1)
            )
        })
    }

    /// Refuses a run of `s` whose replicates' kept series (kept until the files are written),
    /// with the replicate being run, do not fit: the message says why, in terms of replicates
    /// and days.
    pub fn check_run(&self, s: &Scenario) -> Result<(), String> {
        let kept = s.replicates() as u64 * kept_bytes(s);
        self.check_bytes(replicate_bytes(s) + kept).map_err(|_| {
            format!(
                "{} replicate(s) of {} days keep about {} of daily series and tables until \
                 their files are written, and one replicate needs about {} more, over the {} \
                 available; run fewer replicates or days, or allow more with --max-memory",
                s.replicates(),
                s.days(),
                size(kept),
                size(replicate_bytes(s) + FIXED_BYTES),
                size(self.bytes.unwrap_or(0))
            )
        })
    }

    /// Refuses a replicate of `bytes` that does not fit.
    pub fn check_bytes(&self, bytes: u64) -> Result<(), String> {
        let need = bytes + FIXED_BYTES;
        match self.bytes {
            Some(available) if need > available => Err(format!(
                "need about {} for one replicate, but only {} are available",
                size(need),
                size(available)
            )),
            _ => Ok(()),
        }
    }

    /// How many replicates needing `bytes` each may run at once, at most `wanted`, at least 1:
    /// they may take half the budget together.
    pub fn concurrent_runs(&self, bytes: u64, wanted: usize) -> usize {
        match self.bytes {
            None => wanted.max(1),
            Some(available) => {
                let fit = (available / 2).saturating_sub(FIXED_BYTES) / bytes.max(1);
                (fit as usize).clamp(1, wanted.max(1))
            }
        }
    }
}

/// Agent-days one thread simulates in a second, roughly (`docs/PERFORMANCE.md`): used only to
/// tell a user how long a plan will take, never by the model.
pub const AGENT_DAYS_PER_THREAD_SECOND: f64 = 50e6;

/// Seconds a run takes on one thread beyond its agent-days: drawing its population, recording
/// it, roughly (30,720 runs of 100 agents over 3 days, 9.2 million agent-days, took 35 s on two
/// threads, 2026-12-08: about 2 ms a run). Used only to tell a user how long a plan will take.
pub const RUN_SECONDS: f64 = 0.002;

/// Seconds `agent_days` of simulation take on `threads` threads, roughly.
pub fn seconds(agent_days: f64, threads: usize) -> f64 {
    agent_days / (AGENT_DAYS_PER_THREAD_SECOND * threads.max(1) as f64)
}

/// A plan's expected time and peak memory, in words: `agent_days` of simulation over `runs` runs
/// of at most `max_bytes` each, on `threads` threads, with `kept` bytes of finished runs' results
/// held until they are written.
pub fn estimate(
    agent_days: f64,
    runs: u64,
    max_bytes: u64,
    kept: u64,
    threads: usize,
    budget: &Budget,
) -> String {
    let wanted = threads.min(runs.max(1) as usize);
    let at_once = budget.concurrent_runs(max_bytes, wanted);
    let seconds = seconds(agent_days, threads) + runs as f64 * RUN_SECONDS / threads as f64;
    let peak = at_once as u64 * max_bytes + kept + FIXED_BYTES;
    format!(
        "about {} on {threads} thread(s) (at ~{:.0} M agent-days/s a thread, on an idle \
         machine), peak memory about {} ({at_once} run(s) at once)",
        humantime::format_duration(std::time::Duration::from_secs(seconds.ceil() as u64)),
        AGENT_DAYS_PER_THREAD_SECOND / 1e6,
        size(peak)
    )
}

/// Bytes in GiB, MiB, or KiB below one MiB (so a tiny limit is not shown as 1 MiB).
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", gib(bytes))
    } else if bytes >= 1 << 20 {
        format!("{:.0} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.0} KiB", (bytes as f64 / 1024.0).max(1.0))
    }
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// Memory available to new allocations, in bytes (Linux), if known: what the system reports,
/// or less when this process's control group (a Slurm job's or a container's memory limit,
/// cgroup v2 or v1) leaves less room.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    let system = kib * 1024;
    Some(cgroup_memory_room().map_or(system, |room| room.min(system)))
}

/// Room left under this process's cgroup memory limit, if it has one: cgroup v2's
/// `memory.max` and `memory.current`, or cgroup v1's `memory.limit_in_bytes` and
/// `memory.usage_in_bytes` (older clusters and container hosts).
fn cgroup_memory_room() -> Option<u64> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let root = std::path::Path::new("/sys/fs/cgroup");
    let read = |dir: &std::path::Path, file: &str| std::fs::read_to_string(dir.join(file)).ok();
    let (v2, v1) = cgroup_paths(&groups);
    if let Some(path) = v2 {
        let dir = root.join(path.trim_start_matches('/'));
        if let (Some(max), Some(current)) = (read(&dir, "memory.max"), read(&dir, "memory.current"))
        {
            return room_under_limit(&max, &current);
        }
    }
    let dir = root.join("memory").join(v1?.trim_start_matches('/'));
    room_under_limit(
        &read(&dir, "memory.limit_in_bytes")?,
        &read(&dir, "memory.usage_in_bytes")?,
    )
}

/// This process's cgroup v2 path (the `0::` line of `/proc/self/cgroup`) and its cgroup v1
/// memory controller's path (the line whose controllers include `memory`).
fn cgroup_paths(proc_cgroup: &str) -> (Option<&str>, Option<&str>) {
    let v2 = proc_cgroup.lines().find_map(|l| l.strip_prefix("0::"));
    let v1 = proc_cgroup.lines().find_map(|l| {
        let mut fields = l.splitn(3, ':');
        let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        controllers
            .split(',')
            .any(|c| c == "memory")
            .then_some(path)
    });
    (v2, v1)
}

/// Limits at or above this are cgroup v1's way of saying "no limit" (the largest page-aligned
/// signed 64-bit value, 2^63 − 4096 on most kernels).
const NO_LIMIT: u64 = 1 << 62;

/// The room a cgroup's limit and usage leave: None without a limit (v2 writes `max`, v1 a
/// number near 2^63).
fn room_under_limit(max: &str, current: &str) -> Option<u64> {
    let limit: u64 = max.trim().parse().ok()?;
    if limit >= NO_LIMIT {
        return None;
    }
    let used: u64 = current.trim().parse().ok()?;
    Some(limit.saturating_sub(used))
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in bytes, if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Reads a size such as `512MiB`, `8GiB`, `2G` or a number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{t}` is not a size; write e.g. 512MiB or 8GiB"))?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1u64,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(format!("`{t}` is not a size; write e.g. 512MiB or 8GiB")),
    };
    let bytes = number * scale as f64;
    if !(1.0..1e18).contains(&bytes) {
        return Err(format!("`{t}` is not a size agora can use"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(size: u64, network: &str) -> Scenario {
        let text = format!("name = \"m\"\n[population]\nsize = {size}\nnetwork = {network}\n");
        crate::scenario::load_str(&text, "m.toml", &[]).unwrap()
    }

    #[test]
    fn a_replicate_that_does_not_fit_is_refused_and_one_that_fits_is_not() {
        let s = scenario(10_000_000, "{ kind = \"well-mixed\" }");
        let need = replicate_bytes(&s);
        let per_agent = TRAIT_BYTES_PER_AGENT + STATE_BYTES_PER_AGENT;
        let agents = 10_000_000 * per_agent;
        assert!(need >= agents && need - agents < 1 << 20, "{need}");
        let small = Budget { bytes: Some(need) };
        let err = small.check(&s).unwrap_err();
        assert!(
            err.contains("10000000 agents") && err.contains("MiB"),
            "{err}"
        );
        assert!(Budget {
            bytes: Some(need + FIXED_BYTES)
        }
        .check(&s)
        .is_ok());
        assert!(Budget { bytes: None }.check(&s).is_ok());
    }

    #[test]
    fn a_long_run_is_costed_by_its_weeks_unless_few_can_join() {
        // 100 years: 5,215 weeks, whose triangle of cohorts is 13.6 million rows if someone
        // joins every week, and at most 5 rows a week when 5 agents can (then the daily series is most of it).
        assert!(table_bytes(36_500, 50_000) > 1 << 30);
        assert!(table_bytes(36_500, 5) < 64 << 20);
        assert!(table_bytes(180, 50_000) < 1 << 20);
    }

    #[test]
    fn ties_cost_memory() {
        let mixed = replicate_bytes(&scenario(100_000, "{ kind = \"well-mixed\" }"));
        let ring = replicate_bytes(&scenario(
            100_000,
            "{ kind = \"small-world\", degree = 10 }",
        ));
        assert_eq!(ring - mixed, 100_000 * 44);
    }

    #[test]
    fn concurrency_shares_half_the_budget() {
        let gib = 1u64 << 30;
        let b = Budget {
            bytes: Some(8 * gib),
        };
        assert_eq!(b.concurrent_runs(gib, 16), 3);
        assert_eq!(b.concurrent_runs(gib / 1000, 16), 16);
        assert_eq!(b.concurrent_runs(100 * gib, 16), 1);
        assert_eq!(Budget { bytes: None }.concurrent_runs(gib, 4), 4);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_size("8G").unwrap(), 8 << 30);
        assert_eq!(parse_size("1.5 GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn a_cgroup_limit_leaves_its_room_and_no_limit_leaves_none() {
        assert_eq!(room_under_limit("max\n", "123\n"), None);
        assert_eq!(room_under_limit("1000\n", "250\n"), Some(750));
        assert_eq!(room_under_limit("1000", "1200"), Some(0));
        assert_eq!(
            room_under_limit("9223372036854771712\n", "123\n"),
            None,
            "v1 unlimited"
        );
    }

    #[test]
    fn the_cgroup_paths_of_v2_and_of_v1_memory_are_found() {
        let v2 = "0::/system.slice/slurmstepd.scope/job_12/step_0\n";
        assert_eq!(
            cgroup_paths(v2),
            (Some("/system.slice/slurmstepd.scope/job_12/step_0"), None)
        );
        let v1 = "12:cpu,cpuacct:/slurm/uid_0/job_7\n5:memory:/slurm/uid_0/job_7/step_0\n\
                  1:name=systemd:/user.slice\n";
        assert_eq!(cgroup_paths(v1), (None, Some("/slurm/uid_0/job_7/step_0")));
        let hybrid = "4:memory:/docker/abc\n0::/docker/abc\n";
        assert_eq!(
            cgroup_paths(hybrid),
            (Some("/docker/abc"), Some("/docker/abc"))
        );
    }
}
