//! `circuitscope bench`: how fast ACDC and the attribution methods run, as ratios against
//! baselines measured in the same run, and as a fraction of this machine's matmul peak (also
//! measured here). Numbers, never timed assertions.

use std::time::Instant;

use clap::Args;

use circuitscope::attribute::{AttributeSettings, Attribution, Method};
use circuitscope::data::AcdcData;
use circuitscope::device::{block_on, cpu};
use circuitscope::discover::{Acdc, AcdcSettings, PassPath};
use circuitscope::error::Result;
use circuitscope::graph::EdgeType;
use circuitscope::metric::MetricKind;
use circuitscope::model::config::ModelConfig;
use circuitscope::model::init::random_weights;
use circuitscope::model::pass::Plain;
use circuitscope::model::{LoadedModel, Transformer};
use circuitscope::patch::Ablation;
use circuitscope::rng::Rng;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Edges sampled on the GPT-2-shaped model.
    #[arg(long, default_value_t = 64)]
    pub edges: usize,
    /// Skip the large shapes (the 2L8H paper shape and GPT-2 small need ~2 GB and minutes).
    #[arg(long)]
    pub small_only: bool,
    /// Only the GPT-2-small shape's edges/s (for profiling the incremental engine at scale).
    #[arg(long, conflicts_with = "small_only")]
    pub gpt2_only: bool,
}

fn random_model(config: ModelConfig, seed: u64) -> Result<LoadedModel> {
    let device = cpu();
    let transformer = Transformer::load(random_weights(&config, seed), &config, &device)?;
    Ok(LoadedModel { config, transformer, tokenizer: None, device })
}

/// `rows` random rows of `pos` tokens; corrupted = the rows shuffled by one.
fn random_data(rng: &mut Rng, rows: usize, pos: usize, vocab: usize) -> AcdcData {
    let clean: Vec<Vec<u32>> = (0..rows).map(|_| (0..pos).map(|_| rng.below(vocab) as u32).collect()).collect();
    let corrupt = (0..rows).map(|r| clean[(r + 1) % rows].clone()).collect();
    AcdcData { clean, corrupt, positions: None, correct: None, wrong: None, pos_embed_perm: None }
}

/// GFLOP/s of a 1024³ f32 matmul on burn's CPU backend, best of twelve (after a warm-up: the
/// fastest run is the machine's peak; a busy neighbour only slows some).
fn matmul_peak() -> f64 {
    let device = cpu();
    let n = 1024;
    let a = burn::tensor::Tensor::<2>::ones([n, n], &device);
    let b = burn::tensor::Tensor::<2>::ones([n, n], &device);
    let _ = a.clone().matmul(b.clone()).into_data();
    let mut best = f64::MAX;
    for _ in 0..12 {
        let started = Instant::now();
        let c = a.clone().matmul(b.clone());
        let _ = c.into_data();
        best = best.min(started.elapsed().as_secs_f64());
    }
    2.0 * (n * n * n) as f64 / best / 1e9
}

/// One full ACDC run on `path`; returns seconds, passes, kept edges and FLOPs.
fn acdc_run(model: &LoadedModel, data: &AcdcData, settings: &AcdcSettings, path: PassPath) -> Result<(f64, usize, Vec<usize>, f64)> {
    let started = Instant::now();
    let mut run = block_on(Acdc::new(model, data, settings.clone()))?;
    run.set_path(path);
    block_on(run.run())?;
    Ok((started.elapsed().as_secs_f64(), run.passes(), run.kept(), run.flops()))
}

/// Full ACDC through the incremental engine and through whole passes, same circuit required.
fn full_runs(label: &str, model: &LoadedModel, data: &AcdcData, settings: &AcdcSettings, peak: f64, naive: bool) -> Result<()> {
    println!("  {label}:");
    let mut paths = vec![(PassPath::Dense, "whole passes (dense masks)")];
    if naive {
        paths.insert(0, (PassPath::Assembled, "naive (assembled, hooks)"));
    }
    paths.push((PassPath::Optimised, "incremental"));
    let mut results = vec![];
    for (path, name) in paths {
        let (secs, passes, kept, flops) = acdc_run(model, data, settings, path)?;
        let extra = if path == PassPath::Optimised {
            format!(", {:.1} GFLOP, {:.0}% of the matmul peak", flops / 1e9, 100.0 * flops / secs / 1e9 / peak)
        } else {
            String::new()
        };
        println!("    {name:<28} {secs:8.3} s, {passes} passes, {} edges kept{extra}", kept.len());
        results.push((secs, kept));
    }
    assert!(results.windows(2).all(|w| w[0].1 == w[1].1), "every path must find the same circuit");
    let fast = results.last().expect("a run").0;
    println!("    speed-up of incremental: {}", results[..results.len() - 1].iter().map(|r| format!("{:.1}x", r.0 / fast)).collect::<Vec<_>>().join(" and "));
    Ok(())
}

/// Edges per second on the GPT-2-small shape, random weights, batch 10 × 15, random edges.
fn gpt2_edges(n_edges: usize, peak: f64) -> Result<()> {
    let config = ModelConfig::gpt2_small();
    let model = random_model(config.clone(), 3)?;
    let data = random_data(&mut Rng::new(4), 10, 15, config.d_vocab);
    let mut run = block_on(Acdc::new(&model, &data, AcdcSettings { tau: 0.05, ..Default::default() }))?;
    let candidates: Vec<usize> = (0..run.graph.edges.len()).filter(|&e| run.graph.edges[e].ty != EdgeType::Placeholder).collect();
    let mut rng = Rng::new(5);
    let sample: Vec<usize> = (0..n_edges).map(|_| candidates[rng.below(candidates.len())]).collect();
    let rate = |count: usize, started: Instant| count as f64 / started.elapsed().as_secs_f64();
    run.set_path(PassPath::Dense);
    let started = Instant::now();
    let dense: Vec<f64> = block_on(run.probe(&sample[..sample.len().min(8)]))?;
    let whole = rate(dense.len(), started);
    run.set_path(PassPath::Optimised);
    let (flops0, started) = (run.flops(), Instant::now());
    let fast: Vec<f64> = block_on(run.probe(&sample))?;
    let secs = started.elapsed().as_secs_f64();
    let worst = dense.iter().zip(&fast).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    println!("  GPT-2 small shape, batch 10 x 15, random edges (the full model as the circuit):");
    println!("    whole passes (dense masks)   {whole:8.3} edges/s");
    println!(
        "    incremental                  {:8.3} edges/s, {:.0}% of the matmul peak ({:.1}x; metrics agree to {worst:.1e})",
        fast.len() as f64 / secs,
        100.0 * (run.flops() - flops0) / secs / 1e9 / peak,
        fast.len() as f64 / secs / whole
    );
    Ok(())
}

/// Each attribution method's time as a multiple of one plain forward pass on the same data.
fn attribution_cost(label: &str, model: &LoadedModel, data: &AcdcData, metric: MetricKind) -> Result<()> {
    let t = &model.transformer;
    let tokens = model.tokens(&data.clean)?;
    let started = Instant::now();
    for _ in 0..3 {
        let _ = t.pass(t.embeds(tokens.clone(), false, None), &mut Plain).final_input.into_data();
    }
    let pass = started.elapsed().as_secs_f64() / 3.0;
    let mut parts = vec![];
    for (method, name) in [(Method::Eap, "EAP"), (Method::EapIg, "EAP-IG(5)")] {
        let settings = AttributeSettings { method, steps: 5, metric, ablation: Ablation::Resample, use_pos_embed: false };
        let started = Instant::now();
        let mut run = block_on(Attribution::new(model, data, settings))?;
        block_on(run.run())?;
        parts.push(format!("{name} {:.1} passes", started.elapsed().as_secs_f64() / pass));
    }
    println!("  {label}: one forward pass {:.3} s; {}", pass, parts.join(", "));
    Ok(())
}

pub fn bench(args: &BenchArgs) -> Result<()> {
    let peak = matmul_peak();
    println!("circuitscope bench (CPU, burn flex, {} threads): matmul peak {peak:.1} GFLOP/s (1024^3 f32, best of 12)", rayon_threads());
    if args.gpt2_only {
        return gpt2_edges(args.edges, peak);
    }
    let shipped = LoadedModel::from_dir(std::path::Path::new("models/induction-2l"), &cpu());
    if let Ok(model) = &shipped {
        let data = circuitscope_tasks::find("induction")?.generate(model, None, 0)?;
        let settings = AcdcSettings { tau: 0.05, ..Default::default() };
        full_runs("induction-2l (shipped, d_model 64), induction task, KL, tau 0.05", model, &data, &settings, peak, true)?;
    }
    if args.small_only {
        return Ok(());
    }
    let mut config = ModelConfig::attn_only_2l();
    config.n_ctx = 64;
    let model = random_model(config.clone(), 1)?;
    let data = random_data(&mut Rng::new(2), 40, 40, config.d_vocab);
    let settings = AcdcSettings { tau: 0.1, ..Default::default() };
    full_runs("2L8H, the ACDC paper's induction shape (d_model 512, vocab 48262), random weights, 40 x 40, KL, resample, tau 0.1", &model, &data, &settings, peak, false)?;
    attribution_cost("2L8H paper shape, 40 x 40, logit diff", &model, &with_answers(data, 7), MetricKind::LogitDiff)?;
    gpt2_edges(args.edges, peak)?;
    let config = ModelConfig::gpt2_small();
    let model = random_model(config.clone(), 3)?;
    let data = with_answers(random_data(&mut Rng::new(4), 10, 15, config.d_vocab), 11);
    attribution_cost("GPT-2 small shape, 10 x 15, logit diff", &model, &data, MetricKind::LogitDiff)?;
    Ok(())
}

/// Random answers for a logit-difference metric.
fn with_answers(mut data: AcdcData, seed: u64) -> AcdcData {
    let mut rng = Rng::new(seed);
    let n = data.rows();
    data.correct = Some((0..n).map(|_| circuitscope::data::Labels::One(rng.below(1000) as u32)).collect());
    data.wrong = Some((0..n).map(|_| circuitscope::data::Labels::One(1000 + rng.below(1000) as u32)).collect());
    data
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
