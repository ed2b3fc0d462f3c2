//! Small text formats the panes share: ages, clock times, the countdown and sparklines.

use chrono::{DateTime, Utc};

/// `42s`, `5m 3s`, `2h 10m` for a span of time (never negative).
pub fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let secs = (to - from).num_seconds().max(0);
    crate::gate::format_duration_secs(secs as f64)
}

/// `14:03:12` when `at` is today (by `now`), else `11-21 14:03`.
pub fn clock(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M:%S").to_string()
    } else {
        at.format("%m-%d %H:%M").to_string()
    }
}

/// `T-3h 56m` before the decision call, `T+12m` after it.
pub fn countdown(decision_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<String> {
    let at = decision_at?;
    let secs = (at - now).num_seconds();
    let body = crate::gate::format_duration_secs(secs.unsigned_abs() as f64);
    Some(if secs >= 0 {
        format!("T-{body}")
    } else {
        format!("T+{body}")
    })
}

/// Display width of `text` in terminal cells.
pub fn width(text: &str) -> usize {
    ratatui::text::Span::raw(text).width()
}

/// `text` shortened to `cells` terminal cells: whole when it fits, else cut and ending in `…`,
/// so a cut is always visible. The one helper every render uses to shorten text; a number is
/// never passed through it (drop the item or shorten its label instead, see [`fit_items`]).
pub fn fit(text: &str, cells: usize) -> String {
    if width(text) <= cells {
        return text.to_owned();
    }
    if cells == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > cells - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A styled line shortened to `cells`, as [`fit`] does text: the span that crosses the edge is
/// cut and ends in `…`, the spans after it go.
pub fn fit_line(line: ratatui::text::Line<'static>, cells: usize) -> ratatui::text::Line<'static> {
    if line.width() <= cells {
        return line;
    }
    let mut out = ratatui::text::Line::default().style(line.style);
    let mut used = 0;
    for span in line.spans {
        let w = span.width();
        if used + w < cells {
            used += w;
            out.spans.push(span);
            continue;
        }
        let cut = fit(&span.content, cells - used);
        out.spans.push(ratatui::text::Span::styled(cut, span.style));
        break;
    }
    out
}

/// As many whole `items` as fit in `cells`, joined by `sep`; the ones left out are counted at
/// the end (`+3`), never cut in half.
pub fn fit_items(items: &[String], sep: &str, cells: usize) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let joined = if out.is_empty() {
            item.clone()
        } else {
            format!("{out}{sep}{item}")
        };
        let rest = items.len() - i - 1;
        let more = if rest > 0 {
            format!(" +{rest}")
        } else {
            String::new()
        };
        if width(&joined) + width(&more) > cells {
            let left = items.len() - i;
            let tail = format!("+{left}");
            return if out.is_empty() {
                fit(&tail, cells)
            } else if width(&out) + 1 + width(&tail) <= cells {
                format!("{out} {tail}")
            } else {
                out
            };
        }
        out = joined;
    }
    out
}

/// `1 finding`, `2 findings`, `0 findings`: the count and the noun that agrees with it.
pub fn counted(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as bars scaled between their own minimum and maximum. A constant
/// series has no range of its own: it is a flat line at its level against zero (the floor for
/// zero or less, the top for more), never bars at mid-height that read as movement.
pub fn sparkline(values: &[f64], width: usize) -> String {
    let values = &values[values.len().saturating_sub(width)..];
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if max > min {
                let level = ((v - min) / (max - min) * 7.0).round() as usize;
                BARS[level.min(7)]
            } else if *v > 0.0 {
                BARS[7]
            } else {
                BARS[0]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sparkline_scales_and_keeps_the_newest() {
        assert_eq!(sparkline(&[0.0, 7.0, 3.5], 10), "▁█▅");
        assert_eq!(sparkline(&[1.0, 2.0, 5.0, 5.0], 2), "██");
        assert_eq!(sparkline(&[0.0, 0.0, 0.0], 8), "▁▁▁");
        assert_eq!(sparkline(&[-2.0, -2.0], 8), "▁▁");
        assert_eq!(sparkline(&[], 5), "");
    }

    #[test]
    fn a_cut_ends_in_an_ellipsis_and_fits() {
        assert_eq!(fit("Synthetic journey", 9), "Syntheti…");
        assert_eq!(width(&fit("Synthetic journey", 9)), 9);
        assert_eq!(fit("short", 9), "short");
        assert_eq!(fit("✅ wide", 3), "✅…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn a_line_is_cut_in_the_span_that_crosses_the_edge() {
        use ratatui::text::{Line, Span};
        let line = Line::from(vec![
            Span::raw("abc "),
            Span::raw("defgh"),
            Span::raw(" ijk"),
        ]);
        let cut = fit_line(line, 7);
        assert_eq!(cut.to_string(), "abc de…");
        assert_eq!(cut.width(), 7);
    }

    #[test]
    fn items_are_dropped_whole_never_cut() {
        let items: Vec<String> = ["creator-vinyl 20", "listener-mailing-list 20", "press 3"]
            .map(String::from)
            .into();
        assert_eq!(
            fit_items(&items, ", ", 80),
            "creator-vinyl 20, listener-mailing-list 20, press 3"
        );
        assert_eq!(fit_items(&items, ", ", 40), "creator-vinyl 20 +2");
        assert_eq!(fit_items(&items, ", ", 2), "+3");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(counted(1, "finding", "findings"), "1 finding");
        assert_eq!(counted(0, "finding", "findings"), "0 findings");
        assert_eq!(counted(2, "gate", "gates"), "2 gates");
    }

    #[test]
    fn countdown_before_and_after() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap();
        let before = Utc.with_ymd_and_hms(2026, 11, 24, 14, 4, 0).unwrap();
        assert_eq!(countdown(Some(at), before).unwrap(), "T-3h 56m");
        let after = Utc.with_ymd_and_hms(2026, 11, 24, 18, 12, 0).unwrap();
        assert_eq!(countdown(Some(at), after).unwrap(), "T+12m");
        assert_eq!(countdown(None, after), None);
    }
}
