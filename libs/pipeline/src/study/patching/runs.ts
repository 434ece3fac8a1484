/**
 * Activation patching over a batch of flipped pairs: one plain forward pass records every site at
 * the last prompt position and each member's first answer token (the argmax there); then, per site,
 * a forward pass with each row's activation replaced by its partner member's, and one with its own
 * (which must change nothing). A patched row's new first token is read as the partner's ('switched'),
 * its own ('kept') or neither ('other'). Mean sites patch in a class's mean activation instead: what
 * one shared vector at that site can do, which bounds any additive last-position steering there.
 */
import {
  argmax,
  disposeInput,
  type ForwardInput,
  type GPT,
  recordActivations,
  withInterventions,
} from '@memgen/model';
import { memberInput } from '../pairs/member-input.js';
import type { PairLine } from '../pairs/pairs-file.js';
import type { PatchSite } from './sites.js';

/** What the patched rows of one direction did. */
export interface DirectionCounts {
  switched: number;
  kept: number;
  other: number;
}

/** A site's counts so far: mem members patched with gen activations (memToGen), and the reverse. */
export interface SiteTally {
  memToGen: DirectionCounts;
  genToMem: DirectionCounts;
  /** Rows whose first token changed when patched with their own activation (must stay 0). */
  selfChanged: number;
}

export const emptyCounts = (): DirectionCounts => ({ switched: 0, kept: 0, other: 0 });

export function emptyTally(): SiteTally {
  return { memToGen: emptyCounts(), genToMem: emptyCounts(), selfChanged: 0 };
}

/** Argmax of every row's last-position logits; disposes the logits. */
export function firstTokens(model: GPT, input: ForwardInput): number[] {
  const logits = model.forward(input); // [B, T, V]
  try {
    const [B, T, V] = logits.shape;
    const data = logits.dataSync() as Float32Array;
    return Array.from({ length: B }, (_, b) => argmax(data.subarray((b * T + T - 1) * V, (b * T + T) * V)));
  } finally {
    logits.dispose();
  }
}

/** [2b, W] rows with the halves exchanged: row k ↔ row b + k (each member gets its partner's). */
function partnerRows(rows: Float32Array, b: number, width: number): Float32Array {
  const out = new Float32Array(rows.length);
  const half = b * width;
  out.set(rows.subarray(half), 0);
  out.set(rows.subarray(0, half), half);
  return out;
}

/** Counts a row's new first token as the partner's ('switched'), its own ('kept') or neither. */
export function countInto(c: DirectionCounts, token: number, own: number, partner: number): void {
  if (token === partner) c.switched++;
  else if (token === own) c.kept++;
  else c.other++;
}

/** Records every site's hook at the last position, with the rows' unpatched first tokens. */
function recordSites(model: GPT, input: ForwardInput, hooks: string[]) {
  const rec = recordActivations(model, hooks, () => firstTokens(model, input), 'last');
  try {
    const rows = new Map<string, Float32Array>();
    for (const [hook, passes] of rec.activations) {
      if (passes.length !== 1) throw new Error(`hook '${hook}' recorded ${passes.length} passes, expected 1`);
      rows.set(hook, passes[0]!.dataSync() as Float32Array);
    }
    return { base: rec.value, rows };
  } finally {
    for (const list of rec.activations.values()) for (const t of list) t.dispose();
  }
}

/** A hook's mean last-position activation over the mem members and over the gen members. */
export interface ClassMeanRows {
  mem: Float32Array;
  gen: Float32Array;
}

/** Class means of each hook over every pair (one forward pass per batch, nothing patched). */
export function recordClassMeans(
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  hooks: readonly string[],
  batchSize: number,
): Map<string, ClassMeanRows> {
  const means = new Map<string, ClassMeanRows>();
  for (let from = 0; from < pairs.length; from += batchSize) {
    const batch = pairs.slice(from, from + batchSize);
    const b = batch.length;
    const input = memberInput(batch, padId);
    try {
      for (const [hook, rows] of recordSites(model, input, [...hooks]).rows) {
        const width = rows.length / (2 * b);
        const m = means.get(hook) ?? { mem: new Float32Array(width), gen: new Float32Array(width) };
        means.set(hook, m);
        for (let r = 0; r < 2 * b; r++) {
          const into = r < b ? m.mem : m.gen;
          for (let j = 0; j < width; j++) into[j]! += rows[r * width + j]! / pairs.length;
        }
      }
    } finally {
      disposeInput(input);
    }
  }
  return means;
}

/**
 * The rows a site patches in: the partner's own activation, or for mean sites every member the
 * partner class's mean (`class-mean`) or its own class's mean (`own-mean`).
 */
function patchRows(site: PatchSite, own: Float32Array, b: number, means?: Map<string, ClassMeanRows>) {
  const width = own.length / (2 * b);
  if (site.selection !== 'class-mean' && site.selection !== 'own-mean') return partnerRows(own, b, width);
  const m = means?.get(site.hook);
  if (!m) throw new Error(`patching site '${site.id}' has no class means`);
  const [forMem, forGen] = site.selection === 'class-mean' ? [m.gen, m.mem] : [m.mem, m.gen];
  const out = new Float32Array(own.length);
  for (let r = 0; r < 2 * b; r++) out.set(r < b ? forMem : forGen, r * width);
  return out;
}

/** First tokens of a batch's rows [mem members…, gen members…]: unpatched, patched, self-patched. */
export interface PatchedTokens {
  base: readonly number[];
  patched: readonly number[];
  self: readonly number[];
}

/** Adds one site's patched batch to its tally: self-patch changes, and each usable pair both ways. */
export function tallyPatch(
  tallies: Map<string, SiteTally>,
  id: string,
  { base, patched, self }: PatchedTokens,
  usable: readonly boolean[],
): void {
  const b = usable.length;
  const tally = tallies.get(id) ?? emptyTally();
  tallies.set(id, tally);
  tally.selfChanged += self.filter((t, r) => t !== base[r]).length;
  for (let k = 0; k < b; k++) {
    if (!usable[k]) continue;
    countInto(tally.memToGen, patched[k]!, base[k]!, base[b + k]!);
    countInto(tally.genToMem, patched[b + k]!, base[b + k]!, base[k]!);
  }
}

export interface BatchOutcome {
  /** Pairs of the batch whose members' first tokens differ (the only ones a switch can be read on). */
  usable: number;
}

/**
 * Patches one batch of pairs at every site and adds the counts to `tallies` (keyed by site id).
 * Rows are [mem members…, gen members…], left-padded so the last prompt token is the last column.
 */
export function patchBatch(
  model: GPT,
  padId: number,
  batch: readonly PairLine[],
  sites: readonly PatchSite[],
  tallies: Map<string, SiteTally>,
  means?: Map<string, ClassMeanRows>,
): BatchOutcome {
  const b = batch.length;
  const input = memberInput(batch, padId);
  try {
    const { base, rows } = recordSites(model, input, [...new Set(sites.map((s) => s.hook))]);
    const usable = batch.map((_, k) => base[k] !== base[b + k]);
    for (const site of sites) {
      const own = rows.get(site.hook)!;
      const run = (values: Float32Array) =>
        withInterventions(
          model,
          [{ kind: 'patch', hook: site.hook, coords: site.coords, rows: values }],
          () => firstTokens(model, input),
        );
      tallyPatch(
        tallies,
        site.id,
        { base, patched: run(patchRows(site, own, b, means)), self: run(own) },
        usable,
      );
    }
    return { usable: usable.filter(Boolean).length };
  } finally {
    disposeInput(input);
  }
}
