/**
 * deploy/: the Prometheus config and alert rules (checked by promtool when installed) and the
 * Grafana dashboard's PromQL against the metrics services/coordinator/src/nest/metric-catalogue.ts
 * declares.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DASHBOARDS } from '../deploy/dashboards/index.js';
import { METRICS, type MetricDefinition } from '../services/coordinator/src/nest/metric-catalogue.js';
import { read, root, which } from './support/deploy-files.js';

/** Series names and label names the catalogue declares (a histogram adds _bucket/_sum/_count). */
function registryCatalogue(): { metrics: Set<string>; labels: Set<string> } {
  const metrics = new Set<string>();
  const labels = new Set(['le']);
  for (const m of Object.values(METRICS) as MetricDefinition[]) {
    if (m.type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) metrics.add(m.name + suffix);
    else metrics.add(m.name);
    for (const l of m.labels) labels.add(l);
  }
  return { metrics, labels };
}

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'atan2',
  ...'by without on ignoring'.split(' '),
]);

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords or labels. */
function promqlMetricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\$\{?\w+\}?/g, '') // Grafana variables
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(GROUPING, '') // by (...), on (...), group_left (...)
    .replace(/(?<![\w:])\d[\w.]*/g, ''); // numbers and durations
  const names = [...bare.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined && !KEYWORDS.has(m[1]!) && !/^group_(left|right)$/.test(m[1]!))
    .map((m) => m[1]!);
  return [...new Set(names)];
}

/** Label names a PromQL expression matches on or groups by. */
function promqlLabelNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const labels = [...bare.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
    [...m[1]!.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)/g)].map((l) => l[1]!),
  );
  for (const m of bare.matchAll(GROUPING)) labels.push(...m[2]!.split(',').map((l) => l.trim()));
  return [...new Set(labels.filter((l) => l !== ''))];
}

const catalogue = registryCatalogue();

describe('PromQL helpers', () => {
  it('reads the metric catalogue', () => {
    for (const name of [
      'memgen_job_seconds_bucket',
      'memgen_jobs_total',
      'memgen_slots',
      'memgen_train_loss',
    ])
      expect(catalogue.metrics).toContain(name);
    for (const label of ['le', 'outcome', 'stage', 'run_id', 'setting'])
      expect(catalogue.labels).toContain(label);
  });

  it('finds metric and label names in an expression', () => {
    const expr =
      'histogram_quantile(0.95, sum by (stage, le) (rate(memgen_job_seconds_bucket{stage=~"$stage|x{1}"}' +
      '[$__rate_interval]))) / on (stage) group_left (pod) up offset 5m > 1e3 and memgen_slots';
    expect(promqlMetricNames(expr)).toEqual(['memgen_job_seconds_bucket', 'up', 'memgen_slots']);
    expect(promqlLabelNames(expr)).toEqual(['stage', 'le', 'pod']);
  });
});

/** Series and labels of the exporters the infrastructure dashboard reads besides memgen's own. */
const EXTERNAL = {
  metric: /^(gnatsd_varz_|jetstream_consumer_|DCGM_FI_DEV_)\w+$/,
  labels: new Set(['server_id', 'consumer_name', 'Hostname', 'gpu']),
};

interface BuiltPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number };
  targets?: { expr: string; refId: string }[];
}

describe.each(Object.keys(DASHBOARDS))('deploy/grafana/%s', (file) => {
  const dashboard = JSON.parse(read(`deploy/grafana/${file}`)) as {
    uid: string;
    panels: BuiltPanel[];
    templating: { list: { name: string; definition?: string }[] };
  };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const variableExprs = dashboard.templating.list.flatMap((v) =>
    v.definition ? [v.definition.replace(/^label_values\((.*), \w+\)$/, '$1')] : [],
  );

  it('gives every panel a unique id, a place on the grid and at least one query', () => {
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of panels) {
      expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0);
      expect(p.gridPos.w * p.gridPos.h, p.title).toBeGreaterThan(0);
    }
  });

  it("queries only the catalogue's metrics and labels (and the NATS / DCGM exporters')", () => {
    for (const expr of [...panels.flatMap((p) => p.targets!.map((t) => t.expr)), ...variableExprs]) {
      const names = promqlMetricNames(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names)
        expect(catalogue.metrics.has(name) || EXTERNAL.metric.test(name), `${name} in ${expr}`).toBe(true);
      for (const label of promqlLabelNames(expr))
        expect(catalogue.labels.has(label) || EXTERNAL.labels.has(label), `${label} in ${expr}`).toBe(true);
    }
  });
});

describe('the dashboards together', () => {
  it('show every metric of the catalogue somewhere, and each job outcome', () => {
    const exprs = Object.keys(DASHBOARDS).flatMap((file) =>
      (JSON.parse(read(`deploy/grafana/${file}`)) as { panels: BuiltPanel[] }).panels.flatMap(
        (p) => p.targets?.map((t) => t.expr) ?? [],
      ),
    );
    const used = new Set(exprs.flatMap(promqlMetricNames));
    for (const m of Object.values(METRICS) as MetricDefinition[]) {
      const series = m.type === 'histogram' ? `${m.name}_bucket` : m.name;
      expect(used, series).toContain(series);
    }
    for (const outcome of ['done', 'failed', 'dead'])
      expect(
        exprs.some((e) => e.includes(`outcome="${outcome}"`)),
        outcome,
      ).toBe(true);
  });
});

describe('deploy/prometheus', () => {
  const config = parseYaml(read('deploy/prometheus/prometheus.yml')) as {
    rule_files: string[];
    scrape_configs: Record<string, unknown>[];
  };
  const rules = parseYaml(read('deploy/prometheus/alerts.yml')) as {
    groups: { rules: { alert: string; expr: string; labels: { severity: string }; annotations: object }[] }[];
  };
  const alerts = rules.groups.flatMap((g) => g.rules);
  const promtool = which('promtool');
  if (!promtool) console.warn('promtool not installed (apt-get install prometheus): promtool checks SKIPPED');

  it('scrapes annotated pods through Kubernetes discovery, plus a static example, and loads alerts.yml', () => {
    const pods = config.scrape_configs.find((s) => 'kubernetes_sd_configs' in s) as {
      kubernetes_sd_configs: { role: string }[];
      relabel_configs: { source_labels: string[]; action?: string; regex?: string }[];
    };
    expect(pods.kubernetes_sd_configs[0]!.role).toBe('pod');
    const keep = pods.relabel_configs.find((r) => r.action === 'keep');
    expect(keep?.source_labels).toEqual(['__meta_kubernetes_pod_annotation_prometheus_io_scrape']);
    expect(keep?.regex).toBe('true');
    expect(config.scrape_configs.some((s) => 'static_configs' in s)).toBe(true);
    expect(config.rule_files).toEqual(['alerts.yml']);
  });

  it('alerts on a worker down, dead letters, failures, full slots, slow jobs, no progress, NaN loss, redeliveries and pinned acks', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'MemgenAckPendingPinned',
      'MemgenDeadLetteredJobs',
      'MemgenJobFailureRatioHigh',
      'MemgenJobP95DurationHigh',
      'MemgenNoFreeSlots',
      'MemgenRepeatedRedelivery',
      'MemgenTrainingLossNaN',
      'MemgenTrainingStalled',
      'MemgenWorkerDown',
    ]);
    for (const a of alerts) {
      for (const name of promqlMetricNames(a.expr))
        expect(
          catalogue.metrics.has(name) || name === 'up' || EXTERNAL.metric.test(name),
          `${name} in ${a.alert}`,
        ).toBe(true);
      expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
      expect(a.annotations).toHaveProperty('summary');
    }
  });

  it.skipIf(!promtool)(`promtool check rules${promtool ? '' : ' (SKIPPED: promtool not installed)'}`, () => {
    const run = spawnSync(promtool!, ['check', 'rules', join(root, 'deploy/prometheus/alerts.yml')]);
    expect(run.status, String(run.stdout) + String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toMatch(/SUCCESS: 9 rules found/);
  });

  it.skipIf(!promtool)(`promtool check config${promtool ? '' : ' (SKIPPED: promtool not installed)'}`, () => {
    let run = spawnSync(promtool!, ['check', 'config', join(root, 'deploy/prometheus/prometheus.yml')]);
    const output = String(run.stdout) + String(run.stderr);
    if (run.status !== 0 && /field kubernetes_sd_configs not found/.test(output)) {
      // Debian's promtool is built without Kubernetes discovery: check everything else (relabelling
      // regexes, rule files) with the discovery block swapped for an empty static target list.
      console.warn('promtool lacks kubernetes_sd_configs (Debian build): checking the rest of the config');
      const dir = mkdtempSync(join(tmpdir(), 'memgen-promtool-'));
      try {
        const patched = structuredClone(config);
        for (const s of patched.scrape_configs) {
          if ('kubernetes_sd_configs' in s) {
            delete s.kubernetes_sd_configs;
            s.static_configs = [{ targets: [] }];
          }
        }
        writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(patched));
        writeFileSync(join(dir, 'alerts.yml'), read('deploy/prometheus/alerts.yml'));
        run = spawnSync(promtool!, ['check', 'config', join(dir, 'prometheus.yml')]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(run.status, String(run.stdout) + String(run.stderr)).toBe(0);
    expect(String(run.stdout)).toMatch(/SUCCESS: 9 rules found/);
  });
});
