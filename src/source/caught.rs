//! A check that panics is a result, not a lost poller: [`caught`] runs a future and turns a
//! panic inside it into an error, and [`panic_is_caught`] tells a panic hook that this panic
//! is handled (so the cockpit's hook neither prints over the screen nor ends the process).

use futures::FutureExt;
use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    static CATCHING: Cell<u32> = const { Cell::new(0) };
}

/// True while the current thread is inside a [`caught`] future's poll: a panic here is caught.
pub fn panic_is_caught() -> bool {
    CATCHING.with(|c| c.get() > 0)
}

/// Runs `future`; a panic inside it comes back as `Err` with the panic's message.
pub async fn caught<T>(future: impl Future<Output = T>) -> Result<T, String> {
    Marked(Box::pin(AssertUnwindSafe(future).catch_unwind()))
        .await
        .map_err(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            tracing::error!(panic = %crate::text::sanitize(&message), "a check panicked");
            message
        })
}

/// Marks the thread as catching for the length of each poll.
struct Marked<F>(Pin<Box<F>>);

impl<F: Future> Future for Marked<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        CATCHING.with(|c| c.set(c.get() + 1));
        let result = self.0.as_mut().poll(cx);
        CATCHING.with(|c| c.set(c.get().saturating_sub(1)));
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_an_error_and_the_mark_is_cleared() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let outcome = caught(async {
            tokio::task::yield_now().await;
            assert!(panic_is_caught());
            panic!("hostile header");
        })
        .await;
        let owned = caught(async { panic!("{}", String::from("owned message")) }).await;
        std::panic::set_hook(quiet);
        assert_eq!(outcome.unwrap_err(), "hostile header");
        assert_eq!(owned.unwrap_err(), "owned message");
        assert!(!panic_is_caught());
        assert_eq!(caught(async { 7 }).await, Ok(7));
    }
}
