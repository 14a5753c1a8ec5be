//! Operational events: each one logs a structured line and bumps the counters that
//! `/metrics` and `recond status` read, in one place.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::pipeline::ingest::FileReport;
use crate::store::files::Outcome;

/// Counters since the process started.
#[derive(Debug, Default)]
pub struct Metrics {
    files_ingested: AtomicU64,
    files_rejected: AtomicU64,
    files_duplicate: AtomicU64,
    transactions_stored: AtomicU64,
    transactions_known: AtomicU64,
    payments_applied: AtomicU64,
    exceptions: AtomicU64,
    erp_imports: AtomicU64,
    erp_rejected: AtomicU64,
    rematch_runs: AtomicU64,
    processing_micros: AtomicU64,
    internal_errors: AtomicU64,
}

impl Metrics {
    /// A bank file was processed (whatever the outcome).
    pub fn file_processed(&self, report: &FileReport, elapsed: Duration) {
        let counter = match report.outcome {
            Outcome::Ingested => &self.files_ingested,
            Outcome::Rejected => &self.files_rejected,
            Outcome::Duplicate => &self.files_duplicate,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.transactions_stored
            .fetch_add(report.transactions_stored as u64, Ordering::Relaxed);
        self.transactions_known
            .fetch_add(report.transactions_known as u64, Ordering::Relaxed);
        self.payments_applied.fetch_add(
            (report.run.applied + report.run.partially_applied) as u64,
            Ordering::Relaxed,
        );
        self.exceptions
            .fetch_add(report.run.exceptions as u64, Ordering::Relaxed);
        self.processing_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        match report.outcome {
            Outcome::Ingested => tracing::info!(
                message = "File ingested.",
                file = %report.file_name,
                format = report.format.as_deref().unwrap_or("-"),
                transactions_stored = report.transactions_stored,
                transactions_known = report.transactions_known,
                applied = report.run.applied,
                exceptions = report.run.exceptions,
                duration_ms = elapsed.as_millis() as u64,
            ),
            Outcome::Duplicate => {
                tracing::info!(message = "Duplicate file skipped.", file = %report.file_name, sha256 = %report.sha256)
            }
            Outcome::Rejected => {
                tracing::warn!(message = "File quarantined.", file = %report.file_name, reason = report.reason.as_deref().unwrap_or("-"))
            }
        }
    }

    pub fn erp_imported(&self, file: &str, rows: usize) {
        self.erp_imports.fetch_add(1, Ordering::Relaxed);
        tracing::info!(message = "ERP file imported.", file, rows);
    }

    pub fn erp_rejected(&self, file: &str, reason: &str) {
        self.erp_rejected.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(message = "ERP file quarantined.", file, reason);
    }

    pub fn rematched(&self, payments: usize, applied: usize) {
        self.rematch_runs.fetch_add(1, Ordering::Relaxed);
        tracing::info!(message = "Re-match run completed.", payments, applied);
    }

    pub fn internal_error(&self, file: &str, error: &str) {
        self.internal_errors.fetch_add(1, Ordering::Relaxed);
        tracing::error!(
            message = "Internal error while processing a file.",
            file,
            error
        );
    }

    /// Prometheus text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, labels: &[(&str, u64)]| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n"));
            for (label, value) in labels {
                if label.is_empty() {
                    out.push_str(&format!("{name} {value}\n"));
                } else {
                    out.push_str(&format!("{name}{{{label}}} {value}\n"));
                }
            }
        };
        counter(
            "recond_files_total",
            "Bank files processed, by outcome.",
            &[
                ("outcome=\"ingested\"", get(&self.files_ingested)),
                ("outcome=\"rejected\"", get(&self.files_rejected)),
                ("outcome=\"duplicate\"", get(&self.files_duplicate)),
            ],
        );
        counter(
            "recond_transactions_total",
            "Bank transactions read, by whether they were new.",
            &[
                ("kind=\"stored\"", get(&self.transactions_stored)),
                ("kind=\"known\"", get(&self.transactions_known)),
            ],
        );
        counter(
            "recond_payments_applied_total",
            "Payments applied in full or in part by ingest runs.",
            &[("", get(&self.payments_applied))],
        );
        counter(
            "recond_exceptions_total",
            "Exceptions left open by ingest runs.",
            &[("", get(&self.exceptions))],
        );
        counter(
            "recond_erp_files_total",
            "ERP customer and invoice files, by outcome.",
            &[
                ("outcome=\"imported\"", get(&self.erp_imports)),
                ("outcome=\"rejected\"", get(&self.erp_rejected)),
            ],
        );
        counter(
            "recond_rematch_runs_total",
            "Re-match runs (scheduled or after ERP imports).",
            &[("", get(&self.rematch_runs))],
        );
        counter(
            "recond_internal_errors_total",
            "Files that hit an internal error (quarantined).",
            &[("", get(&self.internal_errors))],
        );
        let micros = get(&self.processing_micros);
        out.push_str(
            "# HELP recond_file_processing_seconds_total Time spent processing bank files.\n",
        );
        out.push_str("# TYPE recond_file_processing_seconds_total counter\n");
        out.push_str(&format!(
            "recond_file_processing_seconds_total {}.{:06}\n",
            micros / 1_000_000,
            micros % 1_000_000
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_prometheus_text() {
        let metrics = super::Metrics::default();
        let text = metrics.render();
        assert!(
            text.contains(
                "# TYPE recond_files_total counter\nrecond_files_total{outcome=\"ingested\"} 0\n"
            ),
            "{text}"
        );
        assert!(text.contains("recond_file_processing_seconds_total 0.000000\n"));
    }
}
