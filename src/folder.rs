//! A results folder has one owner and holds one result set.
//!
//! - **One writer.** While `run`, `sweep` or `compare` writes into a folder it holds an exclusive
//!   advisory lock on `DIR/.agora-lock` (the standard library's `File::try_lock`, an `flock`
//!   released by the operating system when the process ends, however it ends). A second writer
//!   is refused at once with the holder's command, pid and start time, written in the lock file.
//! - **Only agora's folders.** agora writes into a new or empty folder, or one it wrote before
//!   (marked by `DIR/.agora`, or holding only agora's own files); never into a folder holding
//!   someone else's files, nor into the current folder or one above it.
//! - **One result set, swapped in whole.** A command writes its files into a staging folder
//!   beside DIR and then exchanges the two folders in one step (`renameat2(RENAME_EXCHANGE)` on
//!   Linux), so DIR holds the previous complete set or the new one, never a mix and never a
//!   stale file of an earlier command. Elsewhere, or on a file system without the exchange, DIR
//!   is renamed aside before the staged set takes its name (and restored by the next command
//!   if a crash came between the two).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The marker of a folder agora wrote.
const MARKER: &str = ".agora";
/// The lock file.
const LOCK: &str = ".agora-lock";
/// The files `agora run` writes, in the order it writes them (`run::write_outputs`).
pub const RUN_FILES: &[&str] = &[
    "timeseries.csv",
    "summary.csv",
    "funnel.csv",
    "groups.csv",
    "cohorts.csv",
    "segments.csv",
    "weekly.csv",
    "posters.csv",
    "newcomers.csv",
    "poster_cohorts.csv",
    "scenario.toml",
];

/// What agora itself writes into a results folder besides [`RUN_FILES`] (any command, any
/// version).
const OTHER_OWN_FILES: &[&str] = &[
    MARKER,
    LOCK,
    "runs.csv",
    "points.csv",
    "sensitivity.csv",
    "compare.csv",
    "robust.csv",
    "robust-keys.csv",
    "posterior.csv",
    "calibration.csv",
    "generations.csv",
    "predictive.csv",
    "best.csv",
    "report.html",
];

/// The folders agora itself keeps in a results folder: a batch's work in progress and a split
/// batch's tasks.
const OWN_FOLDERS: &[&str] = &[".partial", ".tasks"];

/// Whether agora writes an entry of this name and kind (a folder or not) into a results folder:
/// a folder named like one of its files (`summary.csv/`) is the user's, not agora's.
fn is_own(name: &str, is_folder: bool) -> bool {
    if is_folder {
        OWN_FOLDERS.contains(&name)
    } else {
        RUN_FILES.contains(&name) || OTHER_OWN_FILES.contains(&name)
    }
}
/// Whether `dir` holds a result set agora published (its marker).
pub fn holds_results(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

/// Adds one file to a results folder agora wrote, atomically, holding the folder's lock while
/// it writes (`agora report`): the folder must exist and be agora's.
pub fn add_file(dir: &Path, command: &str, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    check_ownership(dir)?;
    if !holds_results(dir) {
        bail!("{} holds no results of agora", dir.display());
    }
    let _lock = take_lock(dir, command)?;
    let path = dir.join(name);
    crate::export::write_atomic(&path, bytes)?;
    Ok(path)
}

/// A results folder held by this process.
pub struct ResultsFolder {
    dir: PathBuf,
    staging: PathBuf,
    /// Held for as long as the folder is ours; the OS releases it when the process ends.
    _lock: File,
    holder: String,
    /// Whether this process created the folder (it is removed again if nothing is published
    /// into it).
    created: bool,
    published: bool,
}

/// What a command does with a batch's work in progress (`DIR/.partial`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partial {
    /// A batch (sweep, comparison) that may resume it.
    Resumes,
    /// A command that would throw it away (`run`): refused while it is there.
    Refuses,
    /// `agora merge`: the one command that may publish over a split batch's tasks.
    Merges,
}

/// `dir` as an absolute path without `.` or `..`, symbolic links followed where they exist.
fn resolve(dir: &Path) -> Result<PathBuf> {
    if dir.is_symlink() && !dir.exists() {
        bail!("{} is a symbolic link to nothing", dir.display());
    }
    if let Ok(real) = dir.canonicalize() {
        return Ok(real);
    }
    let absolute = std::path::absolute(dir)
        .with_context(|| format!("cannot resolve the folder {}", dir.display()))?;
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    // The nearest existing ancestor may itself be reached through a link.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return Ok(out),
        }
    }
    let mut real = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        real.push(name);
    }
    Ok(real)
}

/// Siblings of `dir` named `.NAME.agora-KIND-*`.
fn siblings(dir: &Path, kind: &str) -> Vec<PathBuf> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Vec::new();
    };
    let prefix = format!(".{}.agora-{kind}-", name.to_string_lossy());
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    fs::read_dir(parent)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// A sibling path of `dir` for this process: `.NAME.agora-KIND-PID`.
fn sibling(dir: &Path, kind: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.agora-{kind}-{}", std::process::id()))
}

/// Refuses folders agora must not own: the current folder or one above it, and folders holding
/// files agora did not write.
pub fn check_ownership(dir: &Path) -> Result<()> {
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    if let (Some(here), Ok(target)) = (here, dir.canonicalize()) {
        if here.starts_with(&target) {
            bail!(
                "{} is the current folder or one above it; give the results a folder of their \
                 own, e.g. --out results/NAME",
                dir.display()
            );
        }
    }
    let foreign: Vec<String> = fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let folder = e.file_type().is_ok_and(|t| t.is_dir());
            // A folder is shown as one: `summary.csv/`.
            (!is_own(&name, folder)).then(|| if folder { format!("{name}/") } else { name })
        })
        .collect();
    if let Some(first) = foreign.first() {
        bail!(
            "{} holds files agora did not write (such as `{first}`); agora writes only into a new \
             or empty folder, or one it wrote before: choose another --out",
            dir.display()
        );
    }
    Ok(())
}

/// Takes the lock of `dir` for `command`, refusing when another agora process holds it, and
/// records the holder in the lock file.
fn take_lock(dir: &Path, command: &str) -> Result<(File, String)> {
    let path = dir.join(LOCK);
    let mut lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            lock.read_to_string(&mut holder).ok();
            let holder = holder.trim();
            bail!(
                "{} is being written by another agora process ({}); wait for it to finish, \
                 or choose another --out",
                dir.display(),
                if holder.is_empty() {
                    "it is starting"
                } else {
                    holder
                }
            );
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
    let holder = format!(
        "`{command}`, pid {}, started {}",
        std::process::id(),
        crate::stamp::now()
    );
    lock.set_len(0)?;
    lock.write_all(holder.as_bytes())?;
    lock.sync_data()?;
    Ok((lock, holder))
}

impl ResultsFolder {
    /// Takes `dir` for the command described by `command`: creates it if needed, refuses it if
    /// another process holds it or if it is not agora's, and clears what a killed command left
    /// beside it.
    pub fn acquire(dir: &Path, command: &str, partial: Partial) -> Result<ResultsFolder> {
        let shown = dir.display().to_string();
        let dir = &resolve(dir)?;
        if dir.exists() && !dir.is_dir() {
            bail!("{shown} exists and is not a folder");
        }
        let created = !dir.exists();
        // A crash between the two renames of the fallback swap leaves the previous set aside.
        if !dir.exists() {
            if let Some(old) = siblings(dir, "old").into_iter().next() {
                fs::rename(&old, dir).ok();
            }
        }
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        check_ownership(dir)?;
        let (lock, holder) = take_lock(dir, command)?;
        // Leftovers of a command killed before it published: no agora process holds them now.
        for leftover in siblings(dir, "staging") {
            fs::remove_dir_all(&leftover).ok();
        }
        for leftover in siblings(dir, "old") {
            fs::remove_dir_all(&leftover).ok();
        }
        if partial != Partial::Merges && dir.join(".tasks").join("plan.toml").exists() {
            bail!(
                "{shown} holds the tasks of a split sweep, comparison or calibration: merge them \
                 with `agora merge {shown}` (see `agora status {shown}`), or choose another --out"
            );
        }
        if partial == Partial::Refuses && dir.join(".partial").exists() {
            bail!(
                "{shown} holds an interrupted sweep or comparison; finish it with --resume, or \
                 remove {shown}/.partial, before writing other results there"
            );
        }
        let staging = sibling(dir, "staging");
        fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        Ok(ResultsFolder {
            dir: dir.to_path_buf(),
            staging,
            _lock: lock,
            holder,
            created,
            published: false,
        })
    }

    /// The folder itself (where work in progress such as `.partial` lives).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the command writes its result set before [`ResultsFolder::publish`].
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Makes the staged set the folder's contents, in one exchange: the folder then holds
    /// exactly the staged files and its marker.
    pub fn publish(mut self) -> Result<()> {
        crate::export::write_atomic(&self.staging.join(MARKER), self.marker().as_bytes())?;
        exchange(&self.staging, &self.dir).with_context(|| {
            format!(
                "cannot move the results from {} into {}",
                self.staging.display(),
                self.dir.display()
            )
        })?;
        self.published = true;
        // The staging path now holds the previous contents (and the lock file we hold). The
        // results are published: failing to remove what they replaced (files still open on a
        // network filesystem) is only worth a warning.
        if let Err(e) = fs::remove_dir_all(&self.staging) {
            eprintln!(
                "warning: the results are in {}, but the previous ones could not all be removed \
                 from {}: {e}",
                self.dir.display(),
                self.staging.display()
            );
        }
        Ok(())
    }

    fn marker(&self) -> String {
        format!(
            "# This folder holds one result set written by agora {}; agora replaces it whole.\n\
             written_by = \"{}\"\n",
            env!("CARGO_PKG_VERSION"),
            self.holder.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

impl Drop for ResultsFolder {
    /// A command that stops before publishing leaves the folder as it was: its staged files are
    /// removed, and so is the folder if this command created it and wrote nothing else there.
    fn drop(&mut self) {
        if self.published {
            return;
        }
        fs::remove_dir_all(&self.staging).ok();
        if self.created {
            let only_lock = fs::read_dir(&self.dir).is_ok_and(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .all(|e| e.file_name() == LOCK)
            });
            if only_lock {
                fs::remove_dir_all(&self.dir).ok();
            }
        }
    }
}

/// Exchanges two folders: one step on Linux, two renames elsewhere.
fn exchange(staged: &Path, dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, staged, CWD, dir, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // The file system cannot exchange: fall back to two renames.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    let old = sibling(dir, "old");
    fs::rename(dir, &old)?;
    fs::rename(staged, dir)?;
    // The previous contents are where the staged set was, as after an exchange.
    fs::rename(&old, staged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holder_named() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let first = ResultsFolder::acquire(&dir, "agora sweep a.toml", Partial::Resumes).unwrap();
        let err = ResultsFolder::acquire(&dir, "agora sweep b.toml", Partial::Resumes)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("being written") && err.contains("agora sweep a.toml"),
            "{err}"
        );
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        ResultsFolder::acquire(&dir, "agora sweep b.toml", Partial::Resumes).unwrap();
    }

    #[test]
    fn publishing_replaces_the_whole_set_and_leaves_nothing_beside() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let f = ResultsFolder::acquire(&dir, "agora sweep", Partial::Resumes).unwrap();
        fs::write(f.staging().join("points.csv"), "old").unwrap();
        fs::write(f.staging().join("runs.csv"), "old").unwrap();
        f.publish().unwrap();
        let f = ResultsFolder::acquire(&dir, "agora run", Partial::Refuses).unwrap();
        fs::write(f.staging().join("summary.csv"), "new").unwrap();
        // Until it is published, the folder still holds the previous complete set.
        assert_eq!(fs::read_to_string(dir.join("points.csv")).unwrap(), "old");
        f.publish().unwrap();
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        assert_eq!(names, vec![".agora", "summary.csv"]);
        let beside: Vec<_> = fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(beside.len(), 1, "no staging or old folder is left");
    }

    #[test]
    fn folders_with_other_files_and_the_current_folder_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("mine");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "my notes").unwrap();
        let err = ResultsFolder::acquire(&dir, "agora run", Partial::Refuses)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("notes.txt") && err.contains("did not write"),
            "{err}"
        );
        assert!(dir.join("notes.txt").exists());
        let here = std::env::current_dir().unwrap();
        let err = ResultsFolder::acquire(&here, "agora run", Partial::Refuses)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("current folder"), "{err}");
        // Results of an earlier agora, without a marker, are agora's own.
        let legacy = root.path().join("legacy");
        fs::create_dir_all(&legacy).unwrap();
        fs::write(legacy.join("summary.csv"), "x").unwrap();
        ResultsFolder::acquire(&legacy, "agora run", Partial::Refuses).unwrap();
        // A folder agora marked, where someone added a file since, is not written into either.
        let marked = root.path().join("marked");
        ResultsFolder::acquire(&marked, "agora run", Partial::Refuses)
            .unwrap()
            .publish()
            .unwrap();
        fs::write(marked.join("notes.txt"), "mine").unwrap();
        let err = ResultsFolder::acquire(&marked, "agora run", Partial::Refuses)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("notes.txt"), "{err}");
    }

    #[test]
    fn a_command_that_stops_before_publishing_leaves_nothing_behind() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("new");
        let f = ResultsFolder::acquire(&dir, "agora run", Partial::Refuses).unwrap();
        fs::write(f.staging().join("summary.csv"), "x").unwrap();
        drop(f);
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
    }

    #[test]
    fn links_and_dots_name_the_real_folder() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let f = ResultsFolder::acquire(&link.join("."), "agora run", Partial::Refuses).unwrap();
        fs::write(f.staging().join("summary.csv"), "x").unwrap();
        f.publish().unwrap();
        assert!(link.is_symlink(), "the link stays a link");
        assert!(real.join("summary.csv").exists());
        let dangling = root.path().join("dangling");
        std::os::unix::fs::symlink(root.path().join("nowhere"), &dangling).unwrap();
        let err = ResultsFolder::acquire(&dangling, "agora run", Partial::Refuses)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("symbolic link to nothing"), "{err}");
    }
}
