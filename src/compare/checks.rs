//! Comparisons that cannot be answered, refused before any run.

use super::Comparison;
use crate::scenario::{Scenario, ScenarioError, TomlSource};

impl Comparison {
    /// What a comparison that runs should still be warned of: a lone policy (outside a robust
    /// comparison, where one policy is a prediction), and each of its scenarios' warnings once.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.policies.len() == 1 && self.robust.is_none() {
            out.push(
                "one policy, nothing to compare it with: its rank and P(best) say nothing (add \
                 a second [[policies]], or use agora run)"
                    .to_string(),
            );
        }
        for w in self.scenarios.iter().flat_map(|s| s.warnings()) {
            let w = w.to_string();
            if !out.contains(&w) {
                out.push(w);
            }
        }
        out
    }
}

/// Refuses two policies that are the same scenario (their resolved files equal, under the
/// first draw of the unknown constants): they would be ranked 1 and 2 on nothing but chance.
pub(super) fn check_policies_differ(
    source: &TomlSource,
    names: &[String],
    scenarios: &[Scenario],
    draws: usize,
) -> Result<(), ScenarioError> {
    let resolved: Vec<String> = (0..names.len())
        .map(|p| scenarios[p * draws].to_toml())
        .collect();
    for j in 1..names.len() {
        if let Some(i) = (0..j).find(|&i| resolved[i] == resolved[j]) {
            return Err(source.error(
                &format!("policies.{j}.set"),
                format!(
                    "policy `{}` is the same scenario as policy `{}`: set something that \
                     differs, or drop one",
                    names[j], names[i]
                ),
                None,
            ));
        }
    }
    Ok(())
}
