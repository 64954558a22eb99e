// An ACDC graph as `Session.graph()` returns it, built here from
// docs/graph.md#who-feeds-whom so that the page's pure modules can be tested
// without the wasm module (its `layout` is left out: tests that draw read the
// crate's, tests/unit/wasm.mjs).

/**
 * @param {{nLayers: number, nHeads: number, hasMlp?: boolean, usePosEmbed?: boolean}} shape
 */
export function acdcGraph({ nLayers, nHeads, hasMlp = false, usePosEmbed = false }) {
  const nodes = [];
  const edges = [];
  const node = (hook, layer, head, name) => {
    nodes.push({ id: nodes.length, name, head, layer, label: `${hook}${head ?? ''}`, hook });
    return nodes.length - 1;
  };
  const edge = (sender, receiver, type) => edges.push({ id: edges.length, sender, receiver, type });

  /** Senders so far, by layer: [node id, layer]. */
  const senders = usePosEmbed
    ? [node('embed', 0, null, 'hook_embed'), node('pos_embed', 0, null, 'hook_pos_embed')]
    : [node('resid_pre', 0, null, 'blocks.0.hook_resid_pre')];
  for (let l = 0; l < nLayers; l++) {
    const before = [...senders];
    for (let h = 0; h < nHeads; h++) {
      const result = node('result', l, h, `blocks.${l}.attn.hook_result`);
      for (const x of ['q', 'k', 'v']) {
        const input = node(`${x}_input`, l, h, `blocks.${l}.hook_${x}_input`);
        const inner = node(x, l, h, `blocks.${l}.attn.hook_${x}`);
        for (const s of before) edge(s, input, 'addition');
        edge(input, inner, 'direct_computation');
        edge(inner, result, 'placeholder');
      }
      senders.push(result);
    }
    if (hasMlp) {
      const mlpIn = node('mlp_in', l, null, `blocks.${l}.hook_mlp_in`);
      const mlpOut = node('mlp_out', l, null, `blocks.${l}.hook_mlp_out`);
      for (const s of senders) edge(s, mlpIn, 'addition');
      edge(mlpIn, mlpOut, 'placeholder');
      senders.push(mlpOut);
    }
  }
  const out = node('resid_post', nLayers - 1, null, `blocks.${nLayers - 1}.hook_resid_post`);
  for (const s of senders) edge(s, out, 'addition');

  const count = (type) => edges.filter((e) => e.type === type).length;
  return {
    nodes,
    edges,
    visitOrder: nodes.map((n) => n.id).reverse(),
    counts: {
      edges: count('addition') + count('direct_computation'),
      addition: count('addition'),
      direct_computation: count('direct_computation'),
      placeholder: count('placeholder'),
      nodes: nodes.length,
    },
    nLayers,
    nHeads,
    hasMlp,
    usePosEmbed,
  };
}
