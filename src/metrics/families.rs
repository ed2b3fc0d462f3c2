//! gonogo's metric families, in the order a scrape lists them: the verdict, each gate (what it
//! is, its state, value, reading age and time in state), the dispatch counts and the alert
//! deliveries. Every sample carries `launch` and `environment`; states are state sets (one
//! series per state, 1 for the current one, 0 for the others), as Grafana's state timelines
//! and `== 1` alert rules expect.

use super::text::{Exposition, Kind};
use crate::gate::{Board, GateState, Verdict};
use crate::invite::{BatchCounts, MessageState};
use chrono::{DateTime, Utc};

/// What a scrape shows, read under the locks for the moment it takes to render.
pub(super) struct Seen<'a> {
    pub launch: &'a str,
    pub environment: &'a str,
    pub now: DateTime<Utc>,
    pub board: Option<&'a Board>,
    /// Delivery outcome and count.
    pub deliveries: &'a [(&'a str, u64)],
    /// The last dispatch read's counts (sorted by batch), and when it was made.
    pub dispatch: Option<(&'a [BatchCounts], DateTime<Utc>)>,
}

const VERDICTS: [Verdict; 3] = [Verdict::Go, Verdict::NoGo, Verdict::Unknown];
const STATES: [GateState; 4] = [
    GateState::Pass,
    GateState::Fail,
    GateState::Pending,
    GateState::Unknown,
];

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Go => "GO",
        Verdict::NoGo => "NO-GO",
        Verdict::Unknown => "UNKNOWN",
    }
}

fn one_if(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

fn seconds(later: DateTime<Utc>, earlier: DateTime<Utc>) -> f64 {
    ((later - earlier).num_milliseconds().max(0) as f64) / 1000.0
}

pub(super) fn render(seen: &Seen<'_>) -> String {
    let mut out = Exposition::new(vec![
        ("launch", seen.launch.to_owned()),
        ("environment", seen.environment.to_owned()),
    ]);
    let gates = seen.board.map(Board::gates).unwrap_or_default();

    let name = "gonogo_verdict";
    out.family(
        name,
        Kind::Gauge,
        "The overall verdict as a state set: 1 for the current one (GO, NO-GO or UNKNOWN), 0 for the others.",
    );
    if let Some(board) = seen.board {
        let verdict = board.verdict();
        for v in VERDICTS {
            out.sample(name, &[("verdict", verdict_label(v))], one_if(v == verdict));
        }
    }

    let name = "gonogo_gate_info";
    out.family(
        name,
        Kind::Gauge,
        "Each gate watched, always 1: its title and whether the verdict rests on it (required).",
    );
    for g in gates {
        let title = crate::text::sanitize(&g.title);
        let required = if g.required { "true" } else { "false" };
        let labels = [
            ("gate", g.id.as_str()),
            ("title", &title),
            ("required", required),
        ];
        out.sample(name, &labels, 1.0);
    }

    let name = "gonogo_gate_state";
    out.family(
        name,
        Kind::Gauge,
        "Each gate's state as a state set: 1 for the current one (pass, fail, pending or unknown), 0 for the others.",
    );
    for g in gates {
        for s in STATES {
            let labels = [("gate", g.id.as_str()), ("state", s.as_str())];
            out.sample(name, &labels, one_if(g.state == s));
        }
    }

    let name = "gonogo_gate_value";
    out.family(
        name,
        Kind::Gauge,
        "Each gate's last value, when it is a number (absent before the first reading and for text values).",
    );
    for g in gates {
        if let Some(n) = g.value.as_ref().and_then(crate::gate::Value::as_number) {
            out.sample(name, &[("gate", g.id.as_str())], n);
        }
    }

    let name = "gonogo_gate_reading_age_seconds";
    out.family(
        name,
        Kind::Gauge,
        "Seconds since each gate's last reading (absent before the first); past three intervals the gate is unknown.",
    );
    for g in gates {
        if let Some(at) = g.observed_at {
            out.sample(name, &[("gate", g.id.as_str())], seconds(seen.now, at));
        }
    }

    let name = "gonogo_gate_time_in_state_seconds";
    out.family(
        name,
        Kind::Gauge,
        "Seconds each gate has been in its current state.",
    );
    for g in gates {
        out.sample(name, &[("gate", g.id.as_str())], seconds(seen.now, g.since));
    }

    let name = "gonogo_dispatch_messages";
    out.family(
        name,
        Kind::Gauge,
        "Invitation messages per batch and state (prepared, sending, sent, failed, unknown), as of the last dispatch read.",
    );
    for batch in seen.dispatch.map(|(b, _)| b).unwrap_or_default() {
        for s in MessageState::ALL {
            let n = count(batch, s);
            let labels = [("batch", batch.batch.as_str()), ("state", s.as_str())];
            out.sample(name, &labels, n as f64);
        }
    }

    let name = "gonogo_dispatch_read_age_seconds";
    out.family(
        name,
        Kind::Gauge,
        "Seconds since the dispatch counts were last read from the ledger (absent before the first read).",
    );
    if let Some((_, at)) = seen.dispatch {
        out.sample(name, &[], seconds(seen.now, at));
    }

    let name = "gonogo_alert_deliveries_total";
    out.family(
        name,
        Kind::Counter,
        "Alert deliveries this process finished, by outcome (delivered, failed, gave_up).",
    );
    for (outcome, n) in seen.deliveries {
        out.sample(name, &[("outcome", outcome)], *n as f64);
    }
    out.finish()
}

fn count(batch: &BatchCounts, state: MessageState) -> u64 {
    let c = &batch.counts;
    match state {
        MessageState::Prepared => c.prepared,
        MessageState::Sending => c.sending,
        MessageState::Sent => c.sent,
        MessageState::Failed => c.failed,
        MessageState::Unknown => c.unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::{GateResult, Observation, Value};
    use crate::invite::Counts;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2031, 1, 1, 12, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    fn board() -> Board {
        let config = crate::config::load_str(
            r#"
[launch]
name = "x"
[[gate]]
id = "errors"
title = "Error \"rate\" \\ today"
source = "command"
command = ["true"]
pass = "< 5"
[[gate]]
id = "status"
title = "Status"
source = "command"
command = ["true"]
pass = "== 'none'"
required = false
"#,
            std::path::Path::new("t.toml"),
        )
        .unwrap();
        let mut board = Board::new(&config.gates, at(0));
        let result = |gate: &str, value: Value, secs| GateResult {
            gate: gate.into(),
            observed_at: at(secs),
            outcome: Ok(Observation {
                value,
                detail: None,
            }),
        };
        board.apply(result("errors", Value::Number(7.5), 10));
        board.apply(result("status", Value::Text("none".into()), 20));
        board
    }

    #[test]
    fn a_scrape_lists_every_family_in_order_with_escaped_labels() {
        let board = board();
        let batches = vec![BatchCounts {
            batch: "wave \"1\"\nb".into(),
            total: 3,
            counts: Counts {
                sent: 2,
                failed: 1,
                ..Counts::default()
            },
            rate_per_s: 0.0,
        }];
        let text = render(&Seen {
            launch: "Veza \\ v2",
            environment: "staging",
            now: at(30),
            board: Some(&board),
            deliveries: &[("delivered", 4), ("failed", 1), ("gave_up", 0)],
            dispatch: Some((&batches, at(25))),
        });
        let base = "launch=\"Veza \\\\ v2\",environment=\"staging\"";
        let expected = [
            format!("gonogo_verdict{{{base},verdict=\"GO\"}} 0"),
            format!("gonogo_verdict{{{base},verdict=\"NO-GO\"}} 1"),
            format!("gonogo_verdict{{{base},verdict=\"UNKNOWN\"}} 0"),
            format!(
                "gonogo_gate_info{{{base},gate=\"errors\",title=\"Error \\\"rate\\\" \\\\ today\",required=\"true\"}} 1"
            ),
            format!(
                "gonogo_gate_info{{{base},gate=\"status\",title=\"Status\",required=\"false\"}} 1"
            ),
            format!("gonogo_gate_state{{{base},gate=\"errors\",state=\"pass\"}} 0"),
            format!("gonogo_gate_state{{{base},gate=\"errors\",state=\"fail\"}} 1"),
            format!("gonogo_gate_state{{{base},gate=\"status\",state=\"pass\"}} 1"),
            format!("gonogo_gate_value{{{base},gate=\"errors\"}} 7.5"),
            format!("gonogo_gate_reading_age_seconds{{{base},gate=\"errors\"}} 20"),
            format!("gonogo_gate_reading_age_seconds{{{base},gate=\"status\"}} 10"),
            format!("gonogo_gate_time_in_state_seconds{{{base},gate=\"errors\"}} 20"),
            format!(
                "gonogo_dispatch_messages{{{base},batch=\"wave \\\"1\\\"\\nb\",state=\"sent\"}} 2"
            ),
            format!(
                "gonogo_dispatch_messages{{{base},batch=\"wave \\\"1\\\"\\nb\",state=\"failed\"}} 1"
            ),
            format!("gonogo_dispatch_read_age_seconds{{{base}}} 5"),
            format!("gonogo_alert_deliveries_total{{{base},outcome=\"delivered\"}} 4"),
            format!("gonogo_alert_deliveries_total{{{base},outcome=\"gave_up\"}} 0"),
        ];
        let lines: Vec<&str> = text.lines().collect();
        let mut last = 0;
        for line in &expected {
            let at = lines.iter().position(|l| l == line);
            let at = at.unwrap_or_else(|| panic!("no line {line}\n{text}"));
            assert!(at >= last, "{line} out of order\n{text}");
            last = at;
        }
        // A text value has no number to show.
        assert!(!text.contains(
            "gonogo_gate_value{launch=\"Veza \\\\ v2\",environment=\"staging\",gate=\"status\""
        ));
        // Every family's help and type come before its first sample.
        for line in lines.iter().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            let typed = lines.iter().position(|l| {
                *l == format!("# TYPE {name} gauge") || *l == format!("# TYPE {name} counter")
            });
            let helped = lines
                .iter()
                .position(|l| l.starts_with(&format!("# HELP {name} ")));
            let sample = lines.iter().position(|l| l == line).unwrap();
            assert!(
                typed.is_some_and(|t| t < sample) && helped.is_some_and(|h| h < sample),
                "{line}"
            );
        }
    }

    #[test]
    fn without_a_board_or_a_read_every_family_still_says_what_it_is() {
        let text = render(&Seen {
            launch: "x",
            environment: "demo",
            now: at(0),
            board: None,
            deliveries: &[],
            dispatch: None,
        });
        let families: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .collect();
        assert_eq!(families.len(), 9, "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("# HELP ")).count(), 9);
        assert!(text.lines().all(|l| l.starts_with('#')), "{text}");
    }
}
