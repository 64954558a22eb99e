//! The circuit known by construction: every edge of the ACDC graph (docs/graph.md#edges) the program's
//! dataflow uses, named as `circuit.json` names edges. A component input needs an edge from
//! each sender that writes a direction it reads and that can change the program's outputs.
//!
//! Two mechanisms are left out where they cannot matter:
//! - an Aggregate's BOS default (`one` → query, `tokens:BOS` → key) when no non-BOS query's
//!   selection can be empty on any input and the Aggregate's value at the BOS position reaches
//!   no output (it does when it becomes a key, or feeds one through lookup tables);
//! - the query and key of a SelectorWidth whose every query selects every key (its pattern is
//!   uniform either way, and its MLP silences the BOS position).
//!
//! With these rules the reverse program has the paper's 15 edges.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::assemble::Placed;
use super::attention::HeadWeights;
use super::eval::{all_inputs, evaluate, selection};
use super::ir::{Op, Program, SopId};
use super::mlp::MlpWeights;
use super::residual::Dir;
use super::value::Value;
use circuitscope::discover::circuit::EdgeName;
use circuitscope::graph::{EdgeType, Graph, Hook, Node};
use circuitscope::rng::Rng;

/// Inputs enumerated to find empty selections; above this, a seeded sample of `SAMPLED`.
const ENUMERATE_LIMIT: usize = 100_000;
const SAMPLED: usize = 20_000;

/// Per Aggregate s-op, whether a non-BOS query can select nothing (on every input of length
/// 1..=max_seq_len, or a sample of them), and how many inputs the program is undefined on.
pub fn empty_selections(program: &Program) -> (Vec<bool>, usize, usize) {
    let total: f64 = (1..=program.max_seq_len).map(|n| (program.vocab.len() as f64).powi(n as i32)).sum();
    let inputs = if total <= ENUMERATE_LIMIT as f64 {
        all_inputs(&program.vocab, program.max_seq_len)
    } else {
        let mut rng = Rng::new(0);
        (0..SAMPLED)
            .map(|_| {
                let n = 1 + rng.below(program.max_seq_len);
                (0..n).map(|_| program.vocab[rng.below(program.vocab.len())].clone()).collect()
            })
            .collect()
    };
    let mut empty = vec![false; program.sops.len()];
    let mut undefined = 0;
    for input in &inputs {
        let Ok(trace) = evaluate(program, input) else {
            undefined += 1;
            continue;
        };
        for (id, sop) in program.sops.iter().enumerate() {
            if let Op::Aggregate { select, .. } = &sop.op
                && let Ok(m) = selection(program, &trace, select)
            {
                empty[id] |= m.iter().any(|row| !row.contains(&true));
            }
        }
    }
    (empty, inputs.len(), undefined)
}

/// Per s-op, whether its value at the BOS position can reach an output.
fn bos_live(program: &Program, empty: &[bool]) -> Vec<bool> {
    let mut live = vec![false; program.sops.len()];
    for (id, sop) in program.sops.iter().enumerate() {
        if let Some(select) = sop.select() {
            live[select.keys] = true;
        }
        if let Op::Aggregate { value, .. } = &sop.op {
            live[*value] |= empty[id];
        }
    }
    for id in (0..program.sops.len()).rev() {
        if !live[id] {
            continue;
        }
        match &program.sops[id].op {
            Op::Map { input, .. } if program.sops[*input].is_categorical() => live[*input] = true,
            Op::SequenceMap { fst, snd, .. } => (live[*fst], live[*snd]) = (true, true),
            Op::Aggregate { select, value } => (live[select.queries], live[*value]) = (true, true),
            // Numerical MLPs and SelectorWidth are silenced at BOS whatever their input.
            _ => {}
        }
    }
    live
}

/// The ground truth, in the graph's edge order.
pub fn edges(
    program: &Program,
    n_layers: usize,
    heads: &[Placed<HeadWeights>],
    mlps: &[Placed<MlpWeights>],
    output_dirs: &[Dir],
    empty: &[bool],
) -> Vec<EdgeName> {
    let live = bos_live(program, empty);
    let writer = |d: &Dir| -> Node {
        if d.name == "tokens" || *d == Dir::one() {
            return Node::new(Hook::Embed, 0, None);
        }
        if d.name == "indices" {
            return Node::new(Hook::PosEmbed, 0, None);
        }
        if let Some(h) = heads.iter().find(|h| {
            let name = &program.sops[h.weights.sop].name;
            (d.name == *name && matches!(program.sops[h.weights.sop].op, Op::Aggregate { .. }))
                || *d == Dir::selector_width_attn(name)
        }) {
            return Node::new(Hook::Result, h.layer, Some(h.slot));
        }
        let m = mlps
            .iter()
            .find(|m| program.sops[m.weights.sop].name == d.name)
            .unwrap_or_else(|| panic!("compiler bug: nothing writes {}", d.label()));
        Node::new(Hook::MlpOut, m.layer, None)
    };
    let mut set: BTreeSet<(Node, Node)> = BTreeSet::new();
    let read = |receiver: Node, dirs: &[Dir], set: &mut BTreeSet<(Node, Node)>| {
        for d in dirs {
            set.insert((writer(d), receiver));
        }
    };
    for h in heads {
        let w = &h.weights;
        let default = w.bos_default && (empty[w.sop] || live[w.sop]);
        let hooks = [
            (Hook::QInput, Hook::Q, Dir::one()),
            (Hook::KInput, Hook::K, Dir::bos()),
            (Hook::VInput, Hook::V, Dir::bos()),
        ];
        for (letter, ((input, hook, bos_dir), needs)) in hooks.into_iter().zip(&w.needs).enumerate() {
            let Some(needs) = needs else { continue };
            let mut dirs = needs.clone();
            if default && letter < 2 {
                dirs.push(bos_dir);
            }
            let receiver = Node::new(input, h.layer, Some(h.slot));
            read(receiver, &dirs, &mut set);
            set.insert((receiver, Node::new(hook, h.layer, Some(h.slot))));
        }
    }
    for m in mlps {
        read(Node::new(Hook::MlpIn, m.layer, None), &m.weights.needs, &mut set);
    }
    read(Node::new(Hook::ResidPost, n_layers - 1, None), output_dirs, &mut set);
    let graph = Graph::with_shape(n_layers, heads.iter().map(|h| h.slot + 1).max().unwrap_or(1), true, true);
    let mut ids: Vec<usize> = set
        .iter()
        .map(|(s, r)| {
            graph
                .edges
                .iter()
                .position(|e| {
                    graph.nodes[e.sender] == *s && graph.nodes[e.receiver] == *r && e.ty != EdgeType::Placeholder
                })
                .unwrap_or_else(|| {
                    panic!("compiler bug: {} → {} is not an edge of the graph", s.hook_name(), r.hook_name())
                })
        })
        .collect();
    ids.sort_unstable();
    ids.into_iter().map(|e| EdgeName::of(&graph, e)).collect()
}

/// `ground_truth.json`: the known circuit and what each part of the model computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroundTruth {
    pub program: String,
    /// The edges the program's dataflow uses (ADDITION and DIRECT_COMPUTATION), graph order.
    pub edges: Vec<EdgeName>,
    /// The residual stream's basis, in order: `tokens:1`, `indices:0`, `one`, `length:3`, ….
    pub residual: Vec<String>,
    pub output: OutputInfo,
    pub components: Vec<ComponentInfo>,
    /// Aggregates whose selection can be empty (their BOS default is part of the circuit).
    pub empty_selections: Vec<String>,
    /// Inputs the empty-selection check ran on, and how many the program is undefined on.
    pub inputs_checked: usize,
    pub inputs_undefined: usize,
}

impl GroundTruth {
    pub fn from_json(text: &str) -> circuitscope::Result<Self> {
        serde_json::from_str(text).map_err(|e| circuitscope::Error::Invalid(format!("ground_truth.json: {e}")))
    }

    /// A flag per edge of `graph`: whether the known circuit uses it.
    pub fn edge_flags(&self, graph: &Graph) -> circuitscope::Result<Vec<bool>> {
        graph.flags(&self.edges, "ground_truth.json")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutputInfo {
    pub sop: String,
    pub encoding: super::ir::Encoding,
    /// Categorical: the value each logit stands for, in logit order.
    pub values: Vec<String>,
}

/// One head or MLP and the s-op it computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComponentInfo {
    pub sop: String,
    pub op: String,
    pub layer: usize,
    /// `attn` (with `head`) or `mlp`.
    pub kind: String,
    pub head: Option<usize>,
    /// Residual directions it writes.
    pub writes: Vec<String>,
}

pub fn components(program: &Program, heads: &[Placed<HeadWeights>], mlps: &[Placed<MlpWeights>]) -> Vec<ComponentInfo> {
    let info = |sop: SopId, layer, kind: &str, head, writes: Vec<String>| ComponentInfo {
        sop: program.sops[sop].name.clone(),
        op: program.sops[sop].describe(program),
        layer,
        kind: kind.into(),
        head,
        writes,
    };
    let labels = |ds: BTreeSet<&Dir>| ds.into_iter().map(Dir::label).collect();
    let mut out: Vec<ComponentInfo> = heads
        .iter()
        .map(|h| {
            info(h.weights.sop, h.layer, "attn", Some(h.slot), labels(h.weights.o.iter().map(|(_, d, _)| d).collect()))
        })
        .chain(mlps.iter().map(|m| {
            info(m.weights.sop, m.layer, "mlp", None, labels(m.weights.w_out.iter().map(|(_, d, _)| d).collect()))
        }))
        .collect();
    out.sort_by_key(|c| (c.layer, c.kind == "mlp", c.head));
    out
}

/// The output's values as the logits stand for them.
pub fn output_info(program: &Program, output_dirs: &[Dir]) -> OutputInfo {
    let out = &program.sops[program.output];
    let values = output_dirs.iter().filter_map(|d| d.value.as_ref().map(Value::to_string)).collect();
    OutputInfo { sop: out.name.clone(), encoding: out.encoding, values }
}
