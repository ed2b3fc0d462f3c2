//! A frozen decision record: its canonical JSON (the exact text hashed and stored), the hash
//! chain (each record's SHA-256 covers the previous record's hash and its own text), and the
//! Markdown ready to paste into the launch report's "Take-aways".

use super::{Outcome, Vote};
use crate::checklist::{ChecklistView, ItemState};
use crate::clock::rfc3339;
use crate::gate::{Board, GateState, Verdict};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// What a record says. Serialized in this field order, it is the canonical text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordBody {
    pub number: u32,
    pub launch: String,
    pub outcome: Outcome,
    pub rule: String,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
    /// The gates' verdict when the decision was frozen.
    pub verdict: Verdict,
    /// A GO frozen while the gates said NO-GO or UNKNOWN.
    pub gates_overridden: bool,
    pub override_reason: Option<String>,
    pub votes: Vec<Vote>,
    pub gates: Vec<GateSnapshot>,
    pub checklist: Option<ChecklistSummary>,
    pub prev_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateSnapshot {
    pub id: String,
    pub title: String,
    pub required: bool,
    pub state: GateState,
    pub value: Option<String>,
    pub observed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistSummary {
    pub done: usize,
    pub total: usize,
    pub sections: Vec<SectionSummary>,
    /// Every item not done when the decision was frozen.
    pub open: Vec<OpenItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionSummary {
    pub path: Vec<String>,
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenItem {
    pub id: String,
    pub section: Vec<String>,
    pub text: String,
    pub state: ItemState,
    pub due: Option<DateTime<Utc>>,
}

/// A record with its canonical text and hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRecord {
    #[serde(flatten)]
    pub body: RecordBody,
    pub hash: String,
    #[serde(skip)]
    pub canonical: String,
}

/// The SHA-256 (hex) chaining a record to the one before it.
pub fn chain_hash(prev_hash: Option<&str>, canonical: &str) -> String {
    let mut hasher = sha2::Sha256::new();
    hasher.update(prev_hash.unwrap_or("").as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

impl DecisionRecord {
    /// Canonical text and hash for a new record.
    pub fn seal(body: RecordBody) -> DecisionRecord {
        // A struct of strings, numbers and times always serializes.
        let canonical = serde_json::to_string(&body).unwrap_or_default();
        let hash = chain_hash(body.prev_hash.as_deref(), &canonical);
        DecisionRecord {
            body,
            hash,
            canonical,
        }
    }

    /// A stored record read back (its text as stored; its hash as stored, checked by verify).
    pub fn from_stored(canonical: String, hash: String) -> Result<DecisionRecord, String> {
        let body: RecordBody = serde_json::from_str(&canonical)
            .map_err(|e| format!("the record's text is not a decision record: {e}"))?;
        Ok(DecisionRecord {
            body,
            hash,
            canonical,
        })
    }
}

/// The gates as the board shows them now.
pub fn gate_snapshot(board: &Board) -> Vec<GateSnapshot> {
    board
        .gates()
        .iter()
        .map(|g| GateSnapshot {
            id: g.id.clone(),
            title: g.title.clone(),
            required: g.required,
            state: g.state,
            value: g.value.as_ref().map(|_| g.value_text()),
            observed_at: g.observed_at,
        })
        .collect()
}

/// Done/total per section and every item still open.
pub fn checklist_summary(view: &ChecklistView) -> ChecklistSummary {
    ChecklistSummary {
        done: view.done,
        total: view.total,
        sections: view
            .sections
            .iter()
            .map(|s| SectionSummary {
                path: s.path.clone(),
                done: s.done,
                total: s.total,
            })
            .collect(),
        open: view
            .sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
            .filter(|(_, i)| !i.state.is_done())
            .map(|(s, i)| OpenItem {
                id: i.id.clone(),
                section: s.path.clone(),
                text: i.text.clone(),
                state: i.state,
                due: i.due,
            })
            .collect(),
    }
}

/// Table cells hold no pipe or line break.
fn cell(text: &str) -> String {
    crate::text::sanitize(text).replace('|', "\\|")
}

fn path(section: &[String]) -> String {
    if section.is_empty() {
        "(no section)".to_owned()
    } else {
        section.join(" › ")
    }
}

/// The record as Markdown for the launch report.
pub fn markdown(record: &DecisionRecord) -> String {
    let b = &record.body;
    let mut out = String::new();
    out.push_str(&format!(
        "### Decision {} — {}: {}\n\n",
        b.number,
        cell(&b.launch),
        b.outcome
    ));
    out.push_str(&format!(
        "- Frozen {} by {} (rule: {})\n",
        rfc3339(b.decided_at),
        cell(&b.decided_by),
        b.rule
    ));
    out.push_str(&format!("- Gates' verdict at the call: {}\n", b.verdict));
    if b.gates_overridden {
        out.push_str(&format!(
            "- **GO against the gates**, overridden: {}\n",
            cell(b.override_reason.as_deref().unwrap_or(""))
        ));
    }
    out.push_str(
        "\n#### Roll call\n\n| Role | Vote | By | At | Note |\n| --- | --- | --- | --- | --- |\n",
    );
    for v in &b.votes {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&v.role),
            v.vote.shout(),
            cell(&v.by),
            rfc3339(v.at),
            cell(v.note.as_deref().unwrap_or(""))
        ));
    }
    out.push_str("\n#### Gates\n\n| Gate | Required | State | Value | Observed |\n| --- | --- | --- | --- | --- |\n");
    for g in &b.gates {
        out.push_str(&format!(
            "| {} | {} | {} {} | {} | {} |\n",
            cell(&g.id),
            if g.required { "yes" } else { "no" },
            g.state.symbol(),
            g.state,
            cell(g.value.as_deref().unwrap_or("")),
            g.observed_at.map(rfc3339).unwrap_or_else(|| "never".into())
        ));
    }
    match &b.checklist {
        None => out.push_str("\n#### Checklist\n\nNo checklist was loaded.\n"),
        Some(c) => {
            out.push_str(&format!(
                "\n#### Checklist: {}/{} done\n\n| Section | Done |\n| --- | --- |\n",
                c.done, c.total
            ));
            for s in &c.sections {
                out.push_str(&format!(
                    "| {} | {}/{} |\n",
                    cell(&path(&s.path)),
                    s.done,
                    s.total
                ));
            }
            if !c.open.is_empty() {
                out.push_str("\nStill open:\n\n");
                for i in &c.open {
                    let due = i
                        .due
                        .map(|d| format!(", due {}", rfc3339(d)))
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "- [ ] {} ({}; {}{due}) `{}`\n",
                        crate::text::sanitize(&i.text),
                        cell(&path(&i.section)),
                        i.state.as_str(),
                        i.id
                    ));
                }
            }
        }
    }
    // Read back from the database, the hashes are untrusted text until verified.
    out.push_str(&format!("\nRecord hash: `{}`", cell(&record.hash)));
    match &b.prev_hash {
        Some(prev) => out.push_str(&format!(" (previous: `{}`)\n", cell(prev))),
        None => out.push_str(" (first record)\n"),
    }
    out
}
