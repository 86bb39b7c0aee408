//! `agora report` and `run --report`, looked at in a real browser: headless Chromium (Debian's
//! `chromium`, which `.ci/run` installs when missing) renders the page to its DOM and to a
//! screenshot, with a network log. The page must not be blank, every chart must be an SVG with
//! content, no request may leave the page, and the numbers in its tables must equal those
//! recomputed here from the CSV files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use tempfile::TempDir;

mod common;
use common::cli::{agora, table, write};

fn chromium() -> PathBuf {
    for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("these tests need headless Chromium: `apt-get install chromium` (.ci/run does)");
}

/// Chromium in a fresh profile, headless, with nothing of its own going to the network.
fn browser(profile: &Path) -> Process {
    let mut c = Process::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// A small run with its report, in `dir/run`.
fn run_with_report(dir: &Path) -> PathBuf {
    let out = dir.join("run");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
    agora()
        .arg("run")
        .arg(scenario)
        .args(["--replicates", "3", "--days", "60", "--report", "--out"])
        .arg(&out)
        .args(["--set", "population.size=3000"])
        .assert()
        .success();
    out
}

fn column(path: &Path, name: &str) -> Vec<f64> {
    let (h, rows) = table(path);
    let i = h.iter().position(|c| c == name).unwrap();
    rows.iter()
        .map(|r| r[i].parse().unwrap_or(f64::NAN))
        .collect()
}

/// The body rows of the table of chart `id` in the rendered DOM, as cells.
fn table_in(dom: &str, id: &str) -> Vec<Vec<String>> {
    let start = dom
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("no table for chart {id}"));
    let body = &dom[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|c| c[..c.find("</td>").unwrap()].to_string())
                .collect()
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0) || (a.is_nan() && b.is_nan())
}

/// The initiators of the requests a page made, from a Chromium network log.
fn page_requests(log: &str) -> Vec<String> {
    log.split("\"initiator\":\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .filter(|who| who != "not an origin")
        .collect()
}

#[test]
fn the_network_check_sees_a_page_that_fetches() {
    // The check above can fail: a page with a remote image is caught.
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("fetches.html");
    fs::write(
        &page,
        "<!DOCTYPE html><img src=\"http://127.0.0.1:9/x.png\"><p>x</p>",
    )
    .unwrap();
    let netlog = dir.path().join("netlog.json");
    let status = browser(&dir.path().join("profile"))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    assert!(!page_requests(&fs::read_to_string(&netlog).unwrap()).is_empty());
}

#[test]
fn a_run_report_renders_offline_and_its_tables_equal_the_csv_files() {
    let dir = TempDir::new().unwrap();
    let out = run_with_report(dir.path());
    let page = out.join("report.html");
    let html = fs::read_to_string(&page).unwrap();
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"));
    // No script, and nothing that points outside the page (SVG's namespace name is no request).
    assert!(!html.contains("<script"));
    for link in ["src=", "href=", "url(", "@import"] {
        assert!(!html.contains(link), "the page links out with {link}");
    }

    let profile = dir.path().join("profile");
    let netlog = dir.path().join("netlog.json");
    let dom = browser(&profile)
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    // No request leaves the page. The browser's own background requests carry no origin;
    // anything the page asks for carries the page's (`null` for a file).
    let log = fs::read_to_string(&netlog).unwrap();
    assert!(log.contains("\"events\""), "the network log was written");
    assert_eq!(
        page_requests(&log),
        Vec::<String>::new(),
        "requests left the page"
    );
    // Every chart is an SVG with content.
    let sections = dom.matches("<section").count();
    assert!(sections >= 9, "{sections} sections");
    let figures: Vec<&str> = dom.split("<figure>").skip(1).collect();
    assert_eq!(figures.len(), sections);
    for f in &figures {
        let svg = &f[..f.find("</figure>").unwrap()];
        assert!(
            svg.trim_start().starts_with("<svg"),
            "a chart is not an SVG"
        );
        let marks = svg.matches("<polyline").count()
            + svg.matches("<polygon").count()
            + svg.matches("<rect").count()
            + svg.matches("<path").count();
        assert!(marks > 5, "an SVG with almost nothing drawn");
        assert!(svg.contains("<text"), "axes without labels");
    }
    // The members table: per day, the median over replicates of each column of timeseries.csv.
    let ts = out.join("timeseries.csv");
    let (days, lurkers, posters) = (
        column(&ts, "day"),
        column(&ts, "lurkers"),
        column(&ts, "posters"),
    );
    let mut by_day: BTreeMap<i64, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for i in 0..days.len() {
        let e = by_day.entry(days[i] as i64).or_default();
        e.0.push(lurkers[i]);
        e.1.push(posters[i]);
    }
    let rows = table_in(&dom, "members");
    assert_eq!(rows.len(), by_day.len(), "a row a day");
    for (row, (day, (l, p))) in rows.iter().zip(by_day) {
        assert_eq!(row[0].parse::<f64>().unwrap(), day as f64);
        assert!(
            close(row[1].parse().unwrap(), median(l)),
            "lurkers on day {day}"
        );
        assert!(
            close(row[2].parse().unwrap(), median(p)),
            "posters on day {day}"
        );
    }
    // The funnel table: the mean over replicates of each stage of funnel.csv.
    let funnel = out.join("funnel.csv");
    for row in table_in(&dom, "funnel") {
        let values = column(&funnel, &row[0]);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        assert!(
            close(row[1].parse().unwrap(), mean),
            "funnel stage {}",
            row[0]
        );
    }
    // The inequality table holds the summary's recorded shares (medians over replicates).
    let summary = out.join("summary.csv");
    let lorenz = table_in(&dom, "lorenz");
    let top1 = median(column(&summary, "top1_post_share"));
    assert!(lorenz
        .iter()
        .any(|r| r[0] == "0.99" && close(r[1].parse().unwrap(), 1.0 - top1)));

    // The screenshot is not blank: many pixels are neither white nor one flat colour.
    let shot = dir.path().join("shot.png");
    let status = browser(&profile)
        .args(["--window-size=1000,2400"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .status()
        .unwrap();
    assert!(status.success());
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let pixels = bytes.len() / channels;
    let inked = bytes
        .chunks(channels)
        .filter(|px| px[..3].iter().any(|&c| c < 200))
        .count();
    let share = inked as f64 / pixels as f64;
    assert!(
        share > 0.02,
        "the page looks blank: {share:.4} of pixels inked"
    );
}

#[test]
fn a_run_report_shows_the_teams_overtime_when_it_worked_some() {
    // The doctors' group answered by a team with ten minutes a day and an hour of overtime.
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("team");
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/doctor-consultation-group.toml");
    agora()
        .arg("run")
        .arg(scenario)
        .args(["--replicates", "3", "--days", "90", "--report", "--out"])
        .arg(&out)
        .args([
            "--set",
            "rules.moderators_per_group=0",
            "--set",
            "rules.daily_cost=0",
            "--set",
            "team.answers_per_day=50",
            "--set",
            "team.minutes_per_day=10",
            "--set",
            "team.overtime_minutes=60",
            "--set",
            "team.burnout_after=400",
        ])
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    // Per day, the median over replicates of timeseries.csv's overtime.
    let ts = out.join("timeseries.csv");
    let (days, overtime) = (column(&ts, "day"), column(&ts, "overtime"));
    let mut by_day: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for (d, m) in days.iter().zip(overtime) {
        by_day.entry(*d as i64).or_default().push(m);
    }
    let rows = table_in(&html, "team");
    assert_eq!(rows.len(), by_day.len(), "a row a day");
    for (row, (day, minutes)) in rows.iter().zip(by_day) {
        assert_eq!(row[0].parse::<f64>().unwrap(), day as f64);
        assert!(close(row[1].parse().unwrap(), median(minutes)), "day {day}");
    }
    // The reading gives the medians of the summary's total overtime and days away.
    let summary = out.join("summary.csv");
    let (worked, away) = (
        median(column(&summary, "team_overtime")),
        median(column(&summary, "team_days_away")),
    );
    assert!(away > 0.0, "the team burnt out");
    let reading = format!("about {worked:.0} minutes past its time budget and was away");
    assert!(html.contains(&reading), "{reading}");
    assert!(html.contains(&format!("burnt out, on {away:.0} days")));
    // A run without overtime has no such section.
    let plain = fs::read_to_string(run_with_report(dir.path()).join("report.html")).unwrap();
    assert!(!plain.contains("data-chart=\"team\""));
}

#[test]
fn a_report_is_made_from_a_folder_moved_elsewhere() {
    let dir = TempDir::new().unwrap();
    let out = run_with_report(dir.path());
    let moved = dir.path().join("elsewhere/copied");
    fs::create_dir_all(moved.parent().unwrap()).unwrap();
    fs::rename(&out, &moved).unwrap();
    let before = fs::read_to_string(moved.join("report.html")).unwrap();
    fs::remove_file(moved.join("report.html")).unwrap();
    agora().arg("report").arg(&moved).assert().success();
    let after = fs::read_to_string(moved.join("report.html")).unwrap();
    // The same page, but for the line that says when it was made.
    let without_date = |s: &str| {
        s.lines()
            .flat_map(|l| l.split("<dd>"))
            .filter(|l| !l.starts_with("20"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_date(&before), without_date(&after));
}

#[test]
fn report_refuses_what_is_not_a_results_folder() {
    let dir = TempDir::new().unwrap();
    let e = agora().arg("report").arg(dir.path()).assert().failure();
    let stderr = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(stderr.contains("not a results folder"), "{stderr}");
    let e = agora()
        .arg("report")
        .arg(dir.path().join("missing"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&e.get_output().stderr).to_string();
    assert!(stderr.contains("missing"), "{stderr}");
}

/// Opens `page` in the browser: returns its DOM after checking that no request left it and that
/// every section's chart is an SVG with marks and text.
fn look(page: &Path, scratch: &Path) -> String {
    let netlog = scratch.join("look-netlog.json");
    let out = browser(&scratch.join("look-profile"))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        page_requests(&fs::read_to_string(&netlog).unwrap()),
        Vec::<String>::new()
    );
    let dom = String::from_utf8(out.stdout).unwrap();
    let figures: Vec<&str> = dom.split("<figure>").skip(1).collect();
    assert!(!figures.is_empty());
    assert_eq!(figures.len(), dom.matches("<section").count());
    for f in figures {
        let svg = &f[..f.find("</figure>").unwrap()];
        assert!(svg.trim_start().starts_with("<svg") && svg.contains("<text"));
    }
    dom
}

/// Checks that the table of chart `id` holds, cell for cell, `expected` (numbers compared as
/// numbers).
fn same_numbers(dom: &str, id: &str, expected: &[Vec<String>]) {
    let rows = table_in(dom, id);
    assert_eq!(rows.len(), expected.len(), "{id}: rows");
    for (r, e) in rows.iter().zip(expected) {
        assert_eq!(r.len(), e.len(), "{id}: cells");
        for (a, b) in r.iter().zip(e) {
            match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!(close(x, y), "{id}: {a} vs {b}"),
                _ => assert_eq!(a, b, "{id}"),
            }
        }
    }
}

fn pick(path: &Path, columns: &[&str]) -> Vec<Vec<String>> {
    let (h, rows) = table(path);
    let at: Vec<usize> = columns
        .iter()
        .map(|c| h.iter().position(|x| x == c).unwrap())
        .collect();
    rows.iter()
        .map(|r| at.iter().map(|&i| r[i].clone()).collect())
        .collect()
}

fn fan_club() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/brand-fan-club.toml")
        .display()
        .to_string()
}

#[test]
fn sweep_comparison_and_calibration_reports_render_and_match_their_csv_files() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    // A sweep over one axis.
    let sweep = write(
        d,
        "sweep.toml",
        &format!(
            "name = \"s\"\nbase = \"{}\"\nreplicates = 2\nset = {{ \"population.size\" = 2000, \
             days = 40 }}\n[[axes]]\nkey = \"acquisition.word_of_mouth\"\nvalues = [0.02, 0.06, \
             0.1]\n",
            fan_club()
        ),
    );
    agora()
        .arg("sweep")
        .arg(&sweep)
        .args(["--report", "--out"])
        .arg(d.join("s"))
        .assert()
        .success();
    let dom = look(&d.join("s/report.html"), d);
    same_numbers(
        &dom,
        "axis-final_members",
        &pick(
            &d.join("s/points.csv"),
            &[
                "acquisition.word_of_mouth",
                "final_members_mean",
                "final_members_ci_low",
                "final_members_ci_high",
            ],
        ),
    );
    // A comparison with trajectories.
    let compare = write(
        d,
        "compare.toml",
        &format!(
            "name = \"c\"\nbase = \"{}\"\nreplicates = 3\nset = {{ \"population.size\" = 2000, \
             days = 40 }}\nmetrics = [\"final_members\"]\n[[policies]]\nname = \"as it is\"\n\
             [[policies]]\nname = \"referral reward\"\nset = {{ \"incentives.referral_reward\" = \
             5.0 }}\n",
            fan_club()
        ),
    );
    agora()
        .arg("compare")
        .arg(&compare)
        .args(["--report", "--timeseries", "--out"])
        .arg(d.join("c"))
        .assert()
        .success();
    let dom = look(&d.join("c/report.html"), d);
    let c = d.join("c/compare.csv");
    same_numbers(
        &dom,
        "paired-final_members",
        &pick(
            &c,
            &[
                "policy",
                "final_members_diff",
                "final_members_diff_ci_low",
                "final_members_diff_ci_high",
            ],
        ),
    );
    same_numbers(&dom, "p-best", &pick(&c, &["policy", "p_best"]));
    assert!(dom.contains("id=\"trajectories\""));
    assert!(dom.contains("id=\"members-went\""));
    // A calibration to a target and a short observed series.
    write(d, "observed.csv", "day,members\n10,120\n20,260\n30,400\n");
    let calibration = write(
        d,
        "cal.toml",
        &format!(
            "name = \"k\"\nbase = \"{}\"\nreplicates = 1\nset = {{ \"population.size\" = 2000, \
             days = 30 }}\n[observed]\nfile = \"observed.csv\"\n[[parameters]]\nkey = \
             \"acquisition.word_of_mouth\"\nprior = {{ uniform = [0.0, 0.2] }}\n[abc]\n\
             particles = 20\ngenerations = 1\n",
            fan_club()
        ),
    );
    agora()
        .arg("calibrate")
        .arg(&calibration)
        .args(["--report", "--out"])
        .arg(d.join("k"))
        .assert()
        .success();
    let dom = look(&d.join("k/report.html"), d);
    same_numbers(
        &dom,
        "tolerance",
        &pick(
            &d.join("k/generations.csv"),
            &["generation", "tolerance", "acceptance_rate"],
        ),
    );
    same_numbers(
        &dom,
        "predictive-members",
        &pick(
            &d.join("k/predictive.csv"),
            &["day", "observed", "median", "q05", "q95"],
        ),
    );
    assert!(dom.contains("id=\"posterior-acquisition.word_of_mouth\""));
}
