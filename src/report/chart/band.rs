//! The verdict over the period as one coloured band (GO, NO-GO, UNKNOWN in the cockpit's
//! colours), with the frozen decision marked where it falls.

use super::{Chart, Drawn, FONT, WIDTH, clock_label, legend, verdict_colour};
use crate::gate::Verdict;
use crate::report::LaunchReport;
use chrono::{DateTime, Utc};
use plotters::prelude::*;

const HEIGHT: u32 = 240;

pub fn verdict(report: &LaunchReport) -> Result<Chart, String> {
    let mut svg = String::new();
    draw(report, &mut svg).map_err(|e| e.to_string())?;
    let decision = report
        .decision()
        .map(|d| format!(", decision {} ({}) marked", d.number, d.outcome))
        .unwrap_or_default();
    Ok(Chart {
        file: "verdict.svg",
        alt: format!("The verdict over the period{decision}"),
        width: WIDTH,
        height: HEIGHT,
        svg,
    })
}

fn draw(report: &LaunchReport, svg: &mut String) -> Drawn {
    let (since, until) = (report.since(), report.until());
    let long = until - since > chrono::TimeDelta::hours(24);
    let root = SVGBackend::with_string(svg, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, keys) = root.split_vertically(HEIGHT - 32);
    // Hours into the period: ticks fall on whole hours (and plotters' key points overflow on
    // epoch seconds).
    let hours = |t: DateTime<Utc>| (t - since).num_seconds() as f64 / 3600.0;
    let x = 0.0..hours(until).max(1.0 / 60.0);
    let off = hours;
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!(
                "Verdict, {} to {} UTC",
                clock_label(since, true),
                clock_label(until, true)
            ),
            (FONT, 18),
        )
        .margin(16)
        .x_label_area_size(28)
        .build_cartesian_2d(x, 0i32..10i32)?;
    let at = |h: &f64| since + chrono::TimeDelta::seconds((h * 3600.0).round() as i64);
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        // One label, drawn empty: plotters cannot place zero labels (it loops on them).
        .y_labels(1)
        .y_label_formatter(&|_| String::new())
        .x_labels(9)
        .x_label_formatter(&|t| clock_label(at(t), long))
        .label_style((FONT, 12))
        .draw()?;
    chart.draw_series(report.stretches().iter().map(|s| {
        Rectangle::new(
            [(off(s.from), 1), (off(s.to), 7)],
            verdict_colour(s.verdict).filled(),
        )
    }))?;
    if let Some(d) = report.decision()
        && (since..=until).contains(&d.decided_at)
    {
        let t = off(d.decided_at);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(t, 0), (t, 8)],
            BLACK.stroke_width(3),
        )))?;
        // The label sits left of the mark when the mark is in the period's right half.
        let right_half = t > hours(until) / 2.0;
        let label = format!(
            "Decision {}: {} at {}",
            d.number,
            d.outcome,
            d.decided_at.format("%H:%M")
        );
        let dx = if right_half {
            -i32::try_from(super::label_width(&label, 13)).unwrap_or(0) - 6
        } else {
            6
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((t, 10))
                + Text::new(label, (dx, 0), (FONT, 13).into_font().color(&BLACK)),
        ))?;
    }
    let keys_shown: Vec<(String, RGBColor)> = [Verdict::Go, Verdict::NoGo, Verdict::Unknown]
        .into_iter()
        .map(|v| (v.to_string(), verdict_colour(v)))
        .collect();
    legend(&keys, &keys_shown)?;
    root.present()?;
    Ok(())
}
