/** Book runs and their steering settings for tests. */
import type { BookPatchSite, BookRun, BookSetting } from './book-runs.js';

export function testSetting(over: Partial<BookSetting> = {}): BookSetting {
  return {
    id: 'x',
    mem_to_gen: 0.3,
    mem_to_gen_control: 0.1,
    gen_to_mem: 0.6,
    gen_to_mem_control: 0.05,
    holm_p_mem_to_gen: 0.01,
    holm_p_gen_to_mem: 0.04,
    capability: 0.9,
    capability_unsteered: 1,
    alpha: 20,
    family: 0,
    mem_to_gen_paper_control: null,
    gen_to_mem_paper_control: null,
    mem_to_gen_layer_control: null,
    gen_to_mem_layer_control: null,
    mem_to_gen_other: null,
    gen_to_mem_other: null,
    targets: null,
    control_targets: null,
    ...over,
  };
}

/** Rates that just meet the strong criterion (docs/method.md §7): both ≥ 50 %, controls ≤ 5 % and 10× below. */
export const STRONG_RATES = {
  mem_to_gen: 0.6,
  gen_to_mem: 0.55,
  mem_to_gen_control: 0.04,
  gen_to_mem_control: 0.05,
  holm_p_mem_to_gen: 0.001,
  holm_p_gen_to_mem: 0.002,
  capability: 0.95,
  capability_unsteered: 1,
} as const satisfies Partial<BookSetting>;

const site = (id: string, component: string, layer: number | null, rate: number): BookPatchSite => ({
  id,
  component,
  layer,
  head: null,
  selection: 'full',
  mem_to_gen: rate,
  gen_to_mem: rate,
});

const primary = (m2g: number, control: number) =>
  testSetting({
    id: 'p',
    mem_to_gen: m2g,
    mem_to_gen_control: control,
    gen_to_mem: m2g,
    gen_to_mem_control: control,
    holm_p_gen_to_mem: 0.01,
    alpha: 1,
  });

/** A color run at `size` with the given flip rate; blocks.1.attn.out switches `patch` of pairs. */
export function testRun(size: string, params: number, seed: number, flip: number, qualified = true): BookRun {
  return {
    sweep: 's',
    run_id: `color-quick-${size}-s${seed}`,
    overrides: null,
    task: 'color',
    hops: 1,
    preset: 'quick',
    size,
    params,
    seed,
    qualified,
    stopped: null,
    selected_step: 100,
    flip_rate: flip,
    gen: 50,
    mem: 50,
    n: 100,
    rule_acc: 1,
    shortcut_baseline: 0.4,
    nmd_by_site: [
      { site: 'embed', mean_abs_nmd: 0, max_abs_r: 0 },
      { site: 'blocks.0.resid_post', mean_abs_nmd: 0.1, max_abs_r: 0.1 },
      { site: 'blocks.1.resid_post', mean_abs_nmd: 0.3, max_abs_r: 0.2 },
    ],
    max_abs_r: 0.2,
    permutation_p95: 0.05,
    permutation_p99: 0.07,
    probes: [
      { site: 'blocks.1.resid_post', raw: 0.6, centred: 0.8, shuffled_raw: 0.5, shuffled_centred: 0.5 },
    ],
    patching: {
      pairs: 100,
      sites: [
        site('blocks.0.attn.out', 'attn.out', 0, 0.1),
        site('blocks.1.attn.out', 'attn.out', 1, 0.7),
        site('blocks.1.resid_post', 'resid_post', 1, 1),
        site('blocks.1.attn.out@asked', 'attn.out', 1, 0.9),
      ],
    },
    primary: 'p',
    steering: [primary(0.2, 0.02)],
  };
}
