//! The sequence diagram of a scenario, drawn as inline SVG: one lifeline per participant, one
//! request arrow and one dashed answer per step; the current step lit, failures marked with their
//! AADSTS code.
use leptos::prelude::*;

use crate::scenarios::{Lane, Scenario};

/// How a step of the diagram ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    Pending,
    Ok(String),
    /// Failed as the scenario expects (instructive failure) or not.
    Failed {
        label: String,
        expected: bool,
    },
}

/// The diagram of `scenario` with one mark per step.
#[component]
pub fn SequenceDiagram(
    /// Scenario whose lanes and steps are drawn.
    scenario: &'static Scenario,
    /// One mark per step.
    marks: Vec<Mark>,
    /// Index of the lit step.
    current: usize,
) -> impl IntoView {
    let visible: Vec<(Lane, &str)> = Lane::ALL
        .iter()
        .zip(scenario.lanes.iter())
        .filter(|(_, l)| !l.is_empty())
        .map(|(a, b)| (*a, *b))
        .collect();
    let n = visible.len().max(1) as f64;
    let width = 560.0;
    let col = width / n;
    let x_of = |lane: Lane| -> f64 {
        // A lane without label (single tenant) folds onto the home tenant.
        let lane = if scenario.lanes[lane.index()].is_empty() {
            Lane::HomeEntra
        } else {
            lane
        };
        let i = visible.iter().position(|(l, _)| *l == lane).unwrap_or(0) as f64;
        col * i + col / 2.0
    };
    let row = 46.0;
    let top = 56.0;
    let height = top + row * scenario.steps.len() as f64 + 20.0;

    let lanes = visible
        .iter()
        .map(|(lane, label)| {
            let x = x_of(*lane);
            view! {
                <g class="lane">
                    <rect x=x - col / 2.0 + 6.0 y=6 width=col - 12.0 height=30 rx=6></rect>
                    <text x=x y=26 text-anchor="middle" font-size={ if label.len() > 13 { "9.5" } else { "11" } }>{label.to_string()}</text>
                    <line x1=x y1=36 x2=x y2=height - 8.0></line>
                </g>
            }
        })
        .collect_view();

    let arrows = scenario
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = top + row * i as f64;
            let (x1, x2) = (x_of(s.from), x_of(s.to));
            let mark = marks.get(i).cloned().unwrap_or(Mark::Pending);
            let (class, answer) = match &mark {
                Mark::Pending => ("step pending", String::new()),
                Mark::Ok(l) => ("step ok", l.clone()),
                Mark::Failed { label, expected: true } => ("step failed expected", label.clone()),
                Mark::Failed { label, expected: false } => ("step failed", label.clone()),
            };
            let class = if i == current { format!("{class} current") } else { class.to_string() };
            let (lx, anchor) = (x1.min(x2) + 6.0, "start");
            view! {
                <g class=class data-testid=format!("diagram-step-{i}")>
                    <text class="label" x=lx y=y - 6.0 text-anchor=anchor>{format!("{}. {}", i + 1, s.title)}</text>
                    <line class="req" x1=x1 y1=y x2=x2 y2=y marker-end="url(#arrow)"></line>
                    <line class="resp" x1=x2 y1=y + 16.0 x2=x1 y2=y + 16.0 marker-end="url(#arrow-open)"></line>
                    <text class="answer" x=lx y=y + 28.0 text-anchor=anchor>{answer}</text>
                </g>
            }
        })
        .collect_view();

    view! {
        <svg
            class="diagram"
            data-testid="diagram"
            role="img"
            aria-label=format!("Sequence diagram: {}", scenario.title)
            viewBox=format!("0 0 {width} {height}")
            preserveAspectRatio="xMidYMin meet"
        >
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z"></path>
                </marker>
                <marker id="arrow-open" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10" fill="none" stroke="currentColor"></path>
                </marker>
            </defs>
            {lanes}
            {arrows}
        </svg>
    }
}
