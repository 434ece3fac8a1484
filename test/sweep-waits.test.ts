/**
 * A sweep over NATS says what it waits for, against a real nats-server: with no worker serving
 * training, `memgen status` names each training job's wait, and the sweep reports each job it
 * submits again after MEMGEN_JOB_START_TIMEOUT_S, by run and job id — it never waits in silence.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { statusCommand } from '../services/cli/src/commands/status.js';
import { writeTinySweepSpec } from '../services/coordinator/src/testing/tiny-sweep.js';
import { killAllMemgen, memgen, waitFor } from './support/memgen-processes.js';
import { describeWithNats } from './support/nats-server.js';

describeWithNats('a NATS sweep with no worker', (server) => {
  let dir: string | undefined;
  afterAll(async () => {
    killAllMemgen();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says in `memgen status` what each job waits for, and reports each one it submits again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'memgen-sweep-waits-'));
    const specPath = await writeTinySweepSpec(join(dir, 'spec.json'));
    const sweep = memgen(['sweep', '--spec', specPath, '--out', join(dir, 'out'), '--nats', server().url], {
      MEMGEN_JOB_START_TIMEOUT_S: '2',
    });
    let status = '';
    const poll = async () => {
      status = await statusCommand({ nats: server().url }).catch((err: Error) => err.message);
      return /color-smoke-s1 training waits for a training worker: none serves training yet/.test(status);
    };
    for (const deadline = Date.now() + 90_000; !(await poll()); ) {
      if (Date.now() > deadline) throw new Error(`no wait in memgen status:\n${status}\n${sweep.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toMatch(/^sweep [0-9a-f]{16}: 0\/8 jobs done, 0 dead, 2 units; running: /m);
    expect(status).toMatch(/color-smoke-s0 training waits for a training worker: none serves training yet/);
    const resubmitted =
      /^training color-smoke-s0: job [0-9a-f]{12} not started within 2 s \(no worker serves its stage\); submitted again \(message \d+ → \d+\)$/m;
    await waitFor(
      'the sweep to report a job it submitted again',
      () => resubmitted.test(sweep.log()),
      30_000,
    );
    sweep.child.kill('SIGKILL');
  }, 150_000);
});
