/**
 * Activation patching at token spans over a batch of flipped pairs: one plain forward pass records
 * every span site's hook at every position, with each member's first answer token; then, per site,
 * each member's activations at the span's positions are replaced by its partner's at the positions
 * of the same tokens (./spans.ts), and once by its own (which must change nothing). The
 * first answer token is read as in last-position patching.
 */
import {
  disposeInput,
  type GPT,
  type Intervention,
  recordActivations,
  withInterventions,
} from '@memgen/model';
import type { Tokenizer } from '@memgen/tasks';
import { memberInput } from '../pairs/member-input.js';
import type { PairLine } from '../pairs/pairs-file.js';
import { firstTokens, type SiteTally, tallyPatch } from './runs.js';
import type { PatchSite } from './sites.js';
import { type SpanKind, spanPositions } from './spans.js';

/** Every position of each hook, [2b, T, W] row-major, and the rows' unpatched first tokens. */
function recordAllPositions(model: GPT, input: Parameters<GPT['forward']>[0], hooks: readonly string[]) {
  const rec = recordActivations(model, [...hooks], () => firstTokens(model, input), 'all');
  try {
    const acts = new Map<string, Float32Array>();
    for (const [hook, passes] of rec.activations) acts.set(hook, passes[0]!.dataSync() as Float32Array);
    return { base: rec.value, acts };
  } finally {
    for (const list of rec.activations.values()) for (const t of list) t.dispose();
  }
}

/** Cell pairs [row · T + position] to write and to read: each member's span from its partner's. */
function exchangeCells(positions: [number, number][][], b: number, T: number, lengths: readonly number[]) {
  const to: number[] = [];
  const from: number[] = [];
  positions.forEach((list, k) => {
    const pad = T - lengths[k]!;
    for (const [pm, pg] of list) {
      const [mem, gen] = [k * T + pad + pm, (b + k) * T + pad + pg];
      to.push(mem, gen);
      from.push(gen, mem);
    }
  });
  return { to, from };
}

function gather(acts: Float32Array, cells: readonly number[], width: number): Float32Array {
  const out = new Float32Array(cells.length * width);
  cells.forEach((c, n) => {
    out.set(acts.subarray(c * width, (c + 1) * width), n * width);
  });
  return out;
}

/**
 * Patches one batch of pairs at every span site (`site.span` set) and adds the counts to `tallies`.
 * @returns the pairs of the batch whose members' first tokens differ
 */
export function patchSpanBatch(
  model: GPT,
  tokenizer: Tokenizer,
  batch: readonly PairLine[],
  sites: readonly PatchSite[],
  tallies: Map<string, SiteTally>,
): number {
  const b = batch.length;
  const lengths = batch.map((p) => p.mem.tokens.length);
  const T = Math.max(...lengths, ...batch.map((p) => p.gen.tokens.length));
  const positions = new Map<SpanKind, [number, number][][]>();
  const spanOf = (kind: SpanKind) => {
    if (!positions.has(kind))
      positions.set(
        kind,
        batch.map((p) => spanPositions(p, kind, tokenizer)),
      );
    return positions.get(kind)!;
  };
  const input = memberInput(batch, tokenizer.padId);
  try {
    const { base, acts } = recordAllPositions(model, input, [...new Set(sites.map((s) => s.hook))]);
    const usable = batch.map((_, k) => base[k] !== base[b + k]);
    for (const site of sites) {
      const { to, from } = exchangeCells(spanOf(site.span!), b, T, lengths);
      const own = acts.get(site.hook)!;
      const width = own.length / (2 * b * T);
      const run = (values: Float32Array) => {
        const iv: Intervention = {
          kind: 'patch-cells',
          hook: site.hook,
          batch: 2 * b,
          length: T,
          cells: to,
          values,
        };
        return withInterventions(model, [iv], () => firstTokens(model, input));
      };
      const tokens = { base, patched: run(gather(own, from, width)), self: run(gather(own, to, width)) };
      tallyPatch(tallies, site.id, tokens, usable);
    }
    return usable.filter(Boolean).length;
  } finally {
    disposeInput(input);
  }
}
