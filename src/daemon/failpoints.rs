//! Named failpoints for crash-consistency and panic-containment tests of the real
//! binary. Debug builds only: `RECOND_FAILPOINT=point[:file][,point[:file]…]`, where
//! `point` is `exit_before_archive` (the process dies right after the database commit,
//! before the file moves) or `panic_in_ingest` (the job for that file panics).
//! Release builds compile this to nothing.

/// Triggers the failpoint `point` for `file` if the environment asks for it.
pub fn hit(point: &str, file: &str) {
    #[cfg(debug_assertions)]
    {
        let Ok(spec) = std::env::var("RECOND_FAILPOINT") else {
            return;
        };
        for part in spec.split(',') {
            let (name, target) = part.split_once(':').unwrap_or((part, ""));
            if name != point || !(target.is_empty() || target == file) {
                continue;
            }
            match point {
                "panic_in_ingest" => panic!("failpoint {point} on {file}"),
                _ => std::process::exit(86),
            }
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (point, file);
}
