/**
 * `memgen worker --gpus 0,1` on a machine without GPUs: two slot processes start against a real
 * nats-server, each its own READY line and /metrics, every series labelled with its GPU index;
 * SIGTERM to the parent stops both and it exits 0.
 */
import { expect, it } from 'vitest';
import { memgen, waitFor } from './support/memgen-processes.js';
import { describeWithNats } from './support/nats-server.js';

describeWithNats('memgen worker --gpus', (server) => {
  it('runs one labelled single-slot worker per GPU and stops them all on SIGTERM', async () => {
    const parent = memgen(['worker', '--nats', server().url, '--stages', 'training', '--gpus', '0,1']);
    await waitFor(
      'two ready slot processes',
      () => (parent.log().match(/READY worker/g) ?? []).length === 2,
      60_000,
    );
    const ports = [...parent.log().matchAll(/READY worker \d+ stages=training http=(\d+)/g)].map((m) => m[1]);
    expect(new Set(ports).size).toBe(2);
    const gpus = new Set<string>();
    for (const port of ports) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const gpu = /memgen_slots\{stage="training",gpu="(\d)"\} 1\n/.exec(text)?.[1];
      expect(gpu, text).toBeDefined();
      expect(text).toMatch(new RegExp(`memgen_build_info\\{[^}]*gpu="${gpu}"[^}]*\\} 1`));
      gpus.add(gpu!);
    }
    expect([...gpus].sort()).toEqual(['0', '1']);
    parent.child.kill('SIGTERM');
    expect(await parent.exited).toBe(0);
  }, 90_000);
});
