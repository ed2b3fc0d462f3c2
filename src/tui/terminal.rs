//! The terminal: raw mode, alternate screen and mouse capture on the way in; the same undone on
//! every way out (quit, error, panic, SIGTERM/SIGHUP); the title and the bell.

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, SetTitle, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::{BufWriter, Stdout, Write, stdout};
use std::mem::ManuallyDrop;
use std::sync::Once;

/// A frame is written with one `write` (the standard output alone flushes at every line or
/// kilobyte); ratatui flushes it at the end of each draw.
pub type Tui = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Room for a full 4K-wide frame of styled cells in one write.
const FRAME_BUFFER: usize = 256 * 1024;

/// Restores the terminal when dropped, so an early return cannot leave it raw.
pub struct Session {
    /// Never dropped: ratatui's `Terminal` prints with `eprintln!` when it cannot show the
    /// cursor on drop, and on a terminal that went away (a closed tmux session) that print
    /// panics, ending gonogo before a rehearsal removes its throwaway data. [`restore`] shows
    /// the cursor instead, ignoring a dead terminal; the process is on its way out anyway.
    pub terminal: ManuallyDrop<Tui>,
}

impl Drop for Session {
    fn drop(&mut self) {
        restore();
    }
}

/// Takes over the terminal. On failure the terminal is left as it was found.
pub fn enter() -> std::io::Result<Session> {
    install_panic_hook();
    let setup = || -> std::io::Result<Tui> {
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen, EnableMouseCapture, Hide)?;
        // A fixed viewport, resized by the event loop on the terminal's resize events: a full
        // screen one asks the terminal for its size on every frame (opening `/dev/tty` each time),
        // the larger part of an idle cockpit's once-a-second frame.
        let (width, height) = crossterm::terminal::size()?;
        let backend = CrosstermBackend::new(BufWriter::with_capacity(FRAME_BUFFER, stdout()));
        let viewport = Viewport::Fixed(Rect::new(0, 0, width, height));
        let mut terminal = Terminal::with_options(backend, TerminalOptions { viewport })?;
        terminal.clear()?;
        Ok(terminal)
    };
    match setup() {
        Ok(terminal) => Ok(Session {
            terminal: ManuallyDrop::new(terminal),
        }),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}

/// Fits the drawing area to the terminal's size (a resize event's, or one read now).
pub fn fit(terminal: &mut Tui, (width, height): (u16, u16)) -> std::io::Result<()> {
    let area = Rect::new(0, 0, width, height);
    if terminal.get_frame().area() != area {
        terminal.resize(area)?;
    }
    Ok(())
}

/// The terminal's size now, for a check now and then that no resize event was missed.
pub fn size() -> std::io::Result<(u16, u16)> {
    crossterm::terminal::size()
}

/// Gives the terminal back: cooked mode, main screen, cursor, no mouse capture. Safe to call
/// more than once and when the terminal was never taken.
pub fn restore() {
    // The title carried the verdict; left behind, a tmux window would show a verdict nobody
    // is checking any more.
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show,
        SetTitle("")
    );
    let _ = disable_raw_mode();
}

/// A panic restores the terminal before the message is printed, so the message is readable
/// and the shell usable, then ends the process: a panic in a background task would otherwise
/// leave the cockpit drawing on a terminal that is no longer set up for it, a screen that lies.
/// A panic inside a gate's check is the exception: the check turns it into an unknown result
/// (and the log says it), so the screen and the cockpit stay.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if crate::source::caught::panic_is_caught() {
                return;
            }
            restore();
            previous(info);
            // The terminal may be gone: a failed write must not panic inside the hook.
            let _ = writeln!(
                std::io::stderr(),
                "gonogo stopped after an internal error (see above); nothing was sent"
            );
            std::process::exit(i32::from(crate::exit::SOFTWARE));
        }));
    });
}

pub fn set_title(title: &str) {
    let _ = execute!(stdout(), SetTitle(title));
}

pub fn bell() {
    let mut out = stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}
