//! Writing results so that nothing half-written is ever left behind, and every CSV row through
//! `csv::Writer`.
//!
//! Every file is written to a temporary sibling (`tempfile`), flushed to disk, then renamed over
//! its final name, so a reader sees the old file or the new one, never a mix.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

/// Writes `bytes` to `path` atomically (temporary sibling, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let write = || -> std::io::Result<()> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".agora-").suffix(".tmp");
        // Results are ordinary files (the umask decides), not the private files of a temp dir.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// A number as a CSV cell: empty when it is undefined (NaN or infinite), so that no output
/// holds either.
pub fn cell(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

/// A CSV writer into memory that writes the header it is given, not one from field names.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write CSV: {}", e.error()))
}

/// Rows of a struct type as CSV text, with a header from the type's field names.
pub fn csv_bytes<'a, T: Serialize + 'a>(rows: impl IntoIterator<Item = &'a T>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    finish(w)
}

/// Rows (any serialisable records: tuples of fields and structs) as CSV text under `header`.
pub fn csv_table<S: AsRef<str>, T: Serialize>(
    header: &[S],
    rows: impl IntoIterator<Item = T>,
) -> Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(header.iter().map(|h| h.as_ref()))?;
    for row in rows {
        w.serialize(row)?;
    }
    finish(w)
}

/// Rows (any serialisable records) as CSV text without a header, to append to a table.
pub fn csv_rows<T: Serialize>(rows: impl IntoIterator<Item = T>) -> Result<Vec<u8>> {
    let mut w = writer();
    for row in rows {
        w.serialize(row)?;
    }
    finish(w)
}

/// Rows of a struct type as a CSV file, atomically.
pub fn write_csv<'a, T: Serialize + 'a>(
    path: &Path,
    rows: impl IntoIterator<Item = &'a T>,
) -> Result<()> {
    write_atomic(path, &csv_bytes(rows)?)
}

/// One CSV record (without its line end), fields quoted where they must be.
pub fn csv_record<S: AsRef<[u8]>>(fields: impl IntoIterator<Item = S>) -> String {
    let mut w = writer();
    w.write_record(fields).expect("writing to memory");
    let bytes = w.into_inner().expect("writing to memory");
    String::from_utf8(bytes)
        .expect("fields are UTF-8")
        .trim_end_matches(['\n', '\r'])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn tables_take_tuples_of_fields_and_structs() {
        #[derive(Serialize)]
        struct M {
            a: u64,
            b: f64,
        }
        let rows = vec![("x,y", 1u32, M { a: 2, b: 0.5 })];
        let text = String::from_utf8(csv_table(&["name", "n", "a", "b"], rows).unwrap()).unwrap();
        assert_eq!(text, "name,n,a,b\n\"x,y\",1,2,0.5\n");
        assert_eq!(csv_record(["a", "b,c"]), "a,\"b,c\"");
    }
}
