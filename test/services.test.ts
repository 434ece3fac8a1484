/**
 * The stage services as `memgen worker` runs them (NestJS app, real nats-server): /health and
 * /metrics over HTTP, the msgpack control plane (its client timeouts: nest/stage-control.test.ts),
 * bad jobs (malformed, oversize, missing artefact, corrupt artefact) dead-lettered with a logged
 * reason while the worker stays up and completes a good job, and a graceful exit on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ArtefactStore,
  connectBus,
  DeadLetterSchema,
  JetStreamClientProxy,
  jobSubject,
  makeJob,
  StateStore,
  WorkQueue,
} from '@memgen/bus';
import type { NatsConnection } from '@nats-io/nats-core';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JobStateSchema } from '../services/coordinator/src/job-state.js';
import { controlPattern } from '../services/coordinator/src/nest/tokens.js';
import { expandSweep, unitJob } from '../services/coordinator/src/plan.js';
import { parseSweepSpec } from '../services/coordinator/src/sweep-spec.js';
import { idleStatus } from '../services/coordinator/src/testing/stage-test-kit.js';
import { tinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import { describeWithNats } from './support/nats-server.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const cli = fileURLToPath(new URL('../services/cli/src/main.ts', import.meta.url));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeWithNats('stage services (memgen worker)', (server) => {
  let child: ChildProcess;
  let log = '';
  let port = 0;
  let nc: NatsConnection;
  let client: JetStreamClientProxy;
  const request = (pattern: string, via = client) => firstValueFrom(via.send(pattern, {}));

  beforeAll(async () => {
    // The test creates the jobs stream (1 MiB messages) before the worker with its smaller limit.
    nc = await connectBus({ url: server().url });
    await WorkQueue.open(nc);
    child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, 'worker', '--nats', server().url, '--stages', 'training,recording'],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        // 64 KiB job messages at most, so an oversize job can reach the worker (the stream takes 1 MiB).
        env: { ...process.env, MEMGEN_MAX_MESSAGE_BYTES: String(64 * 1024) },
      },
    );
    child.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    await waitFor('the worker to be ready', () =>
      /READY worker \d+ stages=training,recording http=\d+/.test(log),
    );
    port = Number(/http=(\d+)/.exec(log)![1]);
    client = new JetStreamClientProxy({ connection: { url: server().url }, timeoutMs: 10_000 });
    await client.connect();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await client?.close();
    await nc?.close();
  });

  it('serves /health with a NATS ping per stage, and the msgpack control plane', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; info: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.info).sort()).toEqual(['nats-recording', 'nats-training']);
    expect(await request(controlPattern('training', 'status'))).toEqual(idleStatus('training'));
    expect(await request(controlPattern('recording', 'health'))).toMatchObject({
      stage: 'recording',
      nats: 'up',
    });
  });

  it('dead-letters bad jobs with a logged reason, stays up, and completes a good one', async () => {
    const queue = await WorkQueue.open(nc);
    const state = await StateStore.open(nc);
    const store = await ArtefactStore.open(nc);
    const garbage = await queue.js.publish(jobSubject('training'), new Uint8Array([0xc1, 0x00, 0x13]));
    const oversize = makeJob({
      stage: 'training',
      runId: 'big',
      spec: { train: { blob: 'x'.repeat(100_000) } },
    });
    await queue.submit(oversize);
    const missing = makeJob({
      stage: 'recording',
      runId: 'missing',
      spec: { study: {} },
      inputs: [
        { name: `jobs/${'0'.repeat(64)}/checkpoint/model.safetensors`, digest: 'a'.repeat(64), size: 10 },
      ],
    });
    await queue.submit(missing);
    const stored = await store.putBytes(
      `jobs/${'1'.repeat(64)}/checkpoint/model.safetensors`,
      new Uint8Array(10),
    );
    const corrupt = makeJob({
      stage: 'recording',
      runId: 'corrupt',
      spec: { study: {} },
      inputs: [{ ...stored, digest: 'b'.repeat(64) }],
    });
    await queue.submit(corrupt);

    const dead = async (key: string) => (await state.get(key, DeadLetterSchema))?.value;
    await waitFor('four dead letters', async () => (await state.keys('dead.>')).length === 4);
    expect(await dead(`dead.training.seq-${garbage.seq}`)).toMatchObject({ cause: 'malformed', jobId: null });
    expect((await dead(`dead.training.seq-${garbage.seq + 1}`))?.reason).toMatch(
      /exceeds the 65536-byte limit/,
    );
    expect((await dead(`dead.recording.${missing.id}`))?.reason).toMatch(/is not in object store bucket/);
    expect((await dead(`dead.recording.${corrupt.id}`))?.reason).toMatch(
      /is corrupt or not the expected one/,
    );
    for (const reason of [
      'undecodable msgpack message',
      '65536-byte limit',
      'is not in object store',
      'is corrupt',
    ]) {
      expect(log).toContain(reason);
    }

    // Still up: a real train job runs to completion.
    const good = unitJob(expandSweep(parseSweepSpec(tinySweepSpec([0])))[0]!, 'training', []);
    await queue.submit(good);
    await waitFor(
      'the good job',
      async () => (await state.get(`job.${good.id}`, JobStateSchema)) !== null,
      60_000,
    );
    const done = (await state.get(`job.${good.id}`, JobStateSchema))!.value;
    expect(done.outputs.map((r) => r.name)).toContain(`jobs/${good.id}/checkpoint/model.safetensors`);
    expect(await request(controlPattern('training', 'status'))).toMatchObject({ done: 1, dead: 2 });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/memgen_jobs_total\{stage="training",outcome="done"\} 1/);
    expect(metrics).toMatch(/memgen_jobs_total\{stage="recording",outcome="dead"\} 2/);
    expect(metrics).toMatch(/memgen_job_seconds_count\{stage="training"\} 1/);
    expect(metrics).toContain(`memgen_build_info{version="0.1.0",node_version="${process.versions.node}"} 1`);
    const outBytes = done.outputs.reduce((n, r) => n + r.size, 0);
    expect(metrics).toContain(
      `\nmemgen_artefact_bytes_total{stage="training",direction="out"} ${outBytes}\n`,
    );
    expect(metrics).toContain('\nmemgen_artefact_bytes_total{stage="training",direction="in"} 0\n');
    // The science of that job, labelled by its run: every step counted, the checkpoint it ended with.
    // Labelled by the unit the job carries: the tiny spec trains the nano model.
    const run = `task="color",preset="smoke",size="nano",seed="0",run_id="${good.runId}"`;
    const steps = (good.spec as { train: { phases: { steps: number }[] } }).train.phases.reduce(
      (n, p) => n + p.steps,
      0,
    );
    expect(metrics).toContain(`\nmemgen_train_steps_total{${run}} ${steps}\n`);
    expect(metrics).toMatch(new RegExp(`\\nmemgen_train_qualified\\{${run}\\} [01]\\n`));
    expect(metrics).toMatch(new RegExp(`\\nmemgen_eval_rule_accuracy_ratio\\{${run}\\} (0|1|0\\.\\d+)\\n`));
  });

  it('drains on request and exits on SIGTERM', async () => {
    expect(await request(controlPattern('recording', 'drain'))).toMatchObject({
      stage: 'recording',
      draining: true,
    });
    const exited = new Promise<unknown>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    child.kill('SIGTERM');
    const started = Date.now();
    expect(['SIGTERM', 0]).toContain(await exited);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
