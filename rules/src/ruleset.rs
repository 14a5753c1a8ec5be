//! The engine's settings: which rules run and how sure they must be.

use serde::Deserialize;

use crate::decision::Confidence;

/// Rule switches and thresholds, read from the `[matching]` table of the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSet {
    /// Decisions below this confidence (per mille) are not applied; their candidates
    /// become suggestions on an exception.
    pub auto_apply_confidence_min: u16,
    /// Suggestions kept on an exception.
    pub suggestions_max: usize,
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet {
            auto_apply_confidence_min: 900,
            suggestions_max: 5,
        }
    }
}

impl RuleSet {
    pub fn auto_apply_confidence(&self) -> Confidence {
        Confidence::from_per_mille(self.auto_apply_confidence_min)
    }

    /// Checks the settings, naming the offending key.
    pub fn validate(&self) -> Result<(), String> {
        if self.auto_apply_confidence_min > 1000 {
            return Err(format!(
                "auto_apply_confidence_min: must be at most 1000 (per mille), found {}",
                self.auto_apply_confidence_min
            ));
        }
        Ok(())
    }
}
