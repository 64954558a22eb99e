//! `circuitscope bench`: ACDC's speed, optimised against the naive path (one full forward pass per
//! tested edge, full logits), measured in the same run. Ratios, not timed assertions.

use std::time::Instant;

use clap::Args;

use circuitscope::data::AcdcData;
use circuitscope::device::{block_on, cpu};
use circuitscope::discover::{Acdc, AcdcSettings, PassPath};
use circuitscope::error::Result;
use circuitscope::graph::EdgeType;
use circuitscope::model::config::ModelConfig;
use circuitscope::model::init::random_weights;
use circuitscope::model::{LoadedModel, Transformer};
use circuitscope::rng::Rng;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Edges sampled on the GPT-2-shaped model.
    #[arg(long, default_value_t = 32)]
    pub edges: usize,
    /// Skip the GPT-2-shaped model (it needs ~1 GB and a minute).
    #[arg(long)]
    pub small_only: bool,
}

fn random_model(config: ModelConfig, seed: u64) -> Result<LoadedModel> {
    let device = cpu();
    let transformer = Transformer::load(random_weights(&config, seed), &config, &device)?;
    Ok(LoadedModel { config, transformer, tokenizer: None, device })
}

fn random_data(rng: &mut Rng, rows: usize, pos: usize, vocab: usize) -> AcdcData {
    let mut row = || (0..pos).map(|_| rng.below(vocab) as u32).collect::<Vec<u32>>();
    let clean: Vec<Vec<u32>> = (0..rows).map(|_| row()).collect();
    let corrupt: Vec<Vec<u32>> = (0..rows).map(|_| row()).collect();
    AcdcData { clean, corrupt, positions: None, correct: None, wrong: None, pos_embed_perm: None }
}

/// Full ACDC on a 2-layer, 8-head attention-only model (305 edges), both paths.
fn full_run_2l8h() -> Result<()> {
    let shipped = std::path::Path::new("models/induction-2l");
    let (model, data, label) = if shipped.join("model.safetensors").exists() {
        let model = LoadedModel::from_dir(shipped, &cpu())?;
        let data = circuitscope_tasks::find("induction")?.generate(&model, None, 0)?;
        (model, data, "models/induction-2l, induction task")
    } else {
        let mut config = ModelConfig::attn_only_2l();
        (config.d_model, config.d_head, config.d_vocab, config.n_ctx) = (64, 8, 64, 32);
        let model = random_model(config, 1)?;
        let data = random_data(&mut Rng::new(2), 40, 24, 64);
        (model, data, "random 2L8H weights")
    };
    let settings = AcdcSettings { tau: 0.05, ..Default::default() };
    let mut times = vec![];
    let mut kept = vec![];
    println!("  2L8H full ACDC on {label}, tau 0.05:");
    for (path, name) in [
        (PassPath::Assembled, "naive (assembled, full pass)"),
        (PassPath::Dense, "full pass with dense masks"),
        (PassPath::Optimised, "optimised"),
    ] {
        let started = Instant::now();
        let mut run = block_on(Acdc::new(&model, &data, settings.clone()))?;
        run.set_path(path);
        block_on(run.run())?;
        times.push(started.elapsed().as_secs_f64());
        kept.push(run.kept());
        println!("    {name:<30} {:8.3} s, {} passes, {} of 305 edges kept", times.last().unwrap(), run.passes(), run.kept().len());
    }
    assert!(kept.windows(2).all(|w| w[0] == w[1]), "every path must find the same circuit");
    println!(
        "  2L8H full ACDC speed-up: {:.1}x over naive, {:.2}x over full dense passes (same circuit)",
        times[0] / times[2],
        times[1] / times[2]
    );
    Ok(())
}

/// Edges tested per second on a GPT-2-small-shaped model with random weights, batch 10 × 15.
fn gpt2_edges_per_second(n_edges: usize) -> Result<()> {
    let config = ModelConfig::gpt2_small();
    let model = random_model(config.clone(), 3)?;
    let data = random_data(&mut Rng::new(4), 10, 15, config.d_vocab);
    let mut run = block_on(Acdc::new(&model, &data, AcdcSettings { tau: 0.05, ..Default::default() }))?;
    // Edges drawn uniformly from all ADD and DC edges: the mix ACDC tests.
    let candidates: Vec<usize> =
        (0..run.graph.edges.len()).filter(|&e| run.graph.edges[e].ty != EdgeType::Placeholder).collect();
    let mut rng = Rng::new(5);
    let sample: Vec<usize> = (0..n_edges).map(|_| candidates[rng.below(candidates.len())]).collect();
    let rate = |count: usize, started: Instant| count as f64 / started.elapsed().as_secs_f64();

    // The naive path: one full forward pass per edge, every receiver assembled sender by sender
    // (the reference's hook semantics), full logits. Slow: a few edges suffice.
    let few = &sample[..sample.len().min(4)];
    run.set_path(PassPath::Assembled);
    let started = Instant::now();
    let assembled = block_on(run.probe(few))?;
    let naive = rate(few.len(), started);
    // A full forward pass per edge with dense masks (no start-at-layer), full logits.
    run.set_path(PassPath::Dense);
    let started = Instant::now();
    let dense: Vec<f64> = block_on(run.probe(&sample))?;
    let full = rate(sample.len(), started);
    // Optimised: start at the receiver's layer, scored rows only through the last MLP and unembed.
    run.set_path(PassPath::Optimised);
    let started = Instant::now();
    let mut optimised = vec![];
    for &e in &sample {
        optimised.extend(block_on(run.probe(&[e]))?);
    }
    let fast = rate(sample.len(), started);
    let worst = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    println!("  GPT-2 shape, batch 10 x 15, naive (assembled, full pass):  {naive:8.3} edges/s ({} edges)", few.len());
    println!("  GPT-2 shape, batch 10 x 15, full pass with dense masks:    {full:8.3} edges/s ({} edges)", sample.len());
    println!("  GPT-2 shape, batch 10 x 15, optimised:                     {fast:8.3} edges/s ({} edges)", sample.len());
    println!(
        "  GPT-2 shape speed-up: {:.1}x over naive, {:.2}x over full dense passes (metrics agree to {:.1e})",
        fast / naive,
        fast / full,
        worst(&assembled, &optimised[..few.len()]).max(worst(&dense, &optimised))
    );
    Ok(())
}

pub fn bench(args: &BenchArgs) -> Result<()> {
    println!("circuitscope bench (CPU, burn flex backend)");
    full_run_2l8h()?;
    if !args.small_only {
        gpt2_edges_per_second(args.edges)?;
    }
    Ok(())
}
