//! A RASP → transformer compiler (tracr, Lindner et al. 2023, in Rust): programs whose weights
//! are written, not learned, so their circuit is known exactly — the ACDC paper's tracr tasks.
//!
//! The pipeline reads top to bottom: `lexer` → `parser` → `lower` and `calls` (an [`ir::Program`]) →
//! `value_set` (what each s-op can hold) → `layers` (which block computes it) → `attention` and
//! `mlp` (its weights over named `residual` directions) → `assemble` (a model in our format) and
//! `ground_truth` (its circuit; `layout` groups its residual basis by writer for the page).
//! `eval` is the interpreter the model is checked against, `check` runs that check on every
//! input (`compare` on one, for the page), `data` makes the paper's tracr datasets, `recovery`
//! asks ACDC to find the circuit, and `programs` holds the shipped programs.

pub mod assemble;
pub mod attention;
pub mod calls;
pub mod card;
#[cfg(not(target_arch = "wasm32"))]
pub mod check;
pub mod compare;
pub mod data;
pub mod eval;
pub mod expr;
pub mod ground_truth;
pub mod ir;
pub mod layers;
pub mod layout;
pub mod lexer;
pub mod lower;
pub mod mlp;
pub mod parser;
pub mod programs;
pub mod recovery;
pub mod report;
pub mod residual;
pub mod value;
pub mod value_set;

use assemble::Placed;
use attention::HeadWeights;
use ground_truth::GroundTruth;
use ir::{Op, Program};
use mlp::MlpWeights;
use residual::{BOS, Dir, Residual, UNK, sop_dirs};

pub use lexer::{RaspError, Span};
pub use value::Value;

use circuitscope::model::ModelConfig;
use circuitscope::model::weights::{WeightMap, to_safetensors};

/// Lexes, parses and lowers a program; `name` becomes the model's name.
pub fn parse_program(source: &str, name: &str) -> Result<Program, RaspError> {
    let tokens = lexer::lex(source)?;
    let stmts = parser::parse(&tokens)?;
    lower::lower(&stmts, name, source)
}

/// A compiled program: the model's parts and the files that describe it.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub program: Program,
    /// Per s-op, its possible values.
    pub value_sets: Vec<value_set::ValueSet>,
    pub residual: Residual,
    pub heads: Vec<Placed<HeadWeights>>,
    pub mlps: Vec<Placed<MlpWeights>>,
    pub config: ModelConfig,
    pub weights: WeightMap,
    /// Tokenizer words in id order: `BOS`, the vocabulary, `[UNK]`.
    pub words: Vec<String>,
    pub ground_truth: GroundTruth,
}

/// Compiles a program to weights and its ground-truth circuit.
pub fn compile(program: &Program) -> Result<Compiled, RaspError> {
    let sets = value_set::infer(program)?;
    let alloc = layers::allocate(program);
    let (mut heads, mut mlps) = (vec![], vec![]);
    let (mut heads_in, mut hidden_in) = (vec![0usize; alloc.n_layers], vec![0usize; alloc.n_layers]);
    for (id, sop) in program.sops.iter().enumerate() {
        let Some(layer) = alloc.layer[id] else { continue };
        let mut place_head = |w: HeadWeights| {
            heads.push(Placed { layer, slot: heads_in[layer], weights: w });
            heads_in[layer] += 1;
        };
        match &sop.op {
            Op::Aggregate { .. } => place_head(attention::aggregate_head(program, &sets, id)?),
            Op::SelectorWidth { .. } => place_head(attention::selector_width_head(program, &sets, id)?),
            _ => {}
        }
        let mlp = match &sop.op {
            Op::Map { .. } | Op::SequenceMap { .. } => Some(mlp::map_mlp(program, &sets, id)?),
            Op::SelectorWidth { .. } => Some(mlp::selector_width_mlp(program, &sets, id)?),
            _ => None,
        };
        if let Some(w) = mlp {
            let hidden = w.hidden;
            mlps.push(Placed { layer, slot: hidden_in[layer], weights: w });
            hidden_in[layer] += hidden;
        }
    }
    let mut dirs = vec![Dir::one(), Dir::bos()];
    dirs.extend(program.vocab.iter().map(|v| Dir::new("tokens", v.clone())));
    dirs.extend((0..program.max_seq_len as i64).map(|i| Dir::new("indices", Value::Int(i))));
    for (id, sop) in program.sops.iter().enumerate().skip(2) {
        dirs.extend(sop_dirs(program, &sets, id));
        if let Op::SelectorWidth { .. } = sop.op {
            dirs.push(Dir::selector_width_attn(&sop.name));
        }
    }
    let residual = Residual::new(dirs);
    let output_dirs = assemble::output_dirs(program, &sets);
    let config = assemble::config(program, alloc.n_layers, &residual, &heads, &mlps, output_dirs.len());
    let weights = assemble::weights(program, &config, &residual, &heads, &mlps, &output_dirs);
    let (empty, inputs_checked, inputs_undefined) = ground_truth::empty_selections(program);
    let ground_truth = GroundTruth {
        program: program.name.clone(),
        edges: ground_truth::edges(program, alloc.n_layers, &heads, &mlps, &output_dirs, &empty),
        residual: residual.labels(),
        output: ground_truth::output_info(program, &output_dirs),
        components: ground_truth::components(program, &heads, &mlps),
        empty_selections: (0..program.sops.len()).filter(|&i| empty[i]).map(|i| program.sops[i].name.clone()).collect(),
        inputs_checked,
        inputs_undefined,
    };
    Ok(Compiled {
        words: assemble::token_words(program),
        program: program.clone(),
        value_sets: sets,
        residual,
        heads,
        mlps,
        config,
        weights,
        ground_truth,
    })
}

/// Parses and compiles `source`.
pub fn compile_source(source: &str, name: &str) -> Result<Compiled, RaspError> {
    compile(&parse_program(source, name)?)
}

/// The files of a model folder, as bytes and text: what `circuitscope rasp compile` writes and
/// what the page would load.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub config_json: String,
    pub safetensors: Vec<u8>,
    pub tokenizer_json: String,
    pub ground_truth_json: String,
    /// The program's source, kept beside the model so `rasp check` can rerun it.
    pub program_rasp: String,
    pub card_md: String,
}

impl Compiled {
    /// Names the tasks the model is for in its config (`config.tasks`).
    pub fn with_tasks(mut self, tasks: &[String]) -> Self {
        self.config.tasks = tasks.to_vec();
        self
    }

    pub fn files(&self) -> circuitscope::Result<ModelFiles> {
        let words: Vec<&str> = self.words.iter().map(String::as_str).collect();
        Ok(ModelFiles {
            config_json: pretty(&self.config),
            safetensors: to_safetensors(&self.weights.tensors)?,
            tokenizer_json: circuitscope::model::tokenizer::word_level_json(&words, BOS, UNK),
            ground_truth_json: pretty(&self.ground_truth),
            program_rasp: self.program.source.clone(),
            card_md: card::card(self),
        })
    }

    /// Writes `config.json`, `model.safetensors`, `tokenizer.json`, `ground_truth.json`,
    /// `program.rasp` and `card.md` into `dir` (created if missing).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn write(&self, dir: &std::path::Path) -> circuitscope::Result<()> {
        let io = |e: std::io::Error, name: &str| circuitscope::Error::Io(format!("{}: {e}", dir.join(name).display()));
        std::fs::create_dir_all(dir).map_err(|e| io(e, ""))?;
        let files = self.files()?;
        let all: [(&str, &[u8]); 6] = [
            ("config.json", files.config_json.as_bytes()),
            ("model.safetensors", &files.safetensors),
            ("tokenizer.json", files.tokenizer_json.as_bytes()),
            ("ground_truth.json", files.ground_truth_json.as_bytes()),
            ("program.rasp", files.program_rasp.as_bytes()),
            ("card.md", files.card_md.as_bytes()),
        ];
        for (name, bytes) in all {
            std::fs::write(dir.join(name), bytes).map_err(|e| io(e, name))?;
        }
        Ok(())
    }

    /// The model, loaded on `device`.
    pub fn load(&self, device: &burn::prelude::Device) -> circuitscope::Result<circuitscope::model::LoadedModel> {
        let files = self.files()?;
        circuitscope::model::LoadedModel::from_bytes(
            &files.config_json,
            &files.safetensors,
            Some(&files.tokenizer_json),
            device,
        )
    }
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("plain JSON") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use circuitscope::graph::Graph;

    #[test]
    fn the_reverse_model_has_the_papers_graph_and_fifteen_edge_circuit() {
        let c = compile_source(programs::REVERSE, "tracr-reverse").unwrap();
        assert_eq!((c.config.n_layers, c.config.n_heads), (4, 1));
        assert_eq!(Graph::new(&c.config, true).counts().edges, 106);
        assert_eq!(c.ground_truth.edges.len(), 15);
        assert_eq!(c.config.d_vocab_out(), 3);
    }

    #[test]
    fn the_proportion_model_has_the_papers_graph() {
        let c = compile_source(programs::FRAC_PREVS, "tracr-proportion").unwrap();
        assert_eq!((c.config.n_layers, c.config.n_heads), (2, 1));
        assert_eq!(Graph::new(&c.config, true).counts().edges, 38);
        assert_eq!(c.config.d_vocab_out(), 1);
    }
}
