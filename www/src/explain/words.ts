// The page's words for what ACDC works on, for a reader who has never heard
// of it: the metrics, the ablations, the parts of the model and the edges
// between them. Names of heads and MLPs are the graph's own labels
// (`DrawnBox.label`, from Rust: "A1.3", "MLP 0", "embed", "logits"); only
// the port a line enters (query, key, value) is put into words here, from
// the node's hook. Pure: no DOM.

import type { Ablation, GraphInfo, Hook, MetricKind, NodeInfo } from '../generated/wire';

export interface MetricWords {
  /** On an axis or beside a number: "KL", "−logit diff". */
  short: string;
  /** In a sentence: "KL divergence". */
  name: string;
  /** What it measures, in a clause: "how far the model's predictions are from the full model's". */
  measures: string;
  /** Task metrics are negated so that ACDC can minimise them. */
  negated: boolean;
}

export const METRIC_WORDS: Record<MetricKind, MetricWords> = {
  kl: {
    short: 'KL',
    name: 'KL divergence',
    measures: 'how far the predictions are from the full model’s (0: the same)',
    negated: false,
  },
  logit_diff: {
    short: '−logit diff',
    name: '−logit difference',
    measures: 'minus how strongly the model prefers the right answer to the wrong one',
    negated: true,
  },
  prob_diff: {
    short: '−prob diff',
    name: '−probability difference',
    measures: 'minus the probability of the right answers less that of the wrong ones',
    negated: true,
  },
  l2: {
    short: 'L2',
    name: 'L2 distance',
    measures: 'how far the output logits are from the full model’s (0: the same)',
    negated: false,
  },
  nll: {
    short: 'NLL',
    name: 'negative log-likelihood',
    measures: 'how unlikely the model finds the right answer',
    negated: false,
  },
};

/** What a removed edge carries instead, as a clause after "it carries": "what it carries on a corrupted prompt". */
export function ablationWords(ablation: Ablation): string {
  switch (ablation) {
    case 'zero':
      return 'zeros (zero ablation)';
    case 'mean':
      return 'its sender’s average output over the data (mean ablation)';
    default:
      return 'what it would carry on a corrupted prompt (resample ablation)';
  }
}

const PORT: Partial<Record<Hook, string>> = {
  q_input: 'query',
  k_input: 'key',
  v_input: 'value',
  q: 'query',
  k: 'key',
  v: 'value',
};

/** The query, key or value a node is part of (undefined for others). */
export function portOf(hook: Hook): string | undefined {
  return PORT[hook];
}

/** The drawn box's label of a node: "A1.3", "MLP 0", "embed", "logits" (the crate's). */
export function boxLabel(graph: GraphInfo, node: number): string {
  const box = graph.layout.boxes[graph.layout.boxOf[node]];
  return box?.label ?? graph.nodes[node]?.label ?? `node ${node}`;
}

/** A receiving end in words: "A1.3’s key", "MLP 1", "logits". */
export function receiverName(graph: GraphInfo, node: NodeInfo): string {
  const label = boxLabel(graph, node.id);
  const port = portOf(node.hook);
  return port ? `${label}’s ${port}` : label;
}

/**
 * An edge, short: "A0.2 → A1.3’s key", "A1.4 → logits"; a head's own
 * query/key/value computation (a DIRECT_COMPUTATION edge): "A1.3’s key input → key".
 */
export function edgeName(graph: GraphInfo, id: number): string {
  const edge = graph.edges[id];
  const sender = graph.nodes[edge.sender];
  const receiver = graph.nodes[edge.receiver];
  if (edge.type === 'direct_computation') {
    const port = portOf(receiver.hook) ?? receiver.label;
    return `${boxLabel(graph, receiver.id)}’s ${port} input → ${port}`;
  }
  return `${boxLabel(graph, sender.id)} → ${receiverName(graph, receiver)}`;
}

/** What a part is, for a reader: "attention head 3 of layer 1", "the MLP of layer 0". */
export function partWords(node: NodeInfo): string {
  switch (node.hook) {
    case 'resid_pre':
      return 'the input: token and position embeddings';
    case 'embed':
      return 'the token embeddings';
    case 'pos_embed':
      return 'the position embeddings';
    case 'resid_post':
      return 'the output: the logits the next-token prediction is read from';
    case 'mlp_in':
    case 'mlp_out':
      return `the MLP of layer ${node.layer}`;
    default:
      return `attention head ${node.head ?? 0} of layer ${node.layer}`;
  }
}

/**
 * What removing an edge does, in plain words: the receiver gets what the
 * ablation puts in the sender's place; nothing else changes.
 */
export function patchWords(graph: GraphInfo, id: number, ablation: Ablation): string {
  const edge = graph.edges[id];
  const sender = graph.nodes[edge.sender];
  const receiver = graph.nodes[edge.receiver];
  const from = boxLabel(graph, sender.id);
  if (edge.type === 'direct_computation') {
    const head = boxLabel(graph, receiver.id);
    const port = portOf(receiver.hook) ?? 'output';
    const source =
      ablation === 'zero' ? 'zeros' : ablation === 'mean' ? 'its average input' : 'its input on a corrupted prompt';
    return `Removing it makes ${head} compute its ${port} from ${source} instead of from this prompt.`;
  }
  const into = receiver.hook === 'resid_post' ? 'the output' : receiverName(graph, receiver);
  const what =
    ablation === 'zero'
      ? `zeros instead of what ${from} writes`
      : ablation === 'mean'
        ? `${from}’s average output instead of its output on this prompt`
        : `what ${from} writes on a corrupted prompt instead of on this one`;
  return `Removing it feeds ${into} with ${what}; every other path stays as it is.`;
}
