//! The report's charts as SVG, drawn with plotters' SVG backend: the verdict band
//! ([`band`]), the gates' time in state and the hourly bars ([`bars`]). Deterministic by
//! construction: no ids, no fonts read from the machine (one fixed family, sizes estimated),
//! pixel coordinates only, so the same report draws byte-identical files.

mod band;
mod bars;

use super::{Clean, LaunchReport};
use crate::gate::{GateState, Verdict};
use crate::invite::Redemptions;
use plotters::prelude::*;

/// Every chart's width; heights follow what a chart holds.
pub const WIDTH: u32 = 900;
/// The one font family: a fixed name, never a font file, so every machine writes the same text.
pub const FONT: &str = "sans-serif";

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// One chart: its file name in the output directory, what it shows (the image's alt text)
/// and its SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub file: &'static str,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub svg: String,
}

/// The charts the report's data can fill; `None` where there is nothing to draw (the
/// Markdown then says why instead of showing an empty chart).
#[derive(Debug, Clone, Default)]
pub struct Charts {
    pub verdict: Option<Chart>,
    pub gates: Option<Chart>,
    pub dispatch: Option<Chart>,
    pub redemptions: Option<Chart>,
}

impl Charts {
    pub fn all(&self) -> impl Iterator<Item = &Chart> {
        [
            &self.verdict,
            &self.gates,
            &self.dispatch,
            &self.redemptions,
        ]
        .into_iter()
        .flatten()
    }
}

/// Draws every chart there is data for.
pub fn charts(report: &LaunchReport, clean: &Clean) -> Result<Charts, String> {
    let readings = !report.no_readings();
    let sent = report.sent.as_ref().ok().filter(|h| !h.is_empty());
    let redeemed = match &report.redemptions {
        Redemptions::Hours { hours } if !hours.is_empty() => Some(hours),
        _ => None,
    };
    Ok(Charts {
        verdict: readings
            .then(|| band::verdict(report))
            .transpose()
            .map_err(|e| format!("the verdict chart: {e}"))?,
        gates: (readings && !report.gates().is_empty())
            .then(|| bars::gates(report, clean))
            .transpose()
            .map_err(|e| format!("the gates chart: {e}"))?,
        dispatch: sent
            .map(|h| bars::hourly(report, h, bars::Hourly::Sent, clean))
            .transpose()
            .map_err(|e| format!("the dispatch chart: {e}"))?,
        redemptions: redeemed
            .map(|h| bars::hourly(report, h, bars::Hourly::Redeemed, clean))
            .transpose()
            .map_err(|e| format!("the redemptions chart: {e}"))?,
    })
}

/// The cockpit's colours (`tui::theme`: green, red, yellow, grey), as RGB for a page.
pub fn state_colour(state: GateState) -> RGBColor {
    match state {
        GateState::Pass => RGBColor(0x2d, 0xa4, 0x4e),
        GateState::Fail => RGBColor(0xcf, 0x22, 0x2e),
        GateState::Pending => RGBColor(0xd4, 0xa7, 0x2c),
        GateState::Unknown => RGBColor(0x8c, 0x95, 0x9f),
    }
}

pub fn verdict_colour(verdict: Verdict) -> RGBColor {
    match verdict {
        Verdict::Go => state_colour(GateState::Pass),
        Verdict::NoGo => state_colour(GateState::Fail),
        Verdict::Unknown => state_colour(GateState::Unknown),
    }
}

/// Colours for cohorts, in the order of their names.
const COHORTS: [RGBColor; 8] = [
    RGBColor(0x09, 0x69, 0xda),
    RGBColor(0xbf, 0x38, 0x89),
    RGBColor(0x1b, 0x7c, 0x83),
    RGBColor(0xbc, 0x4c, 0x00),
    RGBColor(0x82, 0x50, 0xdf),
    RGBColor(0x4d, 0x2d, 0x00),
    RGBColor(0x57, 0x60, 0x6a),
    RGBColor(0x11, 0x63, 0x29),
];

pub fn cohort_colour(index: usize) -> RGBColor {
    COHORTS[index % COHORTS.len()]
}

/// Pixels a label of `text` takes at `size`, as plotters' fontless estimate counts them.
fn label_width(text: &str, size: u32) -> u32 {
    u32::try_from(text.chars().count())
        .unwrap_or(u32::MAX)
        .saturating_mul(size)
        .saturating_mul(3)
        / 5
}

/// A row of colour keys (wrapping onto more rows when they do not fit), drawn on `area`
/// from its top-left corner; how many rows it took.
fn legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    keys: &[(String, RGBColor)],
) -> Result<u32, Box<dyn std::error::Error>> {
    let (width, _) = area.dim_in_pixel();
    let (mut x, mut row) = (16i32, 0u32);
    for (name, colour) in keys {
        let step = i32::try_from(label_width(name, 13) + 36).unwrap_or(i32::MAX);
        if x > 16 && x + step > i32::try_from(width).unwrap_or(i32::MAX) {
            x = 16;
            row += 1;
        }
        let y = i32::try_from(row * LEGEND_ROW).unwrap_or(0) + 4;
        area.draw(&Rectangle::new([(x, y), (x + 12, y + 12)], colour.filled()))?;
        area.draw(&Text::new(
            name.clone(),
            (x + 18, y),
            (FONT, 13).into_font().color(&BLACK),
        ))?;
        x += step;
    }
    Ok(row + 1)
}

/// A legend row's height in pixels.
const LEGEND_ROW: u32 = 20;

/// How many legend rows `keys` take on a chart of [`WIDTH`] (as [`legend`] lays them out).
fn legend_rows(keys: &[(String, RGBColor)]) -> u32 {
    let (mut x, mut rows) = (16u32, 1u32);
    for (name, _) in keys {
        let step = label_width(name, 13) + 36;
        if x > 16 && x + step > WIDTH {
            x = 16;
            rows += 1;
        }
        x += step;
    }
    rows
}

/// `HH:MM`, or `MM-DD HH:MM` on a period longer than a day.
fn clock_label(at: chrono::DateTime<chrono::Utc>, long: bool) -> String {
    if long {
        at.format("%m-%d %H:%M").to_string()
    } else {
        at.format("%H:%M").to_string()
    }
}
