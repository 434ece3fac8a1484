/**
 * `npm run gpu:check`: one command for a machine with a GPU (and none with internet) — the webgpu
 * adapter, the conformance set against the cpu backend, a smoke run, then bench:train and decoding
 * on webgpu beside the native CPU engine (ratios from one run) until the time budget is spent. On a software adapter
 * (lavapipe) it takes smaller shapes unless --full. Exit code 1 when a conformance check failed.
 */
import { writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { initBackend } from '@memgen/tensor';
import { isSoftware, webgpuInfo } from '../../libs/tensor/src/webgpu/index.js';
import { bindingShortfall, type EngineRow, inChild, runChild } from './engines.js';
import { conformance, type Parity, type Smoke, smokeRun } from './sections.js';
import { type CheckSettings, checkSettings } from './settings.js';

const say = (line = '') => process.stdout.write(`${line}\n`);
const e = (x: number) => (Number.isFinite(x) ? x.toExponential(1) : '—');

/** bench:train per config and decoding, native then webgpu, each in its own process, within the budget. */
function benchmarks(s: CheckSettings, maxBinding: number, deadline: number): EngineRow[] {
  const rows: EngineRow[] = [];
  const jobs: string[][] = s.configs.flatMap((c) =>
    ['native', 'webgpu'].map((b) => ['train', b, c, String(s.steps)]),
  );
  for (const b of ['native', 'webgpu']) {
    jobs.push(['decode', b, s.decode.preset, String(s.decode.batch), String(s.decode.newTokens)]);
  }
  for (const job of jobs) {
    const [kind, backend = '', config = ''] = job;
    const left = (deadline - performance.now()) / 1000;
    const shortfall = backend === 'webgpu' ? bindingShortfall(config, maxBinding) : undefined;
    if (shortfall || left < 10) {
      rows.push({ kind: 'failed', backend, config, why: shortfall ?? 'skipped: the time budget is spent' });
      continue;
    }
    process.stderr.write(`gpu:check: ${kind} ${config} on ${backend} …\n`);
    rows.push(inChild(job, Math.max(10, left)));
  }
  return rows;
}

function printAdapter(): void {
  const info = webgpuInfo();
  const a = info.adapter;
  say(`memgen gpu:check  ${new Date().toISOString().slice(0, 16)}Z  ${hostname()}  ${cpus().length} CPUs`);
  say(
    `adapter: ${a.description || a.device} (vendor ${a.vendor}, ${a.architecture}); listed: ${info.adapters.map((x) => x.name).join(' | ')}`,
  );
  say(
    `limits: storage binding ${(info.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB, buffer ${(info.limits.maxBufferSize / 2 ** 20).toFixed(0)} MiB`,
  );
}

function printParity(p: Parity): boolean {
  say(`\nconformance, webgpu against cpu (${p.seconds.toFixed(0)} s)`);
  say('| case | ok | max abs | max rel |');
  say('|---|---|---|---|');
  for (const c of p.cases)
    say(`| ${c.name} | ${c.ok ? 'yes' : `NO: ${c.problem}`} | ${e(c.maxAbs)} | ${e(c.maxRel)} |`);
  say(
    `| greedy decode, KV cache (nano, 8 × 8) | ${p.decode.sameTokens ? 'same tokens' : 'TOKENS DIFFER'} | ${e(p.decode.logitsMaxAbs)} | |`,
  );
  const t = p.training;
  say(
    `| training ${t.preset}, ${t.steps} steps${t.clipped ? ', clipped' : ''} | losses ${e(t.lossRel)}, norms ${e(t.normRel)} rel | | |`,
  );
  say(
    `| pairs stage labels (nano fixture) | ${p.labels.samePairs && p.labels.sameLabels ? 'identical' : 'DIFFER'} | | |`,
  );
  const tolerable = p.training.lossRel < 1e-5 && p.training.normRel < 1e-5 && p.decode.logitsMaxAbs < 1e-5;
  return (
    p.cases.every((c) => c.ok) &&
    p.decode.sameTokens &&
    tolerable &&
    p.labels.samePairs &&
    p.labels.sameLabels
  );
}

function printBench(rows: EngineRow[]): void {
  say('\nbench (median ms per training step; decoding in tokens/s; ratio = webgpu / native time)');
  say('| shape | native | webgpu | ratio | webgpu GFLOP/s | losses agree |');
  say('|---|---|---|---|---|---|');
  const key = (r: EngineRow) => `${r.kind === 'decode' ? 'decode ' : ''}${r.config}`;
  for (const k of [...new Set(rows.map(key))]) {
    const [n, w] = ['native', 'webgpu'].map((b) => rows.find((r) => key(r) === k && r.backend === b));
    const cell = (r?: EngineRow) =>
      !r ? '—' : r.kind === 'failed' ? r.why : r.kind === 'train' ? r.ms.toFixed(1) : r.tokensPerS.toFixed(0);
    let ratio = '—';
    let agree = '';
    if (n?.kind === 'train' && w?.kind === 'train') {
      ratio = (w.ms / n.ms).toFixed(2);
      agree = e(Math.max(...w.losses.map((l, i) => Math.abs(l - n.losses[i]!) / Math.abs(n.losses[i]!))));
    }
    if (n?.kind === 'decode' && w?.kind === 'decode') ratio = (n.tokensPerS / w.tokensPerS).toFixed(2);
    say(
      `| ${k} | ${cell(n)} | ${cell(w)} | ${ratio} | ${w?.kind === 'train' ? w.gflops.toFixed(1) : ''} | ${agree} |`,
    );
  }
}

function printSmoke(s: Smoke | string): void {
  if (typeof s === 'string') say(`\nsmoke run: ${s}`);
  else {
    say(
      `\nsmoke run (color smoke preset on webgpu): ${s.steps} steps (${s.phases}) in ${s.seconds.toFixed(0)} s, ` +
        `final loss ${s.finalLoss.toFixed(3)}, conflict labels gen ${s.gen} / mem ${s.mem} / other ${s.other}`,
    );
  }
}

async function main(): Promise<void> {
  const start = performance.now();
  await initBackend({ backend: 'webgpu', log: false });
  const info = webgpuInfo();
  const software = info.adapters.length > 0 && info.adapters.every(isSoftware);
  const settings = checkSettings(process.argv, software);
  printAdapter();
  if (software) say('software adapter: smaller shapes (pass --full for the GPU settings)');
  const parity = await conformance();
  const ok = printParity(parity);
  const smoke = await smokeRun(settings.smokeSteps).catch((err: Error) => `failed: ${err.message}`);
  printSmoke(smoke);
  const rows = benchmarks(settings, info.limits.maxStorageBufferBindingSize, start + settings.budgetS * 1000);
  printBench(rows);
  say(
    `\ntotal ${((performance.now() - start) / 1000).toFixed(0)} s; conformance ${ok ? 'passed' : 'FAILED'}`,
  );
  if (settings.out)
    writeFileSync(settings.out, `${JSON.stringify({ info, settings, parity, rows, smoke }, null, 2)}\n`);
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[2] === '--child') await runChild(process.argv.slice(3));
else await main();
