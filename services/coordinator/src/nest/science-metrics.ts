/**
 * The science on /metrics: each job gets a MetricsSink (libs/pipeline) whose events become the
 * catalogue's run metrics, labelled by the job's run. When the job settles, the series it set are
 * kept a while (so the last values are scraped) and then removed: a finished run leaves no series.
 */
import type { JobMessage } from '@memgen/bus';
import type { MetricsSink, ScienceEvent } from '@memgen/pipeline';
import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS, type MetricDefinition, promOptions } from './metric-catalogue.js';
import type { StageMetrics } from './stage-metrics.js';
import { SCIENCE_RETAIN_MS, STAGE_METRICS } from './tokens.js';

/** How long a settled job's series stay on /metrics: a few scrape intervals. */
export const DEFAULT_RETAIN_MS = 120_000;
/** Throughput is the tokens of the steps in windows at least this long. */
const THROUGHPUT_WINDOW_MS = 2_000;

type Labels = Record<string, string>;
type RunMetric = Counter<string> | Gauge<string>;

/**
 * The run labels of a job: its sweep unit's task, preset, size and seed as the coordinator sent
 * them; a job outside a sweep (no unit) gives run_id alone, the other labels empty.
 */
export function runLabels(job: Pick<JobMessage, 'runId' | 'unit'>): Labels {
  const u = job.unit;
  return {
    task: u?.task ?? '',
    preset: u?.preset ?? '',
    size: u?.size ?? '',
    seed: u === undefined ? '' : String(u.seed),
    run_id: job.runId,
  };
}

/** A job's sink: records events, remembers which series it set, removes them on `settle`. */
export interface JobMetrics extends MetricsSink {
  settle(): void;
}

@Injectable()
export class ScienceMetrics implements OnModuleDestroy {
  private readonly metrics = new Map<string, RunMetric>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(STAGE_METRICS) stage: StageMetrics,
    @Optional() @Inject(SCIENCE_RETAIN_MS) private readonly retainMs: number = DEFAULT_RETAIN_MS,
  ) {
    for (const m of Object.values(METRICS)) {
      if (!m.labels.includes('run_id')) continue;
      this.metrics.set(m.name, make(m, stage.registry));
    }
  }

  /** A sink for one job, labelled by its run and sweep unit. */
  forJob(job: Pick<JobMessage, 'runId' | 'unit'>): JobMetrics {
    const base = runLabels(job);
    const touched = new Map<string, { metric: RunMetric; labels: Labels }>();
    const window = { started: performance.now(), tokens: 0 };
    const set = (def: MetricDefinition, value: number, extra: Labels = {}) => {
      const labels = { ...base, ...extra };
      const metric = this.metrics.get(def.name)!;
      touched.set(`${def.name}${JSON.stringify(labels)}`, { metric, labels });
      if (metric instanceof Counter) metric.inc(labels, value);
      else metric.set(labels, value);
    };
    const flushThroughput = () => {
      const elapsed = performance.now() - window.started;
      set(METRICS.trainTokensPerSecond, (1000 * window.tokens) / elapsed);
      Object.assign(window, { started: performance.now(), tokens: 0 });
    };
    const record = (e: ScienceEvent) => {
      if (e.kind === 'train-step') {
        set(METRICS.trainSteps, 1);
        set(METRICS.trainTokens, e.tokens);
        set(METRICS.trainLoss, e.loss);
        window.tokens += e.tokens;
        if (performance.now() - window.started >= THROUGHPUT_WINDOW_MS) flushThroughput();
      } else {
        // An evaluation closes the window too, so a run shorter than one window still shows a rate.
        if (e.kind === 'evaluation' && window.tokens > 0) flushThroughput();
        recordResult(set, e);
      }
    };
    const settle = () => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        for (const { metric, labels } of touched.values()) metric.remove(labels);
      }, this.retainMs);
      timer.unref();
      this.timers.add(timer);
    };
    return { record, settle };
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function make(m: MetricDefinition, registry: Registry): RunMetric {
  const options = { ...promOptions(m), registers: [registry] };
  return m.type === 'counter' ? new Counter(options) : new Gauge(options);
}

type Setter = (def: MetricDefinition, value: number, extra?: Labels) => void;

/** Evaluations and study results: each sets the latest value of its gauges. */
function recordResult(set: Setter, e: Exclude<ScienceEvent, { kind: 'train-step' }>): void {
  switch (e.kind) {
    case 'evaluation':
      // An evaluation without conflict items has no fractions to show.
      if (e.n > 0)
        for (const answer of ['gen', 'mem', 'other'] as const)
          set(METRICS.conflictAnswers, e[answer] / e.n, { answer });
      set(METRICS.ruleAccuracy, e.ruleAccuracy);
      set(METRICS.shortcutBaseline, e.shortcutBaseline);
      return;
    case 'selected':
      set(METRICS.selectedStep, e.step);
      set(METRICS.qualified, e.qualified ? 1 : 0);
      return;
    case 'flip-rate':
      set(METRICS.flipRate, e.rate);
      return;
    case 'probe':
      set(METRICS.probeAccuracy, e.accuracy, { site: e.site, centring: e.centring });
      return;
    case 'steering':
      set(METRICS.steeringSwitch, e.targeted, {
        setting: e.setting,
        direction: e.direction,
        arm: 'targeted',
      });
      set(METRICS.steeringSwitch, e.control, { setting: e.setting, direction: e.direction, arm: 'control' });
      return;
  }
}
