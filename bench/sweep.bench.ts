/**
 * Sweep throughput in local mode: the same 4-seed tiny sweep with 1 and with 2 worker processes
 * (fresh output directories), wall time and the ratio, measured in one run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';

const cli = fileURLToPath(new URL('../services/cli/bin/memgen.mjs', import.meta.url));
const seeds = [0, 1, 2, 3];
const dir = await mkdtemp(join(tmpdir(), 'memgen-sweep-bench-'));
const spec = await writeTinySweepSpec(join(dir, 'spec.json'), seeds);
const seconds: Record<number, number> = {};
const results: string[] = [];
for (const workers of [1, 2]) {
  const out = join(dir, `w${workers}`);
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [cli, 'sweep', '--spec', spec, '--out', out, '--workers', String(workers)],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`sweep with ${workers} worker(s) exited ${r.status}`);
  seconds[workers] = (performance.now() - t0) / 1000;
  results.push(await readFile(join(out, 'results.json'), 'utf8'));
}
const jobs = seeds.length * 4;
process.stdout.write(
  `local sweep, ${seeds.length} seeds × 4 stages = ${jobs} jobs (tiny color units):\n` +
    `  1 worker : ${seconds[1]?.toFixed(1)} s (${(jobs / (seconds[1] ?? 1)).toFixed(2)} jobs/s)\n` +
    `  2 workers: ${seconds[2]?.toFixed(1)} s (${(jobs / (seconds[2] ?? 1)).toFixed(2)} jobs/s)\n` +
    `  speed-up : ${((seconds[1] ?? 0) / (seconds[2] ?? 1)).toFixed(2)}×; results identical: ${results[0] === results[1]}\n`,
);
