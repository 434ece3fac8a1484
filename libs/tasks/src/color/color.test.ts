import { describe, expect, it } from 'vitest';
import { makeRng } from '../rng.js';
import { makeTask } from '../task.js';
import { itLabels, sampleVariants } from '../test-support.js';
import { AUTHORS_MEMORIZED, EXTRA_NAME_POOL } from './constants.js';
import { colorCounts, parseColorPrompt, solveColorStory } from './parse.js';
import { COLOR_HEURISTICS, heuristicGuess } from './shortcut.js';

const memorizedNames = new Set(Object.keys(AUTHORS_MEMORIZED));
const extraNames = new Set(EXTRA_NAME_POOL.slice(0, 32));

describe('color stories', () => {
  for (const hops of [1, 2] as const) {
    for (const balanced of [false, true]) {
      it(`follow the rule (hops ${hops}, balanced ${balanced}) for every kind`, () => {
        const task = makeTask('color', { hops, balanced });
        const colors = new Set(task.config.colors);
        const rng = makeRng(11, `stories-${hops}-${balanced}`);
        for (let i = 0; i < 300; i++) {
          // `recall` (a 1-hop warm-up without roles), `unstated` (no answer in context) and `chain`
          // (bare pairs, no sentences) have their own tests.
          const own = ['recall', 'unstated', 'chain', 'chain-role', 'chain-role-color'];
          for (const kind of task.kinds.filter((k) => !own.includes(k))) {
            const item = task.sample(kind, rng);
            const story = parseColorPrompt(item.prompt);
            expect(solveColorStory(story, colors)).toBe(item.answer);
            expect(item.target).toBe(` ${item.answer}`);
            const names = new Set(story.statements.map((s) => s.name));
            expect(names.size).toBeGreaterThanOrEqual(4);
            expect(names.size).toBeLessThanOrEqual(8);
            if (!balanced) expect(story.statements.length).toBeLessThanOrEqual(10);
            // hops 1 asks about a name whose color is stated; hops 2 about one whose color is not.
            const askedHasColor = story.statements.some((s) => s.name === story.asked && colors.has(s.value));
            expect(askedHasColor).toBe(hops === 1);
            if (kind === 'rule') for (const n of names) expect(extraNames.has(n)).toBe(true);
            if (kind === 'memorized' || kind === 'conflict')
              for (const n of names) expect(memorizedNames.has(n)).toBe(true);
            if (kind === 'memorized') expect(item.answer).toBe(AUTHORS_MEMORIZED[story.asked]);
            if (kind === 'conflict')
              expect(colorCounts(story, colors).has(AUTHORS_MEMORIZED[story.asked]!)).toBe(false);
          }
        }
      });
    }
  }

  it('`any` stories ask about memorized and never-memorized names alike', () => {
    const task = makeTask('color');
    const rng = makeRng(2, 'any');
    const asked = Array.from({ length: 400 }, () => parseColorPrompt(task.sample('any', rng).prompt).asked);
    expect(asked.some((n) => memorizedNames.has(n))).toBe(true);
    expect(asked.some((n) => extraNames.has(n))).toBe(true);
  });

  it('namePool restricts the names of rule/any training stories, not the vocabulary or evaluation items', () => {
    const full = makeTask('color', { balanced: true, minNames: 4, maxNames: 5 });
    const task = makeTask('color', { balanced: true, minNames: 4, maxNames: 5, namePool: 6 });
    expect(task.tokenizer().toJSON()).toEqual(full.tokenizer().toJSON());
    const rng = makeRng(3, 'pool');
    const anyPool = new Set(Object.keys(AUTHORS_MEMORIZED).slice(0, 6));
    const rulePool = new Set(EXTRA_NAME_POOL.slice(0, 6));
    for (let i = 0; i < 300; i++) {
      for (const st of parseColorPrompt(task.sample('any', rng).prompt).statements)
        expect(anyPool.has(st.name)).toBe(true);
      for (const st of parseColorPrompt(task.sample('rule', rng).prompt).statements)
        expect(rulePool.has(st.name)).toBe(true);
    }
    const evalNames = new Set(
      Array.from({ length: 300 }, () => parseColorPrompt(task.ruleItem(rng).prompt).asked),
    );
    expect([...evalNames].some((n) => !rulePool.has(n))).toBe(true);
    expect(() => makeTask('color', { maxNames: 5, namePool: 4 })).toThrow(
      /namePool: expected at least maxNames \(5\), got 4/,
    );
  });

  it('unstated items: a memorized name asked, its color stated nowhere, the answer its memorized color', () => {
    for (const hops of [1, 2] as const) {
      const task = makeTask('color', { hops });
      const rng = makeRng(7, 'unstated');
      for (let i = 0; i < 300; i++) {
        const item = task.sample('unstated', rng);
        const story = parseColorPrompt(item.prompt);
        expect(item.kind).toBe('unstated');
        expect(item.answer).toBe(AUTHORS_MEMORIZED[story.asked]);
        expect(story.statements.some((st) => st.value === item.answer)).toBe(false);
        expect(story.statements.some((st) => st.name === story.asked)).toBe(true);
      }
    }
  });

  it('conflict items: gen is the role color, mem the asked name’s memorized color, absent from the story', () => {
    const task = makeTask('color');
    const rng = makeRng(3, 'conflict');
    for (let i = 0; i < 500; i++) {
      const c = task.conflict(rng);
      const story = parseColorPrompt(c.prompt);
      expect(c.mem_answer).toBe(AUTHORS_MEMORIZED[story.asked]);
      expect(c.gen_answer).toBe(solveColorStory(story, new Set(task.config.colors)));
      expect(c.gen_answer).not.toBe(c.mem_answer);
      expect(c.prompt).not.toContain(` ${c.mem_answer}.`);
      expect([c.gen_target, c.mem_target]).toEqual([` ${c.gen_answer}`, ` ${c.mem_answer}`]);
    }
  });

  it('rejects malformed prompts and unknown kinds, naming them', () => {
    expect(() => parseColorPrompt('Bob is red. what colour is Bob?')).toThrow(
      /does not end with " what color is <Name>\?"/,
    );
    expect(() => parseColorPrompt('Bob is very red. what color is Bob?')).toThrow(
      /not a "<Name> is <word>\." statement: "Bob is very red\."/,
    );
    expect(() => makeTask('color').sample('fresh', makeRng(1, 'x'))).toThrow(
      /unknown item kind "fresh" \(known: rule, memorized, any, conflict, recall, unstated, chain, chain-role, chain-role-color\)/,
    );
  });
});

describe('color variant', () => {
  it('reshuffles the same statements and keeps the question and both answers', () => {
    const task = makeTask('color');
    const { pairs, identical } = sampleVariants(task, makeRng(4, 'variant'), 300);
    for (const [c, v] of pairs) {
      const a = parseColorPrompt(c.prompt);
      const b = parseColorPrompt(v.prompt);
      expect(v.prompt).not.toBe(c.prompt);
      expect(b.asked).toBe(a.asked);
      expect(b.statements.map((s) => s.text).sort()).toEqual(a.statements.map((s) => s.text).sort());
      expect([v.gen_answer, v.mem_answer, v.gen_target, v.mem_target]).toEqual([
        c.gen_answer,
        c.mem_answer,
        c.gen_target,
        c.mem_target,
      ]);
    }
    expect(identical).toBeLessThan(10);
  });

  it('returns null when the order cannot change', () => {
    const item = {
      prompt: 'Bob is red. what color is Bob?',
      gen_target: ' red',
      mem_target: ' white',
      gen_answer: 'red',
      mem_answer: 'white',
    };
    expect(makeTask('color').variant(item, makeRng(1, 'v'))).toBeNull();
  });
});

describe('color labeller (authors’ rule on the continuation)', () => {
  const task = makeTask('color');
  const item = { gen_answer: 'red', mem_answer: 'white' };
  itLabels(task, item, {
    gen: [' red', 'red', ' red.', ' red. Bob is cat.', ' "red",', ' red blue'],
    mem: [' white', '\nwhite?'],
    other: [' Red', ' blue red', ' redd', ''],
  });
});

describe('shortcut baseline', () => {
  const N = 3000;
  const run = (balanced: boolean) => {
    const task = makeTask('color');
    const colors = new Set(task.config.colors);
    const rng = makeRng(5, `shortcut-${balanced}`);
    const guessRng = makeRng(6, `guess-${balanced}`);
    const hits: Record<string, number> = {};
    const expected: Record<string, number> = {};
    let baseline = 0;
    let chance = 0;
    for (let i = 0; i < N; i++) {
      const r = task.ruleItem(rng, { balanced });
      const story = parseColorPrompt(r.prompt);
      const distinct = colorCounts(story, colors).size;
      if (balanced) {
        // Every color once, every heuristic at uniform chance over the story's colors.
        expect([...colorCounts(story, colors).values()].every((n) => n === 1)).toBe(true);
        expect(r.shortcutBaseline).toBeCloseTo(1 / distinct, 12);
        for (const h of COLOR_HEURISTICS) expect(r.heuristics[h]).toBeCloseTo(1 / distinct, 12);
      }
      baseline += r.shortcutBaseline / N;
      chance += 1 / distinct / N;
      for (const h of COLOR_HEURISTICS) {
        hits[h] = (hits[h] ?? 0) + (heuristicGuess(h, story, colors, guessRng) === r.answer ? 1 / N : 0);
        expected[h] = (expected[h] ?? 0) + (r.heuristics[h] as number) / N;
      }
    }
    return { hits, expected, baseline, chance };
  };
  // 4 standard errors of a proportion near 0.5 over N items.
  const tol = 4 * Math.sqrt(0.25 / N);

  it('on balanced stories, running the heuristics scores uniform chance over the story’s colors', () => {
    const { hits, baseline, chance } = run(true);
    expect(baseline).toBeCloseTo(chance, 12);
    expect(chance).toBeGreaterThan(0.3);
    expect(chance).toBeLessThan(0.45);
    for (const h of COLOR_HEURISTICS) expect(Math.abs((hits[h] as number) - chance)).toBeLessThan(tol);
  });

  it('on the authors’ stories the once-stated heuristic scores ≈ 0.47 and the baseline is well above chance', () => {
    const { hits, expected, baseline, chance } = run(false);
    expect(hits['onceStated']).toBeGreaterThan(0.44);
    expect(hits['onceStated']).toBeLessThan(0.51);
    for (const h of COLOR_HEURISTICS)
      expect(Math.abs((hits[h] as number) - (expected[h] as number))).toBeLessThan(tol);
    // The question-free "shared role" heuristic is stronger still on these stories.
    expect(hits['sharedRole']).toBeGreaterThan(0.7);
    expect(baseline).toBeGreaterThan(chance + 0.3);
  });
});

describe('color tokenizer', () => {
  it('word scheme: the 108-token word vocabulary, round-tripping every story', () => {
    const task = makeTask('color', { hops: 1 });
    const tok = task.tokenizer();
    expect(tok.vocabSize).toBe(108);
    expect(tok.vocab.slice(0, 7)).toEqual(['<pad>', '<eos>', 'is', '.', 'what', 'color', '?']);
    const rng = makeRng(7, 'tok');
    for (let i = 0; i < 200; i++) {
      const c = task.conflict(rng);
      expect(tok.decode(tok.encode(c.prompt))).toBe(c.prompt);
      expect(tok.decode([...tok.encode(c.prompt), ...tok.encode(c.gen_target)])).toBe(
        c.prompt + c.gen_target,
      );
      expect(tok.encode(c.mem_target)).toHaveLength(1);
    }
  });

  it('char scheme round-trips too', () => {
    const task = makeTask('color', { tokenizer: 'char' });
    const tok = task.tokenizer();
    const c = task.conflict(makeRng(8, 'tok'));
    expect(tok.scheme).toBe('char');
    expect(tok.decode(tok.encode(c.prompt + c.gen_target))).toBe(c.prompt + c.gen_target);
  });
});
