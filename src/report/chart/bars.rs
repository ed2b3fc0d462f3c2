//! Bars: each gate's time in each state (one horizontal stacked bar per gate), and counts per
//! hour (invitations sent; redemptions, one bar per cohort side by side in each hour).

use super::{
    Chart, Drawn, FONT, LEGEND_ROW, WIDTH, clock_label, cohort_colour, label_width, legend,
    legend_rows, state_colour,
};
use crate::gate::GateState;
use crate::invite::HourCount;
use crate::report::{Clean, LaunchReport};
use chrono::{DateTime, TimeDelta, Utc};
use plotters::prelude::*;
use std::collections::BTreeSet;

/// A gate's bar and the gap around it.
const ROW: u32 = 34;
/// A gate's name on its bar's left, cut to this many characters.
const NAME: usize = 28;
const STATES: [GateState; 4] = [
    GateState::Pass,
    GateState::Fail,
    GateState::Pending,
    GateState::Unknown,
];

fn seconds(g: &crate::handoff::GateRow, state: GateState) -> i64 {
    match state {
        GateState::Pass => g.pass_seconds,
        GateState::Fail => g.red_seconds,
        GateState::Pending => g.pending_seconds,
        GateState::Unknown => g.unknown_seconds,
    }
}

pub fn gates(report: &LaunchReport, clean: &Clean) -> Result<Chart, String> {
    let gates = report.gates();
    let rows = u32::try_from(gates.len()).unwrap_or(u32::MAX / ROW);
    let height = 110 + ROW.saturating_mul(rows);
    let names: Vec<String> = gates
        .iter()
        .map(|g| crate::text::cut(&clean.plain(&g.id), NAME))
        .collect();
    let mut svg = String::new();
    draw_gates(report, &names, height, &mut svg).map_err(|e| e.to_string())?;
    Ok(Chart {
        file: "gates.svg",
        alt: "Each gate's time in each state".to_owned(),
        width: WIDTH,
        height,
        svg,
    })
}

fn draw_gates(report: &LaunchReport, names: &[String], height: u32, svg: &mut String) -> Drawn {
    let gates = report.gates();
    let n = i32::try_from(gates.len()).unwrap_or(i32::MAX);
    // Hours, so ticks fall on whole hours.
    let total = ((report.until() - report.since()).num_seconds() as f64 / 3600.0).max(1.0 / 60.0);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, keys) = root.split_vertically(height - 32);
    let name_width = names.iter().map(|s| label_width(s, 12)).max().unwrap_or(0) + 16;
    let mut chart = ChartBuilder::on(&plot)
        .caption("Time in each state, per gate", (FONT, 18))
        .margin(16)
        .x_label_area_size(28)
        .y_label_area_size(name_width)
        .build_cartesian_2d(0f64..total, (0..n - 1).into_segmented())?;
    // The first gate of the config on top; `0..n - 1` is n segments (the range is inclusive).
    let label = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => usize::try_from(n - 1 - i)
            .ok()
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(7)
        .y_labels(names.len().max(1))
        .x_label_formatter(&|h| crate::handoff::span((h * 3600.0).round() as i64))
        .y_label_formatter(&label)
        .label_style((FONT, 12))
        .draw()?;
    for (i, g) in gates.iter().enumerate() {
        let y = n - 1 - i32::try_from(i).unwrap_or(0);
        let mut x = 0.0;
        for state in STATES {
            let secs = seconds(g, state) as f64 / 3600.0;
            if secs <= 0.0 {
                continue;
            }
            let mut bar = Rectangle::new(
                [
                    (x, SegmentValue::Exact(y)),
                    (x + secs, SegmentValue::Exact(y + 1)),
                ],
                state_colour(state).filled(),
            );
            bar.set_margin(5, 5, 0, 0);
            chart.draw_series(std::iter::once(bar))?;
            x += secs;
        }
    }
    let shown: Vec<(String, RGBColor)> = STATES
        .iter()
        .map(|s| (s.to_string(), state_colour(*s)))
        .collect();
    legend(&keys, &shown)?;
    root.present()?;
    Ok(())
}

/// What an hourly chart counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hourly {
    Sent,
    Redeemed,
}

/// The hour `at` starts (UTC).
fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    let secs = at.timestamp().div_euclid(3600) * 3600;
    DateTime::from_timestamp(secs, 0).unwrap_or(at)
}

pub fn hourly(
    report: &LaunchReport,
    counts: &[HourCount],
    what: Hourly,
    clean: &Clean,
) -> Result<Chart, String> {
    let cohorts: Vec<String> = counts
        .iter()
        .map(|c| c.cohort.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let keys: Vec<(String, RGBColor)> = match what {
        Hourly::Sent => Vec::new(),
        Hourly::Redeemed => cohorts
            .iter()
            .enumerate()
            .map(|(i, c)| (crate::text::cut(&clean.plain(c), 40), cohort_colour(i)))
            .collect(),
    };
    let legend_height = if keys.is_empty() {
        0
    } else {
        legend_rows(&keys) * LEGEND_ROW + 12
    };
    let height = 320 + legend_height;
    let mut svg = String::new();
    draw_hourly(report, counts, &cohorts, &keys, what, height, &mut svg)
        .map_err(|e| e.to_string())?;
    let (file, alt) = match what {
        Hourly::Sent => ("dispatch.svg", "Invitations sent per hour"),
        Hourly::Redeemed => (
            "redemptions.svg",
            "Invitations redeemed per hour, per cohort",
        ),
    };
    Ok(Chart {
        file,
        alt: alt.to_owned(),
        width: WIDTH,
        height,
        svg,
    })
}

fn draw_hourly(
    report: &LaunchReport,
    counts: &[HourCount],
    cohorts: &[String],
    keys: &[(String, RGBColor)],
    what: Hourly,
    height: u32,
    svg: &mut String,
) -> Drawn {
    let first = hour_of(report.since());
    let hours = ((report.until() - first).num_seconds() + 3599) / 3600;
    let hours = hours.max(1);
    let long = hours > 24;
    let top = counts.iter().map(|c| c.n).max().unwrap_or(0).max(1);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let legend_height = if keys.is_empty() { 0 } else { height - 320 };
    let (plot, key_area) = root.split_vertically(height - legend_height);
    let caption = match what {
        Hourly::Sent => "Invitations sent per hour (UTC)",
        Hourly::Redeemed => "Invitations redeemed per hour and cohort (UTC)",
    };
    // Room above the tallest bar, and whole numbers on the axis.
    let y_top = top + (top + 9) / 10;
    let mut chart = ChartBuilder::on(&plot)
        .caption(caption, (FONT, 18))
        .margin(16)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..hours as f64, 0i64..y_top)?;
    let label = |x: &f64| {
        if x.fract().abs() > 1e-9 {
            return String::new();
        }
        let at = first + TimeDelta::hours(x.round() as i64);
        clock_label(at, long)
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(usize::try_from(hours.min(12)).unwrap_or(12) + 1)
        .y_labels(usize::try_from(y_top.min(10)).unwrap_or(10) + 1)
        .x_label_formatter(&label)
        .y_label_formatter(&|v| v.to_string())
        .label_style((FONT, 12))
        .draw()?;
    let lanes = cohorts.len().max(1) as f64;
    let width = 0.8 / lanes;
    for c in counts {
        let hour = (hour_of(c.hour) - first).num_hours() as f64;
        let lane = cohorts.iter().position(|k| *k == c.cohort).unwrap_or(0);
        let x0 = hour + 0.1 + lane as f64 * width;
        let colour = match what {
            Hourly::Sent => cohort_colour(0),
            Hourly::Redeemed => cohort_colour(lane),
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, 0), (x0 + width, c.n)],
            colour.filled(),
        )))?;
    }
    if !keys.is_empty() {
        legend(&key_area, keys)?;
    }
    root.present()?;
    Ok(())
}
