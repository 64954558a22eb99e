//! `card.md` for a compiled model: what each block computes, the size of its known circuit, and
//! how to make it again. Generated, so a shipped card cannot drift from its model.

use std::fmt::Write;

use super::Compiled;
use circuitscope::graph::Graph;

pub fn card(c: &Compiled) -> String {
    let (p, cfg, gt) = (&c.program, &c.config, &c.ground_truth);
    let tasks = &cfg.tasks;
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", p.name);
    let _ = writeln!(
        s,
        "Compiled from `program.rasp` by `circuitscope rasp compile`, not trained (tracr's construction, in Rust). \
         Vocabulary {{{}}} after `BOS`, inputs of up to {} tokens; output `{}` ({}).\n",
        p.vocab.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        p.max_seq_len,
        gt.output.sop,
        match gt.output.values.is_empty() {
            true => "numerical: logit 0 is the value".to_string(),
            false => format!("categorical: logit k stands for value k of [{}]", gt.output.values.join(", ")),
        }
    );
    let _ = writeln!(s, "```\n{}\n```\n", p.source.trim_end());
    let _ = writeln!(s, "| block | part | computes |\n|---|---|---|");
    for comp in &gt.components {
        let part = match comp.head {
            Some(h) => format!("head {h}"),
            None => "MLP".into(),
        };
        let _ = writeln!(s, "| {} | {part} | `{} = {}` |", comp.layer, comp.sop, comp.op);
    }
    let counts = Graph::new(cfg, true).counts();
    let _ = writeln!(
        s,
        "\n{} blocks, {} head(s) of width {}, MLPs of width {}, d_model {} (one named direction per value: \
         `ground_truth.json` lists them). No LayerNorm, ReLU, bidirectional attention, no attention scaling.\n",
        cfg.n_layers,
        cfg.n_heads,
        cfg.d_head,
        cfg.d_mlp(),
        cfg.d_model
    );
    let _ = writeln!(
        s,
        "Known circuit: {} of the graph's {} edges (`ground_truth.json`, named as `circuit.json` names edges).{}\n",
        gt.edges.len(),
        counts.edges,
        if tasks.is_empty() { String::new() } else { format!(" Task: {}.", tasks.join(", ")) }
    );
    let _ = writeln!(
        s,
        "Regenerate: `circuitscope rasp ship` (every shipped program), and check with `circuitscope rasp check --model models/{}`.",
        p.name
    );
    s
}
