//! What a comparison that runs should still be told: a lone policy, two policies that are the same
//! scenario (their ranks are chance), and its scenarios' own warnings.

use super::Comparison;

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
        let draws = self.draws();
        let resolved: Vec<String> = (0..self.policies.len())
            .map(|p| self.scenarios[p * draws].to_toml())
            .collect();
        for j in 1..resolved.len() {
            if let Some(i) = (0..j).find(|&i| resolved[i] == resolved[j]) {
                out.push(format!(
                    "policy `{}` is the same scenario as policy `{}`: their ranks are chance",
                    self.policies[j], self.policies[i]
                ));
            }
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
