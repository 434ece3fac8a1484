import { describe, expect, it } from 'vitest';
import { formatProgress } from './status.js';

describe('formatProgress', () => {
  it('says under the sweep line what each running job waits for', () => {
    const text = formatProgress({
      sweepId: 'abc',
      units: 2,
      jobsTotal: 8,
      done: 1,
      dead: 0,
      running: [
        {
          runId: 'color-smoke-s0',
          stage: 'recording',
          waitingFor: 'a recording worker: none serves recording yet',
        },
        { runId: 'color-smoke-s1', stage: 'training' },
      ],
    });
    expect(text).toBe(
      [
        'sweep abc: 1/8 jobs done, 0 dead, 2 units; running: color-smoke-s0:recording color-smoke-s1:training',
        '  color-smoke-s0 recording waits for a recording worker: none serves recording yet',
      ].join('\n'),
    );
  });
});
