import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { METRICS, RUN_LABELS } from './metric-catalogue.js';
import { runLabels, ScienceMetrics } from './science-metrics.js';
import { SCIENCE_METRICS, SCIENCE_RETAIN_MS, STAGE_METRICS } from './tokens.js';

async function scienceMetrics(retainMs: number) {
  const registry = new Registry();
  const module = await Test.createTestingModule({
    providers: [
      { provide: STAGE_METRICS, useValue: { registry } },
      { provide: SCIENCE_RETAIN_MS, useValue: retainMs },
      { provide: SCIENCE_METRICS, useClass: ScienceMetrics },
    ],
  }).compile();
  return { science: module.get<ScienceMetrics>(SCIENCE_METRICS), registry, module };
}

const RUN = 'task="color",preset="quick",size="micro",seed="3",run_id="color-quick-micro-s3"';
/** A color quick job of the given run, size and seed, as a sweep sends it. */
const colorJob = (runId: string, size: string, seed: number) => ({
  runId,
  unit: { task: 'color', preset: 'quick', size, seed },
});
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ScienceMetrics', () => {
  it("turns a job's events into its run's series, with the run's labels", async () => {
    const { science, registry } = await scienceMetrics(60_000);
    const job = science.forJob(colorJob('color-quick-micro-s3', 'micro', 3));
    for (const loss of [2, 1.5, 1.25]) job.record({ kind: 'train-step', loss, tokens: 512 });
    job.record({
      kind: 'evaluation',
      gen: 50,
      mem: 30,
      other: 20,
      n: 100,
      ruleAccuracy: 0.95,
      shortcutBaseline: 0.4,
    });
    job.record({ kind: 'selected', step: 1200, qualified: true });
    expect(await registry.metrics()).toMatch(
      new RegExp(`\\nmemgen_train_tokens_per_second\\{${RUN.replace(/[.]/g, '\\.')}\\} \\d`),
    );
    job.record({ kind: 'flip-rate', rate: 0.0625 });
    job.record({ kind: 'probe', site: 'blocks.1.resid_post', centring: 'centred', accuracy: 0.83 });
    job.record({
      kind: 'steering',
      setting: 'add-nmd-a5',
      direction: 'mem_to_gen',
      targeted: 0.28,
      control: 0.03,
    });
    const text = await registry.metrics();
    for (const line of [
      `memgen_train_steps_total{${RUN}} 3`,
      `memgen_train_tokens_total{${RUN}} 1536`,
      `memgen_train_loss{${RUN}} 1.25`,
      `memgen_eval_conflict_ratio{${RUN},answer="gen"} 0.5`,
      `memgen_eval_conflict_ratio{${RUN},answer="mem"} 0.3`,
      `memgen_eval_conflict_ratio{${RUN},answer="other"} 0.2`,
      `memgen_eval_rule_accuracy_ratio{${RUN}} 0.95`,
      `memgen_eval_shortcut_baseline_ratio{${RUN}} 0.4`,
      `memgen_train_selected_step{${RUN}} 1200`,
      `memgen_train_qualified{${RUN}} 1`,
      `memgen_study_flip_rate_ratio{${RUN}} 0.0625`,
      `memgen_study_probe_accuracy_ratio{${RUN},site="blocks.1.resid_post",centring="centred"} 0.83`,
      `memgen_study_steering_switch_ratio{${RUN},setting="add-nmd-a5",direction="mem_to_gen",arm="targeted"} 0.28`,
      `memgen_study_steering_switch_ratio{${RUN},setting="add-nmd-a5",direction="mem_to_gen",arm="control"} 0.03`,
    ]) {
      expect(text).toContain(`\n${line}\n`);
    }
  });

  it("removes a settled job's series after the retention, and only that job's", async () => {
    const { science, registry } = await scienceMetrics(20);
    const done = science.forJob(colorJob('color-quick-s0', 'micro', 0));
    const running = science.forJob(colorJob('color-quick-s1', 'micro', 1));
    done.record({ kind: 'flip-rate', rate: 0.1 });
    running.record({ kind: 'flip-rate', rate: 0.2 });
    done.settle();
    expect(await registry.metrics()).toContain('run_id="color-quick-s0"');
    await wait(60);
    const text = await registry.metrics();
    expect(text).not.toContain('run_id="color-quick-s0"');
    expect(text).toContain(
      'memgen_study_flip_rate_ratio{task="color",preset="quick",size="micro",seed="1",run_id="color-quick-s1"} 0.2',
    );
  });

  it('records nothing for an evaluation without conflict items', async () => {
    const { science, registry } = await scienceMetrics(60_000);
    science.forJob(colorJob('color-smoke-s0', 'micro', 0)).record({
      kind: 'evaluation',
      gen: 0,
      mem: 0,
      other: 0,
      n: 0,
      ruleAccuracy: 0.5,
      shortcutBaseline: 0.4,
    });
    expect(await registry.metrics()).not.toContain('memgen_eval_conflict_ratio{');
  });

  it('labels a job by the unit it carries, never by parsing its run id; a job without one by run_id alone', () => {
    const unit = { task: 'cipher', preset: 'quick', size: 'tiny', seed: 2 };
    expect(runLabels({ runId: 'color-smoke-s9', unit })).toEqual({
      task: 'cipher',
      preset: 'quick',
      size: 'tiny',
      seed: '2',
      run_id: 'color-smoke-s9',
    });
    expect(runLabels({ runId: 'color-quick-s1' })).toEqual({
      task: '',
      preset: '',
      size: '',
      seed: '',
      run_id: 'color-quick-s1',
    });
  });
});

describe('the metric catalogue', () => {
  const all = Object.values(METRICS);
  it('follows Prometheus naming: one prefix, _total counters, _ratio fractions, unique names', () => {
    expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
    for (const m of all) {
      expect(m.name).toMatch(/^memgen_[a-z_]+$/);
      expect(m.name.endsWith('_total'), m.name).toBe(m.type === 'counter');
      expect(m.help.length).toBeGreaterThan(10);
    }
  });

  it('has bounded labels only: never a neuron, an item or a step', () => {
    for (const m of all)
      for (const l of m.labels) expect(['neuron', 'item', 'step', 'layer_index']).not.toContain(l);
    const runMetrics = all.filter((m) => m.labels.includes('run_id'));
    expect(runMetrics.length).toBeGreaterThan(10);
    for (const m of runMetrics) expect(m.labels.slice(0, RUN_LABELS.length)).toEqual([...RUN_LABELS]);
  });
});
