//! The Gates pane's part of `update`: moving the selection, opening a gate's detail, re-checking
//! the selected gate, and clicks on its rows.

use super::Action;
use super::GatesPane;
use super::Overlay;
use super::Reply;
use crate::tui::layout;
use crate::tui::pane::{Cx, movement, step};

pub fn update(pane: &mut GatesPane, cx: &Cx, action: Action) -> Reply {
    let len = pane.visible_len();
    let table = layout::gates(cx.body, cx.terminal_height, len).table;
    let page = layout::list_rows(table, layout::GATES_HEADER_ROWS);
    if let Some(delta) = movement(&action, page) {
        pane.selected = step(pane.selected, len, delta);
        return Reply::default();
    }
    match action {
        Action::Open => match pane.selected_gate(cx.board) {
            Some(gate) if cx.spec(&gate.id).is_some() => Reply::open(Overlay::Detail {
                gate: gate.id.clone(),
                scroll: 0,
            }),
            _ => Reply::default(),
        },
        Action::Recheck => match pane.selected_gate(cx.board) {
            Some(gate) => Reply {
                then: vec![Action::RecheckGate(gate.id.clone())],
                quiet: true,
                ..Reply::default()
            },
            None => Reply::quiet(),
        },
        Action::Click { row, .. } => {
            let hit =
                layout::list_index_at(table, layout::GATES_HEADER_ROWS, pane.selected, len, row);
            match hit {
                Some(i) => {
                    pane.selected = i;
                    Reply::default()
                }
                None => Reply::quiet(),
            }
        }
        _ => Reply::unhandled(),
    }
}
