//! Time stamps for what agora writes about itself (who holds a folder, when a set was written):
//! UTC, RFC 3339, to the second. Never used by the model.

/// Now, as `2026-11-23T15:04:05Z`.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
