//! Configuration: one TOML file, documented key by key in `config.example.toml`.
//!
//! Loading goes raw → validated: [`RawConfig`] is what serde reads (unknown keys are
//! errors, so a typo never silently falls back to a default); [`Config`] is checked
//! and resolved (paths, database URL, parser options). Precedence is file < environment
//! (`RECOND_DATA_DIR`, `RECOND_DATABASE_URL`) < command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use parsers::csv_profile::CsvProfile;
use parsers::model::Direction;
use serde::Deserialize;

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub checks: RawChecks,
    #[serde(default)]
    pub bai2: RawBai2,
    #[serde(default)]
    pub csv_profiles: Vec<CsvProfile>,
    #[serde(default)]
    pub matching: rules::RuleSet,
    #[serde(default)]
    pub daemon: RawDaemon,
}

/// `[daemon]`: how `recond serve` watches, listens and schedules.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDaemon {
    pub listen: Option<String>,
    pub inboxes: Option<Vec<PathBuf>>,
    pub erp_inbox: Option<PathBuf>,
    pub rescan_interval_ms: Option<u64>,
    pub settle_ms: Option<u64>,
    pub nightly_rematch_at: Option<String>,
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Validated daemon settings; folders are resolved against the data directory.
#[derive(Debug, Clone)]
pub struct Daemon {
    pub listen: std::net::SocketAddr,
    pub inboxes: Vec<PathBuf>,
    pub erp_inbox: PathBuf,
    pub archive: PathBuf,
    pub quarantine: PathBuf,
    pub rescan_interval: std::time::Duration,
    pub settle: std::time::Duration,
    pub nightly_rematch_at: chrono::NaiveTime,
    pub log_format: LogFormat,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub file_size_bytes_max: Option<u64>,
    pub line_length_bytes_max: Option<usize>,
    pub records_max: Option<u64>,
    pub diagnostics_max: Option<usize>,
    pub xml_depth_max: Option<usize>,
    pub ctx_addenda_max: Option<usize>,
    pub xml_token_bytes_max: Option<usize>,
    pub match_batch_payments: Option<usize>,
}

/// `strict` (a failed check rejects the file) or `warn` (it is reported only).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckMode {
    #[default]
    Strict,
    Warn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChecks {
    #[serde(default)]
    pub balances: CheckMode,
    #[serde(default)]
    pub control_totals: CheckMode,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBai2 {
    /// Type code → "credit", "debit" or "none".
    #[serde(default)]
    pub type_codes: BTreeMap<String, String>,
}

/// The validated configuration the program runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub parser_options: parsers::Options,
    pub csv_profiles: Vec<CsvProfile>,
    pub matching: rules::RuleSet,
    /// Payments the engine decides at a time (`limits.match_batch_payments`).
    pub match_batch_payments: usize,
    pub daemon: Daemon,
}

/// Overrides from the command line, highest precedence.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

impl Config {
    /// Reads `path` (or the defaults when `None`), applies the environment and the
    /// overrides, and validates.
    pub fn load(path: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
        let raw = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("could not read config file {}", path.display()))?;
                parse_raw(&text)
                    .with_context(|| format!("invalid config file {}", path.display()))?
            }
            None => RawConfig::default(),
        };
        Config::from_raw(raw, overrides)
    }

    pub fn from_raw(raw: RawConfig, overrides: &Overrides) -> anyhow::Result<Config> {
        let data_dir = overrides
            .data_dir
            .clone()
            .or_else(|| std::env::var_os("RECOND_DATA_DIR").map(PathBuf::from))
            .or(raw.data_dir)
            .unwrap_or_else(|| PathBuf::from("."));
        let database_url = overrides
            .database_url
            .clone()
            .or_else(|| std::env::var("RECOND_DATABASE_URL").ok())
            .or(raw.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("recond.db").display()));

        let match_batch_payments = raw
            .limits
            .match_batch_payments
            .unwrap_or(crate::pipeline::reconcile::BATCH_PAYMENTS);
        let defaults = parsers::Limits::default();
        let limits = parsers::Limits {
            file_size_bytes_max: raw
                .limits
                .file_size_bytes_max
                .unwrap_or(defaults.file_size_bytes_max),
            line_length_bytes_max: raw
                .limits
                .line_length_bytes_max
                .unwrap_or(defaults.line_length_bytes_max),
            records_max: raw.limits.records_max.unwrap_or(defaults.records_max),
            diagnostics_max: raw
                .limits
                .diagnostics_max
                .unwrap_or(defaults.diagnostics_max),
            xml_depth_max: raw.limits.xml_depth_max.unwrap_or(defaults.xml_depth_max),
            ctx_addenda_max: raw
                .limits
                .ctx_addenda_max
                .unwrap_or(defaults.ctx_addenda_max),
            xml_token_bytes_max: raw
                .limits
                .xml_token_bytes_max
                .unwrap_or(defaults.xml_token_bytes_max),
        };
        for (key, value) in [
            ("limits.line_length_bytes_max", limits.line_length_bytes_max),
            ("limits.diagnostics_max", limits.diagnostics_max),
            ("limits.xml_depth_max", limits.xml_depth_max),
            ("limits.ctx_addenda_max", limits.ctx_addenda_max),
            ("limits.xml_token_bytes_max", limits.xml_token_bytes_max),
            ("limits.match_batch_payments", match_batch_payments),
        ] {
            if value == 0 {
                bail!("`{key}`: must be at least 1, found 0");
            }
        }
        if limits.file_size_bytes_max == 0 || limits.records_max == 0 {
            bail!("`limits.file_size_bytes_max` and `limits.records_max` must be at least 1");
        }

        let mut bai2_type_directions = BTreeMap::new();
        for (code, direction) in &raw.bai2.type_codes {
            let parsed_code: u16 = code
                .parse()
                .ok()
                .filter(|c| (1..=999).contains(c))
                .with_context(|| {
                    format!("`bai2.type_codes`: {code:?} is not a BAI2 type code (001 to 999)")
                })?;
            let parsed_direction = match direction.as_str() {
                "credit" => Some(Direction::Credit),
                "debit" => Some(Direction::Debit),
                "none" => None,
                other => bail!("`bai2.type_codes.{code}`: expected \"credit\", \"debit\" or \"none\", found {other:?}"),
            };
            bai2_type_directions.insert(parsed_code, parsed_direction);
        }

        let mut names = std::collections::BTreeSet::new();
        for profile in &raw.csv_profiles {
            profile
                .validate()
                .map_err(|e| anyhow::anyhow!("`csv_profiles`: {e}"))?;
            if !names.insert(profile.name.clone()) || profile.name == "default" {
                bail!(
                    "`csv_profiles`: profile name {:?} is used twice (\"default\" is built in)",
                    profile.name
                );
            }
        }
        if let Err(errors) = raw.matching.validate() {
            let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
            bail!("{}", listed.join("; "));
        }

        let daemon = resolve_daemon(raw.daemon, &data_dir, overrides)?;
        Ok(Config {
            daemon,
            data_dir,
            database_url,
            parser_options: parsers::Options {
                limits,
                relaxed: parsers::Relaxed {
                    balances: raw.checks.balances == CheckMode::Warn,
                    control_totals: raw.checks.control_totals == CheckMode::Warn,
                },
                bai2_type_directions,
                csv_profile: None,
            },
            csv_profiles: raw.csv_profiles,
            matching: raw.matching,
            match_batch_payments,
        })
    }

    /// Parser options for one file: the CSV profile whose header the file has, if any.
    pub fn parser_options_for(&self, prefix: &[u8]) -> parsers::Options {
        let mut options = self.parser_options.clone();
        options.csv_profile = self
            .csv_profiles
            .iter()
            .find(|profile| profile.matches_header(prefix))
            .cloned();
        options
    }
}

fn resolve_daemon(
    raw: RawDaemon,
    data_dir: &Path,
    overrides: &Overrides,
) -> anyhow::Result<Daemon> {
    let listen_text = overrides
        .listen
        .clone()
        .or(raw.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listen = listen_text.parse().with_context(|| {
        format!(
            "`daemon.listen`: expected an address such as 127.0.0.1:8080, found {listen_text:?}"
        )
    })?;
    let inboxes = raw.inboxes.unwrap_or_else(|| vec![PathBuf::from("inbox")]);
    if inboxes.is_empty() {
        bail!("`daemon.inboxes`: give at least one folder");
    }
    let nightly_text = raw.nightly_rematch_at.unwrap_or_else(|| "02:00".to_owned());
    let nightly_rematch_at = chrono::NaiveTime::parse_from_str(&nightly_text, "%H:%M")
        .with_context(|| {
            format!("`daemon.nightly_rematch_at`: expected a time HH:MM, found {nightly_text:?}")
        })?;
    let rescan_ms = raw.rescan_interval_ms.unwrap_or(5_000);
    if rescan_ms < 100 {
        bail!("`daemon.rescan_interval_ms`: must be at least 100, found {rescan_ms}");
    }
    Ok(Daemon {
        listen,
        inboxes: inboxes.iter().map(|p| data_dir.join(p)).collect(),
        erp_inbox: data_dir.join(raw.erp_inbox.unwrap_or_else(|| PathBuf::from("erp-inbox"))),
        archive: data_dir.join("archive"),
        quarantine: data_dir.join("quarantine"),
        rescan_interval: std::time::Duration::from_millis(rescan_ms),
        settle: std::time::Duration::from_millis(raw.settle_ms.unwrap_or(300)),
        nightly_rematch_at,
        log_format: raw.log_format.unwrap_or_default(),
    })
}

/// Parses config text, with the offending key and line in the error.
pub fn parse_raw(text: &str) -> anyhow::Result<RawConfig> {
    toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_validates() {
        let text = include_str!("../config.example.toml");
        let raw = parse_raw(text).expect("config.example.toml must parse");
        Config::from_raw(raw, &Overrides::default()).expect("config.example.toml must validate");
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        let error = parse_raw("data_dirr = \"x\"").unwrap_err().to_string();
        assert!(error.contains("data_dirr"), "{error}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let raw = parse_raw("[bai2.type_codes]\n951 = \"sideways\"\n").unwrap();
        let error = Config::from_raw(raw, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("bai2.type_codes.951"), "{error}");
    }

    #[test]
    fn command_line_wins_over_file() {
        let raw = parse_raw("database_url = \"sqlite://file.db\"").unwrap();
        let overrides = Overrides {
            database_url: Some("sqlite://cli.db".into()),
            ..Overrides::default()
        };
        assert_eq!(
            Config::from_raw(raw, &overrides).unwrap().database_url,
            "sqlite://cli.db"
        );
    }
}
