//! The scenario: everything an operator states about a community strategy and the population it
//! is tried on.
//!
//! Three types, one direction:
//! 1. the file as read (`file`, private here): every key declared once with its default, range,
//!    unit and meaning (`keys`);
//! 2. [`Scenario`]: a file that passed the document check (`schema`) and the cross-key rules
//!    (`validate`). It can only be built by [`load_file`], [`load_str`] or [`load_source`];
//! 3. [`Coefficients`]: what the scenario means to the model, in the types the rules compute in,
//!    built once at validation. `model/`, `population/` and `engine/` read only these.

mod calendar;
mod coefficients;
mod docs;
mod file;
pub mod keys;
mod lint;
mod load;
mod schema;
mod validate;
mod weights;

pub use calendar::{habituation, Calendar, EventDay};
pub use coefficients::{
    AcquisitionCoefficients, BadgeLevels, Coefficients, CommunityCoefficients, EntryCoefficients,
    ModerationCoefficients, NetworkSpec, NormalDraw, PopulationCoefficients, RedEnvelopeTerms,
    Rewards, Sales, SegmentDraw, TeamCoefficients, Tier, ValueCoefficients,
};
pub use docs::{
    key_listing, markdown_table, markdown_tables, section_marker, section_paths, starter_file,
};
pub use file::{
    AdsRule, EntryKind, EventKind, Founders, NetworkKind, MAX_DAYS, MAX_MESSAGES_A_DAY,
    MAX_REPLICATES, MAX_SIZE,
};
pub use load::{
    item_at, load_file, load_source, load_str, scenario_schema, Origin, Override, ScenarioError,
    TomlSource, BATCH_MARKERS,
};
pub use schema::{found, generic_path, nearest, value_text, Problem, Schema};
pub use weights::Weights;

use file::ScenarioFile;

/// The eight needs people bring to a group, in the order used everywhere in agora.
pub const NEED_NAMES: [&str; 8] = [
    "service",
    "work",
    "contact",
    "friendship",
    "life",
    "belonging",
    "promotion",
    "learning",
];

/// A validated scenario: one run of the model, with its engine-ready coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    file: ScenarioFile,
    coefficients: Coefficients,
    /// Levers that cannot act, located as errors are (file, line, key), for stderr.
    warnings: Vec<ScenarioError>,
}

impl Scenario {
    /// Wraps a file that passed every check.
    fn from_valid(file: ScenarioFile, warnings: Vec<ScenarioError>) -> Scenario {
        let coefficients = Coefficients::new(&file);
        Scenario {
            file,
            coefficients,
            warnings,
        }
    }

    /// Levers of this scenario that cannot act (it still runs): one each, naming the file, the
    /// line and the key.
    pub fn warnings(&self) -> &[ScenarioError] {
        &self.warnings
    }

    /// The warnings, re-attributed (e.g. to the line of a sweep file that set the value).
    pub fn map_warnings(mut self, f: impl Fn(ScenarioError) -> ScenarioError) -> Scenario {
        self.warnings = self.warnings.into_iter().map(f).collect();
        self
    }

    /// Name of the scenario; results go to `results/<name>/` by default.
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// Simulated days.
    pub fn days(&self) -> u32 {
        self.file.days
    }

    /// Master seed.
    pub fn seed(&self) -> u64 {
        self.file.seed
    }

    /// Independent replicates.
    pub fn replicates(&self) -> u32 {
        self.file.replicates
    }

    /// Number of agents.
    pub fn size(&self) -> u64 {
        self.file.population.size
    }

    /// What the scenario means to the model.
    pub fn coefficients(&self) -> &Coefficients {
        &self.coefficients
    }

    /// The scenario as a complete TOML file, every default written out: `agora run` on it
    /// reproduces the run byte for byte.
    pub fn to_toml(&self) -> String {
        toml_edit::ser::to_string_pretty(&self.file).expect("a scenario always serialises to TOML")
    }
}
