/**
 * Steering settings and their ids. An id is derived from a setting's fields only (never from its
 * place in the grid), so the same setting has the same id in every seed and run, and results of
 * different runs can be joined on it: e.g. `add-nmd-resid-top10-all-a5`, `mean-class-resid-top10-last`,
 * `heads-b1h0-all`, `scale-resid-top10-last-a-0.5`, `sublayer-genb0mlp-memb1attn-last`,
 * `sublayer-scale-gencalib-memcalib-prompt-a-0.5` (sublayers chosen per model by calibration),
 * `dir-grad-calib-prompt-a0.25-k4` (a learned vector kept to its top 4 coordinates by |r|),
 * `add-nmd-resid-top5-last-a3-ctlnmd` (the paper control drawn from U(−max|NMD|, max|NMD|)),
 * `das-k2-calib-prompt-a1` (a 2-dimensional alignment-search subspace set to the class mean),
 * `attn-asked-gencalib-memcalib-prompt-a2` (attention to the asked name's statements raised or
 * lowered by 2 in calibrated heads; fixed heads read e.g. `genb1h0+`).
 */
import { signedHeadName } from '../attention/edits.js';
import {
  type DasFamily,
  type DirectionFamily,
  familySite,
  type KeepCoordinates,
  type SteerConfig,
  type SteerFamily,
  type SteerSelection,
  type SublayerRef,
} from '../config.js';

/** One attention head: `blocks.{block}.attn.z`, head `head`. */
export interface HeadRef {
  block: number;
  head: number;
}

/** One setting of the grid: a family at one α (add, scale) or one head set (head-ablate). */
export interface SettingSpec {
  id: string;
  family: SteerFamily;
  /** Index of the family in steer.families. */
  familyIndex: number;
  /** α of add and scale settings; null for ablations. */
  alpha: number | null;
  /** The heads of a head-ablate setting (sorted); null otherwise. */
  heads: HeadRef[] | null;
  /** The coordinates a direction setting keeps; absent for other families. */
  keep?: KeepCoordinates;
}

/** The model's shape as far as head expansion needs it. */
export interface HeadShape {
  nLayer: number;
  nHead: number;
}

/** A number as an id part without float noise: 0.1 · 100 → "10", 0.025 · 100 → "2.5". */
function numberPart(x: number): string {
  return String(Number(x.toPrecision(12)));
}

function selectionPart(s: SteerSelection): string {
  if ('top' in s) return `top${numberPart(100 * s.top)}`;
  return s.blocks === 'all' ? 'blocks' : `b${[...s.blocks].sort((a, b) => a - b).join('+')}`;
}

const sitePart = (site: 'resid' | 'mlp.post') => (site === 'resid' ? 'resid' : 'mlp');

const sublayerPart = (r: SublayerRef) =>
  r === 'calibrated' ? 'calib' : `b${r.block}${r.site === 'attn.out' ? 'attn' : 'mlp'}`;

const DIRECTION_SITE_PART = { resid_post: 'resid', 'attn.out': 'attn', 'mlp.out': 'mlp' } as const;

const learnedSitePart = (f: DirectionFamily | DasFamily) =>
  f.site === 'calibrated' ? 'calib' : `b${f.site.block}${DIRECTION_SITE_PART[f.site.site]}`;

function directionPart(f: DirectionFamily, alpha: number, keep: KeepCoordinates): string {
  const site = learnedSitePart(f);
  const kept = keep === 'all' ? '' : keep < 1 ? `-top${numberPart(100 * keep)}` : `-k${keep}`;
  const learn = f.learn === 'mean-diff' ? 'meandiff' : 'grad';
  return `dir-${learn}-${site}-${f.position}-a${numberPart(alpha)}${kept}`;
}

function headsPart(heads: readonly HeadRef[]): string {
  return heads.map((h) => `b${h.block}h${h.head}`).join('+');
}

/**
 * The setting's id (see the module comment); `alpha` for add/scale/direction, `heads` for
 * head-ablate, `keep` for direction.
 */
export function settingId(
  f: SteerFamily,
  alpha: number | null,
  heads: readonly HeadRef[] | null,
  keep: KeepCoordinates = 'all',
): string {
  switch (f.kind) {
    case 'direction':
      return directionPart(f, alpha!, keep);
    case 'das':
      return `das-k${f.rank}-${learnedSitePart(f)}-${f.position}-a${numberPart(alpha!)}`;
    case 'head-scale': {
      const part = (t: typeof f.toGen) =>
        t === 'calibrated' ? `calib${f.count === 1 ? '' : f.count}` : headsPart(sortedHeads(t));
      return `headscale-gen${part(f.toGen)}-mem${part(f.toMem)}-${f.position}-a${numberPart(alpha!)}`;
    }
    case 'attention': {
      const part = (t: typeof f.toGen) =>
        t === 'calibrated'
          ? `calib${f.count === 1 ? '' : f.count}`
          : [...t]
              .sort((a, b) => a.block - b.block || a.head - b.head || b.sign - a.sign)
              .map(signedHeadName)
              .join('');
      return `attn-${f.keys}-gen${part(f.toGen)}-mem${part(f.toMem)}-${f.position}-a${numberPart(alpha!)}`;
    }
    case 'add':
      return `add-${f.direction}-${sitePart(f.site)}-${selectionPart(f.select)}-${f.position}-a${numberPart(alpha!)}${f.paperRange === 'nmd' ? '-ctlnmd' : ''}`;
    case 'scale':
      return `scale-${sitePart(f.site)}-${selectionPart(f.select)}-${f.position}-a${numberPart(alpha!)}`;
    case 'mean-ablate':
      return `mean-${f.to}-${sitePart(f.site)}-${selectionPart(f.select)}-${f.position}`;
    case 'head-ablate':
      return `heads-${headsPart(heads!)}-${f.position}`;
    case 'sublayer-ablate':
      return `sublayer-gen${sublayerPart(f.toGen)}-mem${sublayerPart(f.toMem)}-${f.position}`;
    case 'sublayer-scale':
      return `sublayer-scale-gen${sublayerPart(f.toGen)}-mem${sublayerPart(f.toMem)}-${f.position}-a${numberPart(alpha!)}`;
    default:
      throw new Error(`unknown steering family ${JSON.stringify(f satisfies never)}`);
  }
}

function sortedHeads(heads: readonly HeadRef[]): HeadRef[] {
  return [...heads].sort((a, b) => a.block - b.block || a.head - b.head);
}

/** The head sets of a head-ablate family: each head in turn (needs the shape), or the list together. */
function headSets(heads: 'each' | readonly HeadRef[], shape: HeadShape | null): HeadRef[][] {
  if (heads !== 'each') return [sortedHeads(heads)];
  if (!shape) return [];
  return Array.from({ length: shape.nLayer * shape.nHead }, (_, k) => [
    { block: Math.floor(k / shape.nHead), head: k % shape.nHead },
  ]);
}

/**
 * Every setting of the families, in family order. Without a model shape, `heads: 'each'` families
 * expand to nothing (their ids depend on the model).
 */
export function expandFamilies(families: readonly SteerFamily[], shape: HeadShape | null): SettingSpec[] {
  return families.flatMap((family, familyIndex): SettingSpec[] => {
    const make = (alpha: number | null, heads: HeadRef[] | null) => ({
      id: settingId(family, alpha, heads),
      family,
      familyIndex,
      alpha,
      heads,
    });
    switch (family.kind) {
      case 'direction':
        return family.alphas.flatMap((a) =>
          family.keep.map((keep) => ({ ...make(a, null), id: settingId(family, a, null, keep), keep })),
        );
      case 'add':
      case 'scale':
      case 'sublayer-scale':
      case 'head-scale':
      case 'das':
      case 'attention':
        return family.alphas.map((a) => make(a, null));
      case 'mean-ablate':
      case 'sublayer-ablate':
        return [make(null, null)];
      case 'head-ablate':
        return headSets(family.heads, shape).map((h) => make(null, h));
      default:
        throw new Error(`unknown steering family ${JSON.stringify(family satisfies never)}`);
    }
  });
}

/** A config problem at a path under `steer`. */
export interface SteerIssue {
  path: (string | number)[];
  message: string;
}

function headIssues(families: readonly SteerFamily[]): SteerIssue[] {
  return families.flatMap((f, k): SteerIssue[] => {
    if (f.kind !== 'head-ablate' || f.heads === 'each') return [];
    const seen = new Set(f.heads.map((h) => `${h.block}:${h.head}`));
    return seen.size === f.heads.length
      ? []
      : [{ path: ['families', k, 'heads'], message: 'lists a head twice' }];
  });
}

/** Whether `id` is a setting of the grid once 'each' families are expanded on some model. */
function isGridId(families: readonly SteerFamily[], ids: ReadonlySet<string>, id: string): boolean {
  if (ids.has(id)) return true;
  return families.some(
    (f) =>
      f.kind === 'head-ablate' &&
      f.heads === 'each' &&
      new RegExp(`^heads-b\\d+h\\d+-${f.position}$`).test(id),
  );
}

/**
 * Checks what zod cannot see field by field: MLP sites need MLP recording, no two families may
 * produce the same setting, and `primary` must be one of the grid's ids.
 */
export function steerConfigIssues(steer: SteerConfig, recordsMlpPost: boolean): SteerIssue[] {
  const issues = headIssues(steer.families);
  steer.families.forEach((f, k) => {
    if (
      (f.kind === 'sublayer-ablate' || f.kind === 'sublayer-scale') &&
      f.toGen !== 'calibrated' &&
      f.toMem !== 'calibrated' &&
      f.toGen.block === f.toMem.block &&
      f.toGen.site === f.toMem.site
    )
      issues.push({ path: ['families', k, 'toMem'], message: 'is the same sublayer as toGen' });
    if (familySite(f) === 'mlp.post' && !recordsMlpPost)
      issues.push({
        path: ['families', k, 'site'],
        message: "steering 'mlp.post' needs record.mlpPost = true",
      });
  });
  if (issues.length > 0) return issues;
  const owner = new Map<string, number>();
  for (const s of expandFamilies(steer.families, null)) {
    const first = owner.get(s.id);
    if (first !== undefined && first !== s.familyIndex) {
      issues.push({
        path: ['families', s.familyIndex],
        message: `setting '${s.id}' is also made by families.${first}`,
      });
    } else if (first !== undefined) {
      issues.push({ path: ['families', s.familyIndex], message: `setting '${s.id}' appears twice` });
    }
    owner.set(s.id, first ?? s.familyIndex);
  }
  if (!isGridId(steer.families, new Set(owner.keys()), steer.primary)) {
    const known = [...owner.keys()];
    const list = known.slice(0, 8).join(', ') + (known.length > 8 ? `, … (${known.length} in all)` : '');
    issues.push({
      path: ['primary'],
      message: `'${steer.primary}' is not a setting of steer.families; they are: ${list}`,
    });
  }
  return issues;
}
