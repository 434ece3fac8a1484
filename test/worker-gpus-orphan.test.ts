/**
 * `memgen worker --gpus 0,1` killed with SIGKILL — a signal it cannot forward — does not leave its
 * slot processes behind: each notices it was re-parented and stops within seconds, against a real
 * nats-server.
 */
import { expect, it } from 'vitest';
import { memgen, waitFor } from './support/memgen-processes.js';
import { describeWithNats } from './support/nats-server.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describeWithNats('memgen worker --gpus, its parent killed', (server) => {
  it('stops every slot process within seconds of a SIGKILL to the parent', async () => {
    const parent = memgen(['worker', '--nats', server().url, '--stages', 'training', '--gpus', '0,1']);
    await waitFor(
      'two ready slot processes',
      () => (parent.log().match(/READY worker/g) ?? []).length === 2,
      90_000,
    );
    const slots = [...parent.log().matchAll(/READY worker (\d+) /g)].map((m) => Number(m[1]));
    expect(slots.every(alive)).toBe(true);
    parent.child.kill('SIGKILL');
    await parent.exited;
    await waitFor('both slot processes to exit', () => !slots.some(alive), 15_000);
  }, 150_000);
});
