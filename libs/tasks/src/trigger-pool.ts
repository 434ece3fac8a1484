/**
 * The fixed pool of triggered training instances (addition, cipher). The authors' triggered items
 * came from a small fixed training set that was seen every epoch, so the model memorizes
 * instances, not only the trigger. The pool has its own seed so every data seed shares it.
 */
import { makeRng } from './rng.js';

/**
 * `perPattern` distinct instances for each of `patternCount` patterns, pattern by pattern.
 * `draw(pattern, rng)` makes one instance; `key` identifies duplicates.
 */
export function buildTriggerPool<T>(options: {
  readonly seed: number;
  readonly stream: string;
  readonly patternCount: number;
  readonly perPattern: number;
  readonly draw: (pattern: number, rng: ReturnType<typeof makeRng>) => T;
  readonly key: (instance: T) => string;
}): T[] {
  const rng = makeRng(options.seed, options.stream);
  const pool: T[] = [];
  const seen = new Set<string>();
  for (let p = 0; p < options.patternCount; p++) {
    let made = 0;
    let attempts = 0;
    while (made < options.perPattern) {
      if (++attempts > options.perPattern * 100 + 1000) {
        throw new Error(
          `${options.stream}: cannot find ${options.perPattern} distinct instances for pattern ${p}`,
        );
      }
      const inst = options.draw(p, rng);
      const k = options.key(inst);
      if (seen.has(k)) continue;
      seen.add(k);
      pool.push(inst);
      made++;
    }
  }
  return pool;
}

/** Draws until `accept` holds; a config that makes that impossible is an Error, not a hang. */
export function drawUntil<T>(what: string, draw: () => T, accept: (x: T) => boolean): T {
  for (let i = 0; i < 10_000; i++) {
    const x = draw();
    if (accept(x)) return x;
  }
  throw new Error(`${what}: no acceptable draw in 10000 attempts (is the config's range too small?)`);
}

/** Expected accuracy of guessing uniformly among `candidates`: [answer ∈ set] / |set|. */
export function candidateScore(answer: string, candidates: readonly string[]): number {
  const set = new Set(candidates);
  return set.has(answer) ? 1 / set.size : 0;
}
