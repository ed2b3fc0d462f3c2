//! The read-only cockpit (`tui --read-only`, `[launch] read_only`): the one line a refused
//! command gets, and the last guard in `update` that keeps every effect changing the launch
//! from reaching the runner, whichever path asked for it.

use super::action::Effect;
use super::kit::{Command, Level};
use super::panes::PaneJob;
use super::state::State;

/// What a refused key says: which key, which command, and that nothing was done.
pub fn refuse(state: &mut State, command: Command) {
    let text = format!(
        "read-only cockpit: {} ({}) changes the launch and is not available here",
        state.keymap.key_of(command),
        command.name()
    );
    state.say(Level::Warning, &text);
}

/// Drops the effects that change the launch when the cockpit is read-only. The keys and the
/// palette refuse such commands before they get this far; an operator's write that still
/// arrives here (a path neither knows) is said, never done. The cockpit's own bookkeeping
/// (transitions, observations, alerts) is left to the launch's writable clients, silently.
pub fn keep_reads(state: &mut State, effects: &mut Vec<Effect>) {
    if !state.keymap.is_read_only() {
        return;
    }
    let mut refused = false;
    effects.retain(|effect| {
        let writes = effect.writes(PaneJob::writes);
        refused |= writes && matches!(effect, Effect::Pane(_) | Effect::RecordEvent(_));
        !writes
    });
    if refused {
        state.say(
            Level::Warning,
            "read-only cockpit: that changes the launch and was not done",
        );
    }
}
