/**
 * Every dashboard panel's PromQL through a real Prometheus scraping a real memgen worker during a
 * smoke sweep over a real nats-server: each expression must parse and return series. Panels on
 * the NATS and DCGM exporters' metrics are excepted (neither exporter runs here: they must only
 * parse). The shipped alert rules are loaded as they are; a dead-lettered job makes
 * MemgenDeadLetteredJobs fire.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, jobSubject, WorkQueue } from '@memgen/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../deploy/dashboards/index.js';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import {
  killAllMemgen,
  type MemgenProcess,
  startWorker,
  sweepOverNats,
  waitFor,
} from './support/memgen-processes.js';
import { findNatsServer, type NatsServerHandle, startNatsServer } from './support/nats-server.js';
import { findPrometheus, type PrometheusHandle, startPrometheus } from './support/prometheus.js';

const EXTERNAL = /\b(gnatsd_varz_|jetstream_consumer_|DCGM_FI_DEV_)\w+/;
const ALERTS = new URL('../deploy/prometheus/alerts.yml', import.meta.url).pathname;

/** A panel's expression as Grafana sends it with every variable at "All". */
const resolved = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h')
    .replace(/\$(stage|task|size|run)\b/g, '.*');

interface Target {
  dashboard: string;
  panel: string;
  expr: string;
}

async function dashboardTargets(): Promise<Target[]> {
  const targets: Target[] = [];
  for (const file of Object.keys(DASHBOARDS)) {
    const json = JSON.parse(
      await readFile(new URL(`../deploy/grafana/${file}`, import.meta.url), 'utf8'),
    ) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    for (const p of json.panels)
      for (const t of p.targets ?? [])
        targets.push({ dashboard: file, panel: p.title, expr: resolved(t.expr) });
  }
  return targets;
}

const runnable = findNatsServer() !== undefined && findPrometheus() !== undefined;
if (!runnable)
  console.warn('SKIPPED "dashboards against a live Prometheus": needs nats-server and prometheus (apt)');

describe.skipIf(!runnable)('dashboards against a live Prometheus', () => {
  let nats: NatsServerHandle;
  let prometheus: PrometheusHandle;
  let worker: MemgenProcess;
  let dir: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'memgen-dashboards-'));
    // Long retention: the first jobs' run series must still be there when the last one ends.
    worker = startWorker(nats.url, [], { MEMGEN_METRICS_RETAIN_S: '600' });
    await waitFor('a ready worker', () => worker.log().includes('READY'));
    const port = /http=(\d+)/.exec(worker.log())![1];
    prometheus = await startPrometheus([`127.0.0.1:${port}`], [ALERTS]);
    const specPath = await writeTinySweepSpec(join(dir, 'spec.json'));
    await sweepOverNats({ specPath, out: join(dir, 'out'), url: nats.url, extra: () => worker.log() });
    // A message no codec reads: dead-lettered on its first delivery.
    const nc = await connectBus({ url: nats.url });
    await (await WorkQueue.open(nc)).js.publish(jobSubject('training'), new Uint8Array([0xc1]));
    await nc.close();
    await waitForQuery('the dead letter scraped', 'sum(memgen_jobs_total{outcome="dead"}) > 0');
  }, 240_000);

  afterAll(async () => {
    killAllMemgen();
    await prometheus?.dispose();
    await nats?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function waitForQuery(what: string, expr: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while ((await prometheus.query(expr)).length === 0) {
      if (Date.now() > deadline)
        throw new Error(`${what}: no result for ${expr} in ${timeoutMs} ms\n${prometheus.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  it('runs every panel query; each on memgen metrics returns series', async () => {
    const targets = await dashboardTargets();
    expect(targets.length).toBeGreaterThan(30);
    const empty: string[] = [];
    for (const t of targets) {
      const result = await prometheus.query(t.expr);
      // A filter ("targeted ≥ 3× control") may rightly select nothing; it must still parse.
      const filter = /\s>\s/.test(t.expr);
      if (result.length === 0 && !EXTERNAL.test(t.expr) && !filter)
        empty.push(`${t.dashboard} "${t.panel}": ${t.expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('reads the science of the sweep: both runs trained, evaluated, paired, probed and steered', async () => {
    for (const metric of [
      'memgen_train_steps_total',
      'memgen_eval_rule_accuracy_ratio',
      'memgen_study_flip_rate_ratio',
      'memgen_study_probe_accuracy_ratio',
      'memgen_study_steering_switch_ratio',
    ]) {
      const runs = new Set((await prometheus.query(metric)).map((s) => s.metric.run_id));
      expect([...runs].sort(), metric).toEqual(['color-smoke-s0', 'color-smoke-s1']);
    }
  });

  it('fires MemgenDeadLetteredJobs for the dead-lettered message', async () => {
    const deadline = Date.now() + 30_000;
    let firing: string[] = [];
    while (Date.now() < deadline) {
      firing = (await prometheus.firing()).map((a) => `${a.labels.alertname}/${a.labels.stage}`);
      if (firing.includes('MemgenDeadLetteredJobs/training')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(firing).toContain('MemgenDeadLetteredJobs/training');
  });
});
