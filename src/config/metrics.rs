//! `[metrics]`: where the cockpit serves Prometheus metrics (`check --watch` takes `--metrics`
//! instead, so a watch and a cockpit on one config never fight over the port).

use super::secret::EnvString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::net::SocketAddr;

/// `/metrics` for Prometheus, served by the cockpit (`check --watch` takes `--metrics`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Where the cockpit serves `/metrics` in the Prometheus text format: an IP address and a
    /// port, e.g. "127.0.0.1:9464". Without it, no endpoint.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "show_addr",
        deserialize_with = "listen_addr"
    )]
    #[schemars(with = "Option<String>")]
    pub listen: Option<SocketAddr>,
    /// Allow `listen` on an address other than loopback (anyone who reaches it reads the
    /// gates); false by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
}

impl MetricsConfig {
    /// What is wrong with the section, by key.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let Some(addr) = self.listen else {
            return Vec::new();
        };
        match crate::metrics::check_listen(addr, self.public, "`public = true` in [metrics]") {
            Ok(()) => Vec::new(),
            Err(why) => vec![("listen", format!("[metrics] listen: {why}"))],
        }
    }
}

fn listen_addr<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SocketAddr>, D::Error> {
    let written = EnvString::deserialize(d)?;
    let text = written.as_str().trim();
    text.parse().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "listen: `{}` is not an IP address and port like \"127.0.0.1:9464\"",
            crate::text::sanitize_short(text, 60)
        ))
    })
}

fn show_addr<S: Serializer>(addr: &Option<SocketAddr>, s: S) -> Result<S::Ok, S::Error> {
    match addr {
        Some(addr) => s.serialize_str(&addr.to_string()),
        None => s.serialize_none(),
    }
}
