import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/support/temp-dir.js';
import { executeJob } from './execute-job.js';
import { FileArtefactStore } from './fs-artefacts.js';
import { expandSweep, unitJob } from './plan.js';
import { parseSweepSpec } from './sweep-spec.js';
import { tinySweepSpec } from './testing/tiny-sweep.js';

const tmp = useTempDir('memgen-resume-');
beforeAll(async () => {
  await useTestBackend();
});

describe('executeJob with a resume directory', () => {
  it('keeps a stopped training attempt there; the next resumes and stores what an unbroken run stores', async () => {
    // 60 steps with its state saved every 20: stopped after step 30, it resumes at 20.
    const spec = tinySweepSpec([0], { steps: 60, every: 20 });
    const job = unitJob(expandSweep(parseSweepSpec(spec))[0]!, 'training', []);
    const whole = new FileArtefactStore(join(tmp.path, 'whole'));
    const wholeRefs = await executeJob(job, whole, { workRoot: tmp.path, log: () => {} });

    const store = new FileArtefactStore(join(tmp.path, 'resumed'));
    const resumeDir = join(tmp.path, 'job');
    const stop = new AbortController();
    const stopped = executeJob(job, store, {
      resumeDir,
      log: () => {},
      signal: stop.signal,
      progress: (p) => {
        if (p.stage === 'train' && p.done >= 30) stop.abort(new Error('killed for the test'));
      },
    });
    await expect(stopped).rejects.toThrow(/training stopped at step/);
    expect(existsSync(join(resumeDir, 'train/state/state.json'))).toBe(true);

    const lines: string[] = [];
    const refs = await executeJob(job, store, { resumeDir, log: (l) => lines.push(l) });
    expect(lines.some((l) => /resuming .* at step 20/.test(l))).toBe(true);
    expect(refs).toEqual(wholeRefs);
    expect(existsSync(resumeDir)).toBe(false);
    const model = wholeRefs.find((r) => r.name.endsWith('checkpoint/model.safetensors'))!;
    expect(await readFile(store.pathOf(model.name))).toEqual(await readFile(whole.pathOf(model.name)));
  }, 120_000);
});
