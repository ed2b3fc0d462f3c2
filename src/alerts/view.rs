//! [`BoardView`]: the board as the alert engine looks at it, cheap to build, send and compare.

use crate::gate::{Board, GateState, Verdict};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// One gate as the engine needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct GateView {
    pub id: String,
    pub title: String,
    pub required: bool,
    pub state: GateState,
    pub since: DateTime<Utc>,
    pub every: Duration,
    pub value: String,
    pub error: Option<String>,
    /// It has had at least one answer.
    pub answered: bool,
}

/// The board as the engine needs it: cheap to build and to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardView {
    pub verdict: Verdict,
    pub gates: Vec<GateView>,
}

impl BoardView {
    pub fn of(board: &Board) -> BoardView {
        BoardView {
            verdict: board.verdict(),
            gates: board
                .gates()
                .iter()
                .map(|g| GateView {
                    id: g.id.clone(),
                    title: crate::text::sanitize(&g.title),
                    required: g.required,
                    state: g.state,
                    since: g.since,
                    every: g.every,
                    value: g.value_text(),
                    error: g.error.clone(),
                    answered: g.observed_at.is_some(),
                })
                .collect(),
        }
    }

    /// Required gates red, or else unknown, by id (what the verdict rests on).
    pub(super) fn why(&self) -> Vec<String> {
        let of = |state| {
            self.gates
                .iter()
                .filter(|g| g.required && g.state == state)
                .map(|g| g.id.clone())
                .collect::<Vec<_>>()
        };
        match self.verdict {
            Verdict::NoGo => of(GateState::Fail),
            Verdict::Unknown => of(GateState::Unknown),
            Verdict::Go => Vec::new(),
        }
    }
}
