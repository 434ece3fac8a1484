/**
 * The sweep over NATS against a real nats-server: two `worker` processes serving every stage give
 * results byte-identical to local mode; a trainer killed with SIGKILL mid-job and a nats-server
 * restart mid-sweep still end in identical results with the job redelivered and no stray artefacts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ArtefactStore, connectBus, StateStore } from '@memgen/bus';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JobStateSchema } from '../services/coordinator/src/job-state.js';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import {
  cliEntry as cli,
  killAllMemgen,
  repoRoot,
  startWorker,
  sweepOverNats,
  tinySweepLocally,
  waitFor,
} from './support/memgen-processes.js';
import { describeWithNats } from './support/nats-server.js';

const execFileAsync = promisify(execFile);

let dir: string;
let specPath: string;
let local: { results: string; sweep: string };

const sweepNats = (url: string, out: string, extra?: () => string) =>
  sweepOverNats({ specPath, out, url, ...(extra ? { extra } : {}) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'memgen-sweep-nats-'));
  specPath = await writeTinySweepSpec(join(dir, 'spec.json'));
  const out = join(dir, 'local');
  local = {
    results: await tinySweepLocally(out),
    sweep: await readFile(join(out, 'sweep.json'), 'utf8'),
  };
});

afterAll(async () => {
  killAllMemgen();
  await rm(dir, { recursive: true, force: true });
});

describeWithNats('memgen sweep over NATS: two workers', (server) => {
  it('completes with results and job list byte-identical to local mode', async () => {
    const workers = [startWorker(server().url), startWorker(server().url)];
    await waitFor('two ready workers', () => workers.every((w) => w.log().includes('READY')));
    const out = join(dir, 'nats');
    const result = await sweepNats(server().url, out);
    expect(result).toMatch(/8\/8 jobs done \(0 reused\)/);
    expect(await readFile(join(out, 'results.json'), 'utf8')).toBe(local.results);
    expect(await readFile(join(out, 'sweep.json'), 'utf8')).toBe(local.sweep);
    // Both processes took jobs.
    for (const w of workers) expect(w.log()).toContain('"msg":"job done"');
    const status = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', cli, 'status', '--nats', server().url],
      {
        cwd: repoRoot,
      },
    );
    expect(status.stdout).toMatch(/8\/8 jobs done, 0 dead, 2 units; running: -/);
    // A restarted coordinator finds everything in KV and redoes nothing.
    const again = await sweepNats(server().url, join(dir, 'nats-again'));
    expect(again).toMatch(/8\/8 jobs done \(8 reused\)/);
    for (const w of workers) w.child.kill('SIGTERM');
  });
});

describeWithNats('memgen sweep over NATS: faults', (server) => {
  it('survives a SIGKILLed trainer and a nats-server restart with identical results', async () => {
    const trainer = startWorker(server().url, ['--stages', 'training']);
    await waitFor('the trainer', () => trainer.log().includes('READY'));
    const out = join(dir, 'faults');
    let helperLog = () => '';
    const sweep = sweepNats(server().url, out, () => `${trainer.log()}\n--- helper ---\n${helperLog()}`);
    await waitFor('the trainer to start a job', () => trainer.log().includes('"msg":"job started"'));
    trainer.child.kill('SIGKILL');
    const killedJob = /"jobId":"([0-9a-f]{64})"[^\n]*"msg":"job started"/.exec(trainer.log())![1]!;
    const helper = startWorker(server().url);
    helperLog = helper.log;
    await waitFor(
      'a recording job on the helper',
      () => /"stage":"recording".*"msg":"job started"/.test(helper.log()),
      60_000,
    );
    await server().restart();
    const result = await sweep;
    expect(result).toMatch(/8\/8 jobs done/);
    expect(await readFile(join(out, 'results.json'), 'utf8')).toBe(local.results);
    const jobs = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')).jobs as {
      id: string;
      attempts: number;
    }[];
    expect(jobs.map((j) => j.id)).toEqual(JSON.parse(local.sweep).jobs.map((j: { id: string }) => j.id));
    expect(jobs.find((j) => j.id === killedJob)?.attempts).toBe(2);
    expect(trainer.log()).not.toContain('"msg":"job done"');

    // No duplicate or stray artefacts: the store holds exactly the outputs the job states list.
    const nc = await connectBus({ url: server().url });
    try {
      const state = await StateStore.open(nc);
      const listed = new Set<string>();
      for (const { id } of jobs) {
        const entry = await state.get(`job.${id}`, JobStateSchema);
        for (const ref of entry!.value.outputs) listed.add(ref.name);
      }
      const store = await ArtefactStore.open(nc);
      const names = (await store.objects.list()).filter((o) => !o.deleted).map((o) => o.name);
      expect(names.length).toBe(new Set(names).size);
      expect(new Set(names)).toEqual(listed);
    } finally {
      await nc.close();
    }
    helper.child.kill('SIGTERM');
  });
});
