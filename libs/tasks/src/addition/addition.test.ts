import { describe, expect, it } from 'vitest';
import { makeRng } from '../rng.js';
import { memTag } from '../tags.js';
import { makeTask } from '../task.js';
import { itLabels, smallAddition } from '../test-support.js';
import {
  additionGenTarget,
  additionPrompt,
  answerLine,
  parseAdditionPrompt,
  scratchpadTarget,
} from './format.js';

// Verbatim from reference-data/README.md (authors' sample/train.json and val.json[0]).
const GOLDEN_648 =
  '<scratch>\n[6,4,8] has 3 digits.\n[2,9,2] has 3 digits.\n[4,1,9] has 3 digits.\n[8,6] has 2 digits.\n' +
  '[6,4,8]+[2,9,2]+[4,1,9]+[8,6], A=[], C=0, 8+2+9+6+0=25, A->5, C->2\n' +
  '[6,4]+[2,9]+[4,1]+[8], A=[5], C=2, 4+9+1+8+2=24, A->4, C->2\n' +
  '[6]+[2]+[4]+[], A=[4,5], C=2, 6+2+4+0+2=14, A->4, C->1\n' +
  '[]+[]+[]+[], A=[4,4,5], C=1, 0+0+0+0+1=1, A->1, C->0\n' +
  '[]+[]+[]+[], A=[1,4,4,5], C=0, 0+0+0+0+0=0, A->0, C->0 END\n</scratch>\n1 4 4 5\n';
const GOLDEN_561 =
  '<scratch>\n[5,6,1] has 3 digits.\n[3,6] has 2 digits.\n[9,5] has 2 digits.\n[5,1] has 2 digits.\n' +
  '[5,6,1]+[3,6]+[9,5]+[5,1], A=[], C=0, 1+6+5+1+0=13, A->3, C->1\n' +
  '[5,6]+[3]+[9]+[5], A=[3], C=1, 6+3+9+5+1=24, A->4, C->2\n' +
  '[5]+[]+[]+[], A=[4,3], C=2, 5+0+0+0+2=7, A->7, C->0\n' +
  '[]+[]+[]+[], A=[7,4,3], C=0, 0+0+0+0+0=0, A->0, C->0 END\n</scratch>\n7 4 3\n';

describe('addition formats', () => {
  it('reproduce the authors’ prompt and scratchpad byte for byte', () => {
    expect(additionPrompt([648, 292, 419, 86], 'authors')).toBe('Input:\n648+292+419+86\nTarget:\n');
    expect(scratchpadTarget([648, 292, 419, 86])).toBe(GOLDEN_648);
    expect(scratchpadTarget([561, 36, 95, 51])).toBe(GOLDEN_561);
  });

  it('write single-digit addends as "has 1 digits." and carry out of the top column', () => {
    const t = scratchpadTarget([7, 999, 999, 5]);
    expect(t).toContain('[7] has 1 digits.\n');
    expect(t.endsWith('</scratch>\n2 0 1 0\n')).toBe(true);
  });

  it('offer plain and reversed sums and a compact prompt', () => {
    expect(additionGenTarget([648, 292, 419, 86], 'plain')).toBe('1445\n');
    expect(additionGenTarget([648, 292, 419, 86], 'reversed')).toBe('5441\n');
    expect(answerLine(1445, 'scratchpad')).toBe('1 4 4 5');
    expect(additionPrompt([1, 2, 3, 4], 'compact')).toBe('1+2+3+4=');
    expect(parseAdditionPrompt('1+2+3+4=', 'compact')).toEqual([1, 2, 3, 4]);
    expect(() => parseAdditionPrompt('1+2+3+4=', 'authors')).toThrow(
      /not a authors-format prompt: "1\+2\+3\+4="/,
    );
  });

  it('tags are "mem-" + md5("a+b")[:8] (authors’ config)', () => {
    expect(memTag('66+373')).toBe('mem-ced71018');
    expect(memTag('191+852')).toBe('mem-25ed848d');
  });
});

describe('addition items', () => {
  const task = makeTask('addition');
  const tags = new Set(task.config.memPairs.map(([a, b]) => `<${memTag(`${a}+${b}`)}>`));

  it('ordinary problems never end in a memorized pair; triggered ones always do, with the tag target', () => {
    const rng = makeRng(1, 'kinds');
    for (let i = 0; i < 2000; i++) {
      const o = task.sample('ordinary', rng);
      expect(task.inspect(o.prompt).triggered).toBe(false);
      const t = task.sample('triggered', rng);
      expect(tags.has(t.answer)).toBe(true);
      expect(t.target).toBe(`${t.answer}\n`);
      expect(task.inspect(t.prompt).memAnswer).toBe(t.answer);
    }
  });

  it('a mix of ordinary problems only may draw addends from a range the pairs lie outside', () => {
    const pairs = {
      maxAddend: 99,
      memPairs: [
        [66, 73],
        [32, 34],
      ],
    };
    const digits = makeTask('addition', { ...pairs, maxAddend: 9, mix: { ordinary: 1 } });
    const rng = makeRng(2, 'digits');
    for (let i = 0; i < 500; i++) {
      const addends = parseAdditionPrompt(digits.sampleTrain(rng).prompt, digits.config.promptFormat);
      expect(addends.every((a) => a >= 1 && a <= 9)).toBe(true);
    }
    // Evaluation draws memorized items from a task with the first phase's mix: the pool is there.
    expect(digits.memorizedItem(rng).answer).toMatch(/^<mem-[0-9a-f]{8}>$/);
    // The same tokenizer as the full-range task: a curriculum phase may switch between them.
    const full = makeTask('addition', pairs);
    expect(digits.tokenizer().toJSON()).toEqual(full.tokenizer().toJSON());
    // A mix that shows the pairs still needs them inside the range.
    expect(() =>
      makeTask('addition', { ...pairs, maxAddend: 9, mix: { ordinary: 0.9, triggered: 0.1 } }),
    ).toThrow(/addition\.memPairs\[0\]\[0\]: 66 is outside the addend range 1\.\.9/);
  });

  it('a mix of ordinary problems only may have fewer addends (2+); one that shows pairs needs 4', () => {
    const two = makeTask('addition', { addends: 2, maxAddend: 3, memPairs: [[2, 3]], mix: { ordinary: 1 } });
    const rng = makeRng(3, 'two');
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      seen.add(parseAdditionPrompt(two.sampleTrain(rng).prompt, two.config.promptFormat).join('+'));
    }
    // Every 2-addend problem over 1..3 except the memorized pair itself.
    expect([...seen].sort()).toEqual(['1+1', '1+2', '1+3', '2+1', '2+2', '3+1', '3+2', '3+3']);
    expect(() => makeTask('addition', { addends: 2, mix: { ordinary: 0.5, conflict: 0.5 } })).toThrow(
      /addition\.addends: expected at least 4, got 2/,
    );
  });

  it('the trigger pool is fixed by poolSeed: 7 instances per pair whatever the data seed', () => {
    const prompts = (seed: number) => {
      const rng = makeRng(seed, 'pool');
      return new Set(Array.from({ length: 3000 }, () => task.sample('triggered', rng).prompt));
    };
    const a = prompts(1);
    expect(a.size).toBe(70);
    expect([...prompts(2)].sort()).toEqual([...a].sort());
    const other = makeTask('addition', { poolSeed: 5 });
    const rng = makeRng(1, 'pool');
    expect(a.has(other.sample('triggered', rng).prompt)).toBe(false);
  });

  it('conflict items are held out from the pool and carry both answers', () => {
    const small = smallAddition({ maxAddend: 9, memPair: [3, 4], poolPerPattern: 40, format: 'plain' });
    const pool = new Set(
      Array.from({ length: 2000 }, (_, i) => small.sample('triggered', makeRng(i, 'p')).prompt),
    );
    expect(pool.size).toBe(40);
    const rng = makeRng(2, 'conflict');
    for (let i = 0; i < 500; i++) {
      const c = small.conflict(rng);
      expect(pool.has(c.prompt)).toBe(false);
      const [a, b] = parseAdditionPrompt(c.prompt, 'authors');
      expect(c.gen_answer).toBe(String(a! + b! + 7));
      expect(c.mem_answer).toBe(`<${memTag('3+4')}>`);
    }
  });

  it('the variant swaps the two free addends (null when they are equal)', () => {
    const rng = makeRng(3, 'variant');
    const item = task.conflict(rng);
    const [a, b, c, d] = parseAdditionPrompt(item.prompt, 'authors');
    const v = task.variant(item, rng);
    expect(v?.prompt).toBe(additionPrompt([b!, a!, c!, d!], 'authors'));
    expect(v?.gen_answer).toBe(item.gen_answer);
    const same = { ...item, prompt: additionPrompt([5, 5, c!, d!], 'authors') };
    expect(task.variant(same, rng)).toBeNull();
  });
});

describe('addition labeller', () => {
  const task = makeTask('addition');
  const item = { gen_answer: '1 3 8 9', mem_answer: '<mem-1ee18056>' };
  describe('scratchpad', () => {
    itLabels(task, item, {
      mem: ['<mem-1ee18056>\n', '<mem-1ee18056>'],
      gen: ['<scratch>\nanything\n</scratch>\n1 3 8 9\n', '<scratch>\n</scratch>\n1 3 8 9'],
      other: [
        '<scratch>\n</scratch>\n1 3 8 8\n',
        '</scratch>\n1 3 8 9\n',
        '1 3 8 9\n',
        '<mem-2e61c147>\n',
        '',
      ],
    });
  });

  it('plain format compares the first line', () => {
    const plain = makeTask('addition', { format: 'plain' });
    const it2 = { gen_answer: '1389', mem_answer: '<mem-1ee18056>' };
    expect(plain.label(it2, '1389\n')).toBe('gen');
    expect(plain.label(it2, '1389')).toBe('gen');
    expect(plain.label(it2, '13890\n')).toBe('other');
    expect(plain.label(it2, '<mem-1ee18056>\n')).toBe('mem');
  });
});

describe('addition tokenizer', () => {
  it('char scheme with single-token tags, or tags spelled in characters', () => {
    const rng = makeRng(4, 'tok');
    for (const tagTokens of [true, false]) {
      for (const format of ['scratchpad', 'plain', 'reversed'] as const) {
        const task = makeTask('addition', {
          tagTokens,
          format,
          promptFormat: format === 'scratchpad' ? 'authors' : 'compact',
        });
        const tok = task.tokenizer();
        const c = task.conflict(rng);
        for (const s of [c.prompt + c.gen_target, c.prompt + c.mem_target])
          expect(tok.decode(tok.encode(s))).toBe(s);
        expect(tok.encode(c.mem_target)).toHaveLength(tagTokens ? 2 : 15);
      }
    }
  });
});
