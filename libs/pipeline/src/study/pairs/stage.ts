/**
 * Stage `pairs` (docs/method.md §4): draw conflict items and their pair variants, decode both in batches,
 * label them, and keep the pairs where one member answered mem and the other gen, up to the target.
 * Writes pairs.jsonl; its record holds the flip rate and the counts of every label combination.
 */
import { type Stream, stream } from '@memgen/common';
import type { ConflictItem, Label, Task } from '@memgen/tasks';
import { defineStudyStage } from '../../registry/declaration.js';
import { checkAborted, type StageContext } from '../../stage.js';
import { type DecodeRequest, decodeRequests } from '../common/decoding.js';
import { RUN_DIR_FILES, runPath } from '../common/run-dir.js';
import type { StudySpec } from '../common/study-model.js';
import { openStudyModel, type ResolvedTaskSpec, type StudyModel } from '../common/study-model.js';
import { PAIRS_FILES } from './files.js';
import { type PairLine, writePairs } from './pairs-file.js';

/** Label combinations of a pair, unordered: 'gen/mem' is a flip. */
export type PairCombination = 'gen/gen' | 'gen/mem' | 'gen/other' | 'mem/mem' | 'mem/other' | 'other/other';

export interface PairsResult {
  task: ResolvedTaskSpec;
  /** Conflict items drawn. */
  itemsDrawn: number;
  /** Items whose variant came out identical (skipped, not decoded). */
  identicalVariants: number;
  /** Pairs decoded (both members). */
  pairsDecoded: number;
  /** Pairs with one mem and one gen member among those decoded. */
  flipped: number;
  /** flipped / pairsDecoded; null when no pair was decoded. */
  flipRate: number | null;
  /** Pairs kept in pairs.jsonl (≤ target). */
  kept: number;
  target: number;
  combinations: Record<PairCombination, number>;
  /** Labels of all decoded prompts (items and variants). */
  memberLabels: Record<Label, number>;
  decoding: { beamWidth: number; maxNewTokens: 'auto' | number };
}

function combination(a: Label, b: Label): PairCombination {
  return [a, b].sort().join('/') as PairCombination;
}

/** What the search has found so far. */
interface PairSearch {
  kept: PairLine[];
  drawn: number;
  identical: number;
  decoded: number;
  combinations: Record<PairCombination, number>;
  memberLabels: Record<Label, number>;
}

interface Candidate {
  index: number;
  item: ConflictItem;
  variant: ConflictItem;
}

/** The next batch of items with a variant that differs from them (identical ones are counted, not kept). */
function drawCandidates(
  task: Task,
  cfg: StudySpec['study']['pairs'],
  rngs: { items: Stream; variants: Stream },
  search: PairSearch,
) {
  const batch: Candidate[] = [];
  while (batch.length < cfg.batchSize && search.drawn < cfg.maxItems) {
    const item = task.conflict(rngs.items);
    const variant = task.variant(item, rngs.variants);
    if (variant === null) search.identical++;
    else batch.push({ index: search.drawn, item, variant });
    search.drawn++;
  }
  return batch;
}

/** Decodes both members of every candidate, counts their labels, keeps the flips (up to the target). */
function decodeCandidates(
  opened: StudyModel,
  cfg: StudySpec['study']['pairs'],
  batch: Candidate[],
  search: PairSearch,
): void {
  const { model, tokenizer, task } = opened;
  const request = (c: ConflictItem): DecodeRequest => ({
    tokens: tokenizer.encode(c.prompt),
    targets: [c.gen_target, c.mem_target],
  });
  const requests = [...batch.map((b) => request(b.item)), ...batch.map((b) => request(b.variant))];
  const out = decodeRequests(model, tokenizer, requests, {
    beamWidth: cfg.beamWidth,
    maxNewTokens: cfg.maxNewTokens,
    batchSize: cfg.batchSize * 2,
  });
  batch.forEach((b, k) => {
    const members = [
      { c: b.item, tokens: requests[k]!.tokens, output: out.texts[k]! },
      { c: b.variant, tokens: requests[batch.length + k]!.tokens, output: out.texts[batch.length + k]! },
    ];
    const labels = members.map((m) => task.label(m.c, m.output));
    for (const l of labels) search.memberLabels[l]++;
    const combo = combination(labels[0]!, labels[1]!);
    search.combinations[combo]++;
    search.decoded++;
    if (combo !== 'gen/mem' || search.kept.length >= cfg.target) return;
    const asMember = (m: (typeof members)[number]) => ({
      prompt: m.c.prompt,
      tokens: m.tokens,
      output: m.output,
    });
    const memAt = labels[0] === 'mem' ? 0 : 1;
    search.kept.push({
      pair: search.kept.length,
      mem: asMember(members[memAt]!),
      gen: asMember(members[1 - memAt]!),
      answers: { mem: b.item.mem_answer, gen: b.item.gen_answer },
      item: b.index,
    });
  });
}

async function runPairs(spec: StudySpec, ctx: StageContext): Promise<PairsResult> {
  const cfg = spec.study.pairs;
  const opened = await openStudyModel(spec, ctx.runDir);
  const rngs = {
    items: stream(spec.study.seed, 'study.pairs.items'),
    variants: stream(spec.study.seed, 'study.pairs.variants'),
  };
  const zero = { 'gen/gen': 0, 'gen/mem': 0, 'gen/other': 0, 'mem/mem': 0, 'mem/other': 0, 'other/other': 0 };
  const search: PairSearch = {
    kept: [],
    drawn: 0,
    identical: 0,
    decoded: 0,
    combinations: zero,
    memberLabels: { mem: 0, gen: 0, other: 0 },
  };
  try {
    while (search.kept.length < cfg.target && search.drawn < cfg.maxItems) {
      checkAborted(ctx);
      decodeCandidates(opened, cfg, drawCandidates(opened.task, cfg, rngs, search), search);
      const rate = search.decoded > 0 ? search.combinations['gen/mem'] / search.decoded : 0;
      const detail = `${search.drawn} items, flip rate ${(100 * rate).toFixed(1)} %`;
      ctx.progress({ stage: 'pairs', done: search.kept.length, total: cfg.target, detail });
    }
  } finally {
    opened.dispose();
  }
  await writePairs(runPath(ctx.runDir, PAIRS_FILES.pairs), search.kept);
  const { kept, decoded, identical, drawn, combinations, memberLabels } = search;
  const flipped = combinations['gen/mem'];
  if (decoded > 0) ctx.metrics?.record({ kind: 'flip-rate', rate: flipped / decoded });
  ctx.log(
    `pairs: kept ${kept.length}/${cfg.target} flipped pairs from ${decoded} decoded pairs ` +
      `(flip rate ${decoded ? ((100 * flipped) / decoded).toFixed(2) : '—'} %, ${identical} identical variants)`,
  );
  return {
    task: opened.taskSpec,
    itemsDrawn: drawn,
    identicalVariants: identical,
    pairsDecoded: decoded,
    flipped,
    flipRate: decoded > 0 ? flipped / decoded : null,
    kept: kept.length,
    target: cfg.target,
    combinations,
    memberLabels,
    decoding: { beamWidth: cfg.beamWidth, maxNewTokens: cfg.maxNewTokens },
  };
}

/** Decoding settings only: pairs.minPairs is the gate below, so changing it never re-decodes. */
function pairsConfig(spec: StudySpec): unknown {
  const { minPairs: _gate, ...decode } = spec.study.pairs;
  return { pairs: decode, seed: spec.study.seed, task: spec.task ?? null };
}

export const pairsStage = defineStudyStage<PairsResult>({
  name: 'pairs',
  group: 'recording',
  upstream: ['train'],
  reads: [`${RUN_DIR_FILES.checkpoint}/`],
  outputs: [PAIRS_FILES.pairs],
  config: pairsConfig,
  run: runPairs,
  gate: (result, spec) =>
    result.kept < spec.study.pairs.minPairs
      ? `only ${result.kept} flipped pairs, fewer than pairs.minPairs = ${spec.study.pairs.minPairs}`
      : null,
  onChangedOutput: 'rerun',
});
