import { describe, expect, it } from 'vitest';
import { parseTaskConfig } from './config.js';
import { TaskConfigError } from './config-errors.js';
import { makeTask } from './task.js';
import { TASK_NAMES } from './types.js';

describe('parseTaskConfig defaults', () => {
  it('fills the documented defaults', () => {
    const color = parseTaskConfig('color');
    expect(color).toMatchObject({
      task: 'color',
      hops: 2,
      minNames: 4,
      maxNames: 8,
      numRoles: 5,
      maxDistractorSentences: 7,
      extraNames: 32,
      balanced: false,
      mix: {
        rule: 0.75,
        memorized: 0.25,
        any: 0,
        conflict: 0,
        recall: 0,
        unstated: 0,
        chain: 0,
        'chain-role': 0,
        'chain-role-color': 0,
      },
      tokenizer: 'word',
    });
    expect(color.roles).toHaveLength(37);
    expect(parseTaskConfig('addition')).toMatchObject({
      addends: 4,
      minAddend: 1,
      maxAddend: 999,
      format: 'scratchpad',
      promptFormat: 'authors',
      mix: { ordinary: 0.93, triggered: 0.07 },
      triggerPoolPerPattern: 7,
      poolSeed: 1126,
      tagTokens: true,
    });
    expect(parseTaskConfig('cipher')).toMatchObject({
      freeLetters: 10,
      key: 'XERJPQBKTDYGLNMFUWOSVZAHCI',
      triggerPoolPerPattern: 70,
    });
  });

  it('accepts its own output (a resolved config re-parses to itself)', () => {
    for (const task of TASK_NAMES)
      expect(parseTaskConfig(task, parseTaskConfig(task))).toEqual(parseTaskConfig(task));
  });

  it('keeps given fields and defaults omitted mix weights to 0', () => {
    const c = parseTaskConfig('color', { hops: 1, mix: { any: 1 } });
    expect(c.hops).toBe(1);
    // The default mix (spelled out above) with its two weights moved to `any`.
    const defaults = parseTaskConfig('color').mix;
    expect(c.mix).toEqual({ ...defaults, rule: 0, memorized: 0, any: 1 });
  });
});

describe('parseTaskConfig errors name the field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['color', { hops: 3 }, /^color\.hops: expected 1 or 2, got 3$/],
    ['color', { hops: '2' }, /^color\.hops: expected 1 or 2, got "2"$/],
    ['color', { maxNames: 40 }, /^color\.maxNames: expected at most 32, got 40$/m],
    ['color', { minNames: 6, maxNames: 5 }, /^color\.minNames: expected at most maxNames \(5\), got 6$/m],
    ['color', { hopz: 1 }, /^color\.hopz: unknown field$/],
    ['color', { mix: { rules: 1 } }, /^color\.mix\.rules: unknown field$/m],
    ['color', { extraNames: 5 }, /^color\.extraNames: expected 0 or at least maxNames \(8\), got 5$/],
    ['color', { balanced: 'yes' }, /^color\.balanced: expected boolean, got "yes"$/],
    [
      'color',
      { roles: ['cat', 'cat', 'dog', 'cow', 'pig', 'emu'] },
      /^color\.roles: duplicate entries \["cat"\]$/,
    ],
    [
      'color',
      { memorized: { Bob: 'mauve' } },
      /color\.memorized\.Bob: memorized color "mauve" is not in colors/,
    ],
    ['addition', { addends: 3 }, /^addition\.addends: expected at least 4, got 3$/],
    [
      'addition',
      { format: 'binary' },
      /^addition\.format: expected "scratchpad" or "plain" or "reversed", got "binary"$/,
    ],
    [
      'addition',
      { maxAddend: 99 },
      /^addition\.memPairs\[0\]\[1\]: 373 is outside the addend range 1\.\.99$/m,
    ],
    ['addition', { memPairs: [[1, 'x']] }, /^addition\.memPairs\[0\]\[1\]: expected number, got "x"$/],
    ['cipher', { key: 'ABC' }, /^cipher\.key: expected 26 uppercase letters, got "ABC"$/],
    ['cipher', { key: 'AACDEFGHIJKLMNOPQRSTUVWXYZ' }, /^cipher\.key: expected a permutation of A-Z/],
    [
      'cipher',
      { patterns: ['AB', 'CDE'] },
      /^cipher\.patterns\[1\]: expected length 2 like patterns\[0\], got "CDE"$/,
    ],
    ['cipher', { mix: { ordinary: -1 } }, /^cipher\.mix\.ordinary: expected at least 0, got -1$/m],
    ['cipher', { task: 'color' }, /^cipher\.task: expected "cipher", got "color"$/],
  ];
  for (const [task, input, message] of cases) {
    it(`${task} ${JSON.stringify(input)}`, () => {
      expect(() => parseTaskConfig(task, input)).toThrow(TaskConfigError);
      expect(() => parseTaskConfig(task, input)).toThrow(message);
    });
  }

  it('rejects a config that is not an object', () => {
    expect(() => parseTaskConfig('color', [1])).toThrow(/^color: expected a config object, got \[1\]$/);
  });

  it('lists the known tasks for an unknown one', () => {
    expect(() => parseTaskConfig('colour', {})).toThrow(
      `unknown task "colour" (known tasks: ${TASK_NAMES.join(', ')})`,
    );
    expect(() => makeTask('maths')).toThrow(/unknown task "maths" \(known tasks: color, addition, cipher\)/);
  });
});
