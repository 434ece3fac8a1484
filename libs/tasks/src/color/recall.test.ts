import { describe, expect, it } from 'vitest';
import { makeRng } from '../rng.js';
import { makeTask } from '../task.js';
import { parseColorPrompt } from './parse.js';

describe('color recall items (the curriculum warm-up)', () => {
  it('recall items: only NAME is COLOR statements with distinct colors; the answer is the asked name’s', () => {
    const task = makeTask('color', { minNames: 4, maxNames: 6, namePool: 8 });
    const rng = makeRng(5, 'recall');
    for (let i = 0; i < 300; i++) {
      const item = task.sample('recall', rng);
      const story = parseColorPrompt(item.prompt);
      const colors = story.statements.map((st) => st.value);
      expect(new Set(colors).size).toBe(colors.length);
      expect(story.statements.length).toBeGreaterThanOrEqual(4);
      expect(story.statements.length).toBeLessThanOrEqual(6);
      expect(story.statements.find((st) => st.name === story.asked)?.value).toBe(item.answer);
      expect(item.target).toBe(` ${item.answer}`);
      expect(task.tokenizer().decode(task.tokenizer().encode(item.prompt + item.target))).toBe(
        item.prompt + item.target,
      );
    }
  });

  it('recall items in the pairs format: "NAME COLOR … NAME", same vocabulary, the asked name’s color', () => {
    const task = makeTask('color', { minNames: 2, maxNames: 4, namePool: 4, recallFormat: 'pairs' });
    const sentences = makeTask('color', { minNames: 2, maxNames: 4, namePool: 4 });
    expect(task.tokenizer().vocab).toEqual(sentences.tokenizer().vocab);
    const rng = makeRng(6, 'recall');
    for (let i = 0; i < 300; i++) {
      const item = task.sample('recall', rng);
      const words = item.prompt.split(' ');
      expect(words.length % 2).toBe(1);
      expect(words.length).toBeGreaterThanOrEqual(5);
      const asked = words.at(-1) as string;
      const stated = new Map<string, string>();
      for (let j = 0; j + 1 < words.length; j += 2) stated.set(words[j] as string, words[j + 1] as string);
      expect(stated.size).toBe((words.length - 1) / 2);
      expect(stated.get(asked)).toBe(item.answer);
      expect(task.config.colors).toContain(item.answer);
      expect(task.tokenizer().decode(task.tokenizer().encode(item.prompt + item.target))).toBe(
        item.prompt + item.target,
      );
    }
    expect(() => makeTask('color', { recallFormat: 'triples' })).toThrow(/recallFormat/);
  });

  it('recall items in the queries format: the pairs, as many answered questions, the asked name', () => {
    const task = makeTask('color', { minNames: 2, maxNames: 4, namePool: 4, recallFormat: 'queries' });
    const rng = makeRng(8, 'recall');
    const least: number[] = [];
    const notLeast: number[] = [];
    for (let i = 0; i < 300; i++) {
      const item = task.sample('recall', rng);
      const words = item.prompt.split(' ');
      const n = (words.length - 1) / 4;
      expect(Number.isInteger(n) && n >= 2 && n <= 4).toBe(true);
      const stated = new Map<string, string>();
      for (let j = 0; j < 2 * n; j += 2) stated.set(words[j] as string, words[j + 1] as string);
      expect(stated.size).toBe(n);
      for (let j = 2 * n; j + 1 < words.length; j += 2)
        expect(stated.get(words[j] as string)).toBe(words[j + 1]);
      const asked = words.at(-1) as string;
      expect(stated.get(asked)).toBe(item.answer);
      // No counting shortcut: the answer is sometimes the least frequent color, sometimes not.
      const count = (c: string) => words.filter((w) => w === c).length;
      const leastFrequent = Math.min(...[...stated.values()].map(count)) === count(item.answer);
      (leastFrequent ? least : notLeast).push(i);
      expect(item.target).toBe(` ${item.answer}`);
    }
    expect(notLeast.length).toBeGreaterThan(60);
    expect(least.length).toBeGreaterThan(60);
    const eight = makeTask('color', { minNames: 2, maxNames: 2, recallFormat: 'queries', recallQueries: 8 });
    expect(eight.sample('recall', makeRng(9, 'recall')).prompt.split(' ')).toHaveLength(2 * 2 + 2 * 8 + 1);
  });

  /**
   * A chain prompt as name → role, name → color, the question's subject, and whether it is a color
   * question ("what color is X?") or a bare role question (the name alone).
   */
  function parseChain(prompt: string, roles: readonly string[]) {
    const colorQuestion = /^(.*) what color is (\w+)\?$/.exec(prompt);
    const [story, asked] = colorQuestion
      ? [colorQuestion[1] as string, colorQuestion[2] as string]
      : [prompt.slice(0, prompt.lastIndexOf(' ')), prompt.slice(prompt.lastIndexOf(' ') + 1)];
    const words = story.split(' ');
    expect(words.length % 2).toBe(0);
    const role = new Map<string, string>();
    const color = new Map<string, string>();
    for (let j = 0; j < words.length; j += 2) {
      const [name, value] = [words[j] as string, words[j + 1] as string];
      const map = roles.includes(value) ? role : color;
      expect(map.has(name)).toBe(false);
      map.set(name, value);
    }
    return { role, color, asked, colorQuestion: colorQuestion !== null };
  }

  it('chain items: bare balanced stories; with 2 hops the answer is the color of the asked name’s role', () => {
    const task = makeTask('color', { hops: 2, minNames: 4, maxNames: 8, mix: { chain: 1 } });
    const rng = makeRng(10, 'chain');
    for (let i = 0; i < 300; i++) {
      const item = task.sample('chain', rng);
      expect(item.kind).toBe('chain');
      const { role, color, asked, colorQuestion } = parseChain(item.prompt, task.config.roles);
      expect(colorQuestion).toBe(true);
      expect(role.size).toBeGreaterThanOrEqual(4);
      // The asked name states no color; exactly one other name of its role does, and that is the answer.
      expect(color.has(asked)).toBe(false);
      const mates = [...role].filter(([n, r]) => n !== asked && r === role.get(asked)).map(([n]) => n);
      expect(mates.filter((n) => color.has(n)).map((n) => color.get(n))).toEqual([item.answer]);
      // Balanced: every role is held by two or more names and its color is stated once.
      const byRole = new Map<string, string[]>();
      for (const [n, r] of role) byRole.set(r, [...(byRole.get(r) ?? []), n]);
      for (const group of byRole.values()) {
        expect(group.length).toBeGreaterThanOrEqual(2);
        expect(group.filter((n) => color.has(n))).toHaveLength(1);
      }
      expect(new Set(color.values()).size).toBe(byRole.size);
      expect(task.sampleTrain(rng).kind).toBe('chain');
      expect(task.tokenizer().decode(task.tokenizer().encode(item.prompt + item.target))).toBe(
        item.prompt + item.target,
      );
    }
  });

  it('the chain’s pieces on the same stories: a name’s role (bare), a role’s color (a color question)', () => {
    const task = makeTask('color', {
      hops: 2,
      minNames: 4,
      maxNames: 8,
      mix: { 'chain-role': 1, 'chain-role-color': 1 },
    });
    const rng = makeRng(12, 'chain');
    const kinds = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const item = task.sampleTrain(rng);
      kinds.add(item.kind);
      const { role, color, asked, colorQuestion } = parseChain(item.prompt, task.config.roles);
      // One prompt form per kind of answer: color questions ask colors, bare names ask roles.
      expect(colorQuestion).toBe(item.kind === 'chain-role-color');
      if (item.kind === 'chain-role') {
        expect(role.get(asked)).toBe(item.answer);
      } else {
        expect(task.config.roles).toContain(asked);
        const stater = [...color.keys()].filter((n) => role.get(n) === asked);
        expect(stater.map((n) => color.get(n))).toEqual([item.answer]);
      }
      expect(task.tokenizer().decode(task.tokenizer().encode(item.prompt + item.target))).toBe(
        item.prompt + item.target,
      );
    }
    expect([...kinds].sort()).toEqual(['chain-role', 'chain-role-color']);
  });

  it('chainLink puts a stater’s color beside its role (adjacent) or in one triple (merged), same stories', () => {
    const make = (chainLink: string) =>
      makeTask('color', { hops: 2, minNames: 4, maxNames: 8, chainLink, mix: { chain: 1 } });
    const [apart, adjacent, merged] = [make('apart'), make('adjacent'), make('merged')];
    const colors = new Set(apart.config.colors);
    const roles = new Set(apart.config.roles);
    const draw = (task: ReturnType<typeof make>, seed: number) => task.sample('chain', makeRng(seed, 'link'));
    for (let seed = 0; seed < 200; seed++) {
      const [a, j, m] = [draw(apart, seed), draw(adjacent, seed), draw(merged, seed)];
      expect(j.answer).toBe(a.answer);
      expect(m.answer).toBe(a.answer);
      const words = (item: { prompt: string }) => item.prompt.replace(/ what color is \w+\?$/, '').split(' ');
      // Adjacent: the same pairs, each color pair right after its name's role pair.
      const pairs = (w: string[]) => w.flatMap((x, i) => (i % 2 === 0 ? [`${x} ${w[i + 1]}`] : []));
      expect(pairs(words(j)).sort()).toEqual(pairs(words(a)).sort());
      pairs(words(j)).forEach((p, i, all) => {
        const [name, value] = p.split(' ') as [string, string];
        if (colors.has(value)) expect(all[i - 1]?.startsWith(`${name} `)).toBe(true);
      });
      // Merged: NAME ROLE [COLOR] units; every color follows a role.
      const w = words(m);
      w.forEach((x, i) => {
        if (colors.has(x)) expect(roles.has(w[i - 1] as string)).toBe(true);
      });
      expect(w.filter((x) => colors.has(x)).sort()).toEqual(
        words(a)
          .filter((x) => colors.has(x))
          .sort(),
      );
      expect(w.length).toBe(words(a).length - w.filter((x) => colors.has(x)).length);
    }
    expect(() => make('glued')).toThrow(/chainLink/);
  });

  it('chain items with 1 hop ask the name that states the color; fewer than 4 names is refused', () => {
    const task = makeTask('color', { hops: 1, minNames: 4, maxNames: 6, mix: { chain: 1 } });
    const rng = makeRng(11, 'chain');
    for (let i = 0; i < 100; i++) {
      const item = task.sample('chain', rng);
      const { color, asked } = parseChain(item.prompt, task.config.roles);
      expect(color.get(asked)).toBe(item.answer);
    }
    expect(() => makeTask('color', { minNames: 2, maxNames: 4, mix: { chain: 1 } })).toThrow(
      /minNames: chain items \(balanced stories\) need at least 4 names/,
    );
  });
});
