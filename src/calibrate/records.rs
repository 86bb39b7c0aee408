//! How a simulated proposal is kept on disk: one CSV record of its weight, distance,
//! coordinates and simulated values, in a finished generation's file (with the generation's
//! statistics) and in a split calibration's round files (`calibrate::tasks`). Every number is
//! written in full (Rust's shortest round-trip form), so a generation read back is the one
//! written.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::abc::{ess, Particle};
use super::run::{Simulated, Stats};
use super::Calibration;
use crate::export::{csv_table, write_atomic};

/// Generation `t`'s file in `partial`.
pub(super) fn generation_file(partial: &Path, t: u32) -> PathBuf {
    partial.join(format!("generation-{t}.csv"))
}

/// The columns of a simulated proposal: its weight, distance and coordinates, then what its
/// simulations gave (each observed column on each observed day, and each target).
pub(super) fn proposal_header(cal: &Calibration) -> Vec<String> {
    let mut h: Vec<String> = vec!["weight".into(), "distance".into()];
    h.extend((0..cal.parameters.len()).map(|j| format!("x{j}")));
    for (case, c) in cal.columns() {
        h.extend(c.at.iter().map(|d| case.named(&format!("{}@{d}", c.name))));
    }
    h.extend(cal.targets().map(|(case, t)| case.named(&t.name)));
    h
}

/// A simulated proposal's cells under [`proposal_header`], every number in full (Rust's shortest
/// round-trip form).
pub(super) fn proposal_cells(p: &Simulated) -> Vec<String> {
    let mut row = vec![
        p.particle.weight.to_string(),
        p.particle.distance.to_string(),
    ];
    row.extend(p.particle.x.iter().map(f64::to_string));
    row.extend(p.series.iter().flatten().map(f64::to_string));
    row.extend(p.targets.iter().map(f64::to_string));
    row
}

/// A simulated proposal from the numbers of its cells; None if they are not as many as
/// [`proposal_header`] has columns.
pub(super) fn parse_proposal(cal: &Calibration, v: &[f64]) -> Option<Simulated> {
    let k = cal.parameters.len();
    let lengths: Vec<usize> = cal.columns().map(|(_, c)| c.values.len()).collect();
    let days: usize = lengths.iter().sum();
    if v.len() != 2 + k + days + cal.targets().count() {
        return None;
    }
    let mut flat = &v[2 + k..2 + k + days];
    let series = lengths
        .iter()
        .map(|&n| {
            let (column, rest) = flat.split_at(n);
            flat = rest;
            column.to_vec()
        })
        .collect();
    Some(Simulated {
        particle: Particle {
            x: v[2..2 + k].to_vec(),
            weight: v[0],
            distance: v[1],
        },
        series,
        targets: v[2 + k + days..].to_vec(),
    })
}

/// The numbers of a CSV record, or an error naming the damaged file.
pub(super) fn numbers(record: &csv::StringRecord, file: &Path) -> Result<Vec<f64>> {
    record
        .iter()
        .map(|s| s.parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .with_context(|| format!("{} is damaged: remove it to redo", file.display()))
}

/// Writes a finished generation: its statistics, then each particle's cells.
pub(super) fn write_generation(
    cal: &Calibration,
    file: &Path,
    pop: &[Simulated],
    s: Stats,
) -> Result<()> {
    let mut header: Vec<String> = vec!["tolerance".into(), "proposals".into(), "accepted".into()];
    header.extend(proposal_header(cal));
    let rows = pop.iter().map(|p| {
        let mut row = vec![
            s.tolerance.to_string(),
            s.proposals.to_string(),
            s.accepted.to_string(),
        ];
        row.extend(proposal_cells(p));
        row
    });
    write_atomic(file, &csv_table(&header, rows)?)
}

/// Reads a generation written by [`write_generation`].
pub(super) fn read_generation(cal: &Calibration, file: &Path) -> Result<(Vec<Simulated>, Stats)> {
    let mut reader = csv::Reader::from_path(file)?;
    let mut stats = None;
    let mut pop = Vec::new();
    for record in reader.records() {
        let v = numbers(&record?, file)?;
        stats = Some(Stats {
            tolerance: v[0],
            proposals: v[1] as usize,
            accepted: v[2] as usize,
            ess: 0.0,
        });
        pop.push(
            parse_proposal(cal, &v[3..])
                .with_context(|| format!("{} is damaged: remove it to redo", file.display()))?,
        );
    }
    let mut stats =
        stats.with_context(|| format!("{} is empty: remove it to redo", file.display()))?;
    let particles: Vec<Particle> = pop.iter().map(|s: &Simulated| s.particle.clone()).collect();
    stats.ess = ess(&particles);
    Ok((pop, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A joint calibration of two fan clubs, observed on 3 and on 2 days, with one target each.
    fn joint(dir: &Path) -> Calibration {
        let club = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
        std::fs::write(
            dir.join("a.csv"),
            "day,members,posts\n5,10,1\n10,20,2\n15,30,3\n",
        )
        .unwrap();
        std::fs::write(dir.join("b.csv"), "day,members\n4,7\n8,9\n").unwrap();
        let target = "targets = { final_members = { value = 30, sd = 3 } }";
        let text = format!(
            "name = \"j\"\nbase = \"{0}\"\nset = {{ days = 20 }}\n[observed]\nfile = \"a.csv\"\n\
             {target}\n[[parameters]]\nkey = \"acquisition.word_of_mouth\"\nprior = {{ uniform \
             = [0.0, 0.1] }}\n[[also]]\nname = \"b\"\nbase = \"{0}\"\nset = {{ days = 10 }}\n\
             [also.observed]\nfile = \"b.csv\"\n{target}\n",
            club.display()
        );
        std::fs::write(dir.join("j.toml"), text).unwrap();
        Calibration::load(&dir.join("j.toml")).unwrap()
    }

    #[test]
    fn a_joint_proposal_is_read_back_as_written_each_column_on_its_own_days() {
        let dir = tempfile::TempDir::new().unwrap();
        let cal = joint(dir.path());
        let p = Simulated {
            particle: Particle {
                x: vec![0.05],
                weight: 0.25,
                distance: 1.5,
            },
            series: vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0], vec![7.0, 8.0]],
            targets: vec![9.0, 10.0],
        };
        let header = proposal_header(&cal);
        assert_eq!(
            header[3..],
            [
                "brand-fan-club:members@5",
                "brand-fan-club:members@10",
                "brand-fan-club:members@15",
                "brand-fan-club:posts@5",
                "brand-fan-club:posts@10",
                "brand-fan-club:posts@15",
                "b:members@4",
                "b:members@8",
                "brand-fan-club:final_members",
                "b:final_members"
            ]
        );
        let cells = proposal_cells(&p);
        assert_eq!(cells.len(), header.len());
        let numbers: Vec<f64> = cells.iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(parse_proposal(&cal, &numbers), Some(p));
        assert_eq!(
            parse_proposal(&cal, &numbers[1..]),
            None,
            "one number short"
        );
    }
}
