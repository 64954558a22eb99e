//! The model card and loss-curve figure written beside a trained model: how it was made, how well
//! it does on fresh data (clean vs corrupted), and what its heads do.

use std::fmt::Write as _;

use circuitscope_tasks::heads::{accuracy_against, induction_accuracy, induction_head_scores};
use circuitscope::analysis::circuit::discover;
use circuitscope::analysis::methods::{compare, markdown as methods_markdown};
use circuitscope::discover::AcdcSettings;
use circuitscope::error::Result;
use circuitscope::model::LoadedModel;
use circuitscope::rng::Rng;
use circuitscope_tasks::induction;

/// A small SVG line plot of the loss curve (no dependencies, readable in any browser).
pub fn loss_svg(curve: &[(usize, f32)]) -> String {
    let (w, h, m) = (480.0, 240.0, 36.0);
    let max_step = curve.last().map(|c| c.0).unwrap_or(1).max(1) as f64;
    let max_loss = curve.iter().map(|c| c.1 as f64).fold(0.0, f64::max).max(1e-6);
    let points: Vec<String> = curve
        .iter()
        .map(|&(s, l)| {
            let x = m + (w - 2.0 * m) * s as f64 / max_step;
            let y = h - m - (h - 2.0 * m) * l as f64 / max_loss;
            format!("{x:.1},{y:.1}")
        })
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<line x1="{m}" y1="{b}" x2="{r}" y2="{b}" stroke="#888"/><line x1="{m}" y1="{m}" x2="{m}" y2="{b}" stroke="#888"/>
<text x="{m}" y="{t}">loss (max {max_loss:.2})</text><text x="{r}" y="{bl}" text-anchor="end">step {max_step}</text>
<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="{pts}"/>
</svg>
"##,
        b = h - m,
        r = w - m,
        t = m - 8.0,
        bl = h - m + 16.0,
        pts = points.join(" ")
    )
}

/// Evaluates the induction model on a fresh seeded batch and writes its card as Markdown
/// (`cards/induction-2l.md` filled in).
pub fn induction_card(model: &LoadedModel, seed: u64, steps: usize, final_loss: f32) -> Result<String> {
    let mut rng = Rng::new(seed ^ 0xC0FFEE);
    let clean = induction::sequences(&mut rng, 200, 24, 4, 11, model.config.d_vocab);
    // Corrupted = rows shuffled (ACDC's induction corruption): score the clean targets.
    let mut order: Vec<usize> = (0..clean.tokens.len()).collect();
    rng.shuffle(&mut order);
    let corrupted: Vec<Vec<u32>> = order.iter().map(|&i| clean.tokens[i].clone()).collect();
    let acc_clean = induction_accuracy(model, &clean)?;
    let acc_corrupt = accuracy_against(model, &corrupted, &clean)?;
    let scores = induction_head_scores(model, &clean)?;
    let mut rows = String::new();
    for s in &scores {
        let mark = if s.prev_token > 0.5 || s.induction > 0.5 { " **" } else { "" };
        let _ = writeln!(rows, "| A{}.{}{mark} | {:.3} | {:.3} |", s.layer, s.head, s.prev_token, s.induction);
    }
    let best = |f: fn(&circuitscope_tasks::heads::HeadScore) -> f64, layer: usize| {
        scores
            .iter()
            .filter(|s| s.layer == layer)
            .max_by(|a, b| f(a).total_cmp(&f(b)))
            .map(|s| format!("A{}.{}", s.layer, s.head))
            .unwrap_or_default()
    };
    let values = [
        ("seed", seed.to_string()),
        ("steps", steps.to_string()),
        ("loss", format!("{final_loss:.4}")),
        ("eval seed", (seed ^ 0xC0FFEE).to_string()),
        ("clean", format!("{:.1}", 100.0 * acc_clean)),
        ("corrupted", format!("{:.1}", 100.0 * acc_corrupt)),
        ("head rows", rows),
        ("previous", best(|s| s.prev_token, 0)),
        ("induction", best(|s| s.induction, 1)),
        ("methods", methods_section(model)?),
    ];
    Ok(super::cards::fill(super::cards::INDUCTION_CARD, &values))
}

/// ACDC at the card's τ on the task's data, beside EAP-IG and exact patching on the same rows.
fn methods_section(model: &LoadedModel) -> Result<String> {
    let task = circuitscope_tasks::find("induction")?;
    let data = task.generate(model, None, 0)?;
    let settings = AcdcSettings { tau: 0.05, metric: task.default_metric, ..Default::default() };
    let circuit = discover(model, &data, settings.clone())?;
    let methods = compare(model, &data, settings.metric, settings.ablation, settings.use_pos_embed, &circuit.kept_flags)?;
    Ok(methods_markdown(&methods))
}
