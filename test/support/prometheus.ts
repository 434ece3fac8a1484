/**
 * A real Prometheus (Debian's `prometheus`) for tests: scrapes the given targets every second,
 * evaluates the given rule files every second, stores in a temporary directory, and answers
 * instant queries over its HTTP API.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './nats-server.js';

export function findPrometheus(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
  return found === '' ? undefined : found;
}

export interface PrometheusHandle {
  url: string;
  /** An instant query's result vector; throws with Prometheus's own error on a bad expression. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The alerts the rule files have firing now. */
  firing(): Promise<{ labels: Record<string, string>; state: string }[]>;
  log(): string;
  dispose(): Promise<void>;
}

export async function startPrometheus(targets: string[], ruleFiles: string[]): Promise<PrometheusHandle> {
  const binary = findPrometheus();
  if (!binary) throw new Error('prometheus is not installed (apt-get install prometheus)');
  const dir = await mkdtemp(join(tmpdir(), 'memgen-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: [{ job_name: 'memgen-static', static_configs: [{ targets }] }],
  };
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  let log = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not become ready:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    query: async (expr) =>
      (
        await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result,
    firing: async () =>
      (
        await api<{ alerts: { labels: Record<string, string>; state: string }[] }>('/api/v1/alerts')
      ).alerts.filter((a) => a.state === 'firing'),
    log: () => log,
    dispose: async () => {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
