//! Prometheus (and compatible: Mimir, Thanos, VictoriaMetrics, Grafana Cloud) instant queries.
//! A gate needs one number: a scalar or a one-sample vector. No data, NaN and several samples are
//! "could not tell", never a pass.

use super::policy::{self, RetryPolicy, read_body};
use super::{BODY_CAP, EXCERPT};
use crate::config::{HeaderMap, PrometheusConfig};
use crate::gate::{Observation, Value};
use crate::text::Redactor;
use serde::Deserialize;
use tokio::time::Instant;

#[derive(Clone)]
pub struct PromClient {
    http: reqwest::Client,
    endpoint: String,
    basic_auth: Option<(String, String)>,
    headers: HeaderMap,
}

impl PromClient {
    pub fn new(http: reqwest::Client, config: &PrometheusConfig) -> PromClient {
        let (base, basic_auth) = split_credentials(config.url.expose());
        PromClient {
            http,
            endpoint: format!("{}/api/v1/query", base.trim_end_matches('/')),
            basic_auth,
            headers: config.headers.clone(),
        }
    }

    pub async fn query(
        &self,
        promql: &str,
        policy: &RetryPolicy,
        deadline: Instant,
        redactor: &Redactor,
    ) -> Result<Observation, String> {
        let make = || {
            let mut req = self.http.get(&self.endpoint).query(&[("query", promql)]);
            if let Some((user, pass)) = &self.basic_auth {
                req = req.basic_auth(user, Some(pass));
            }
            for (name, value) in self.headers.iter() {
                req = req.header(name, value);
            }
            req
        };
        let sent = policy::send(make, policy, deadline)
            .await
            .map_err(|e| format!("prometheus: {e}"))?;
        let status = sent.response.status();
        let body = read_body(sent.response, BODY_CAP)
            .await
            .map_err(|e| format!("prometheus: {e}"))?;
        parse_response(
            status.as_u16(),
            &body,
            sent.attempts,
            sent.gave_up.as_deref(),
            redactor,
        )
    }
}

/// Splits `https://user:pass@host/prefix` into the URL without credentials and basic-auth parts.
pub fn split_credentials(raw: &str) -> (String, Option<(String, String)>) {
    match url::Url::parse(raw) {
        Ok(mut url) if !url.username().is_empty() => {
            let user = decode(url.username());
            let pass = decode(url.password().unwrap_or(""));
            let _ = url.set_username("");
            let _ = url.set_password(None);
            (url.to_string(), Some((user, pass)))
        }
        _ => (raw.to_owned(), None),
    }
}

fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct Sample {
    #[serde(default)]
    metric: serde_json::Map<String, serde_json::Value>,
    value: (serde_json::Value, String),
}

/// Turns a Prometheus HTTP answer into a gate value or the reason there is none.
pub fn parse_response(
    status: u16,
    body: &[u8],
    attempts: u32,
    gave_up: Option<&str>,
    redactor: &Redactor,
) -> Result<Observation, String> {
    let after = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let why = gave_up.map(|g| format!("; {g}")).unwrap_or_default();
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(_) if status >= 400 => {
            return Err(format!(
                "prometheus: HTTP {status}{after}{why}: {}",
                redactor.body_excerpt(body, EXCERPT)
            ));
        }
        Err(e) => {
            return Err(format!(
                "prometheus: unreadable answer ({e}): {}",
                redactor.body_excerpt(body, EXCERPT)
            ));
        }
    };
    if envelope.status != "success" {
        // VictoriaMetrics puts a number in errorType: read it as an open string.
        let kind = match envelope.error_type {
            Some(serde_json::Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => format!("HTTP {status}"),
        };
        let error = envelope.error.unwrap_or_default();
        return Err(redactor.excerpt(&format!("prometheus {kind}{after}: {error}"), 300));
    }
    let data = envelope.data.ok_or("prometheus: success without data")?;
    let warnings = (!envelope.warnings.is_empty())
        .then(|| format!("warnings: {}", envelope.warnings.join("; ")));
    let number = |s: &str| -> Result<Value, String> {
        let n = Value::Text(s.to_owned()).as_number().ok_or_else(|| {
            format!(
                "prometheus: value {:?} is not a number",
                redactor.excerpt(s, 40)
            )
        })?;
        if n.is_nan() {
            return Err("prometheus: value is NaN".into());
        }
        Ok(Value::Number(n))
    };
    let (value, labels) = match data.result_type.as_str() {
        "scalar" => {
            let (_, v): (serde_json::Value, String) = serde_json::from_value(data.result)
                .map_err(|e| format!("prometheus: bad scalar: {e}"))?;
            (number(&v)?, None)
        }
        "string" => {
            let (_, v): (serde_json::Value, String) = serde_json::from_value(data.result)
                .map_err(|e| format!("prometheus: bad string: {e}"))?;
            (Value::Text(redactor.excerpt(&v, 200)), None)
        }
        "vector" => {
            let samples: Vec<Sample> = serde_json::from_value(data.result)
                .map_err(|e| format!("prometheus: bad vector: {e}"))?;
            match samples.as_slice() {
                [] => return Err("prometheus: no data (empty result)".into()),
                [one] => (number(&one.value.1)?, Some(labels_text(&one.metric))),
                many => {
                    return Err(format!(
                        "prometheus: {} series returned, the gate needs one (aggregate with min/max/sum)",
                        many.len()
                    ));
                }
            }
        }
        other => {
            return Err(format!(
                "prometheus: result type `{other}` is not usable; use an instant vector or scalar"
            ));
        }
    };
    let detail = [labels.filter(|l| !l.is_empty()), warnings]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
    Ok(Observation {
        value,
        detail: (!detail.is_empty()).then(|| redactor.excerpt(&detail, 200)),
    })
}

fn labels_text(metric: &serde_json::Map<String, serde_json::Value>) -> String {
    let parts: Vec<String> = metric
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            )
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Result<Observation, String> {
        parse_response(200, body.as_bytes(), 1, None, &Redactor::default())
    }

    #[test]
    fn reads_one_sample_vectors_and_scalars() {
        let v = ok(r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"x"},"value":[1788443050.781,"1"]}]}}"#).unwrap();
        assert_eq!(v.value, Value::Number(1.0));
        assert_eq!(v.detail.as_deref(), Some("{job=x}"));
        let v = ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1788443050.781,"97920.5"]}}"#).unwrap();
        assert_eq!(v.value, Value::Number(97920.5));
        let v = ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}"#)
            .unwrap();
        assert_eq!(v.value, Value::Number(f64::INFINITY));
    }

    #[test]
    fn no_data_nan_and_many_series_are_unknown() {
        assert!(
            ok(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
                .unwrap_err()
                .contains("no data")
        );
        assert!(
            ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}}"#)
                .unwrap_err()
                .contains("NaN")
        );
        let two = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},{"metric":{},"value":[1,"0"]}]}}"#;
        assert!(ok(two).unwrap_err().contains("2 series"));
        assert!(ok(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#).is_err());
    }

    #[test]
    fn errors_keep_their_type_including_numeric_ones() {
        let e = parse_response(
            400,
            br#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#,
            1,
            None,
            &Redactor::default(),
        )
        .unwrap_err();
        assert_eq!(e, "prometheus bad_data: parse error at char 4");
        let e = parse_response(
            422,
            br#"{"status":"error","errorType":"422","error":"boom"}"#,
            1,
            None,
            &Redactor::default(),
        )
        .unwrap_err();
        assert!(e.contains("422"), "{e}");
        let e =
            parse_response(503, b"Service Unavailable", 4, None, &Redactor::default()).unwrap_err();
        assert!(e.contains("HTTP 503 after 4 attempts"), "{e}");
    }

    #[test]
    fn warnings_are_shown() {
        let v = ok(r#"{"status":"success","warnings":["partial response"],"data":{"resultType":"scalar","result":[1,"3"]}}"#).unwrap();
        assert_eq!(v.detail.as_deref(), Some("warnings: partial response"));
    }

    #[test]
    fn credentials_move_to_basic_auth() {
        let (url, auth) = split_credentials("https://123:glc%2Fkey@prom.grafana.net/api/prom");
        assert_eq!(url, "https://prom.grafana.net/api/prom");
        assert_eq!(auth, Some(("123".into(), "glc/key".into())));
        assert_eq!(split_credentials("http://127.0.0.1:9090").1, None);
    }
}
