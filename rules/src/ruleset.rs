//! The engine's settings: which rules run and how sure they must be.

use crate::decision::Confidence;

/// Rule switches and thresholds, validated by the shell from the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    /// Decisions below this confidence are not applied; their candidates become
    /// suggestions on an exception.
    pub auto_apply_confidence_min: Confidence,
    /// Suggestions kept on an exception.
    pub suggestions_max: usize,
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet {
            auto_apply_confidence_min: Confidence::from_per_mille(900),
            suggestions_max: 5,
        }
    }
}
