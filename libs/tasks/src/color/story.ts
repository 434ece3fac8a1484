/**
 * Builds color stories. Two constructions:
 *
 * - **authors'** (`balanced: false`): 5 roles with distinct colors; the target and the clue share
 *   role 0; each distractor gets a random role and, unless that role is the target's, also states
 *   its role's color; distractor sentences are shuffled and cut to `maxDistractorSentences`. The
 *   answer is then always stated exactly once while other colors are often repeated — the
 *   shortcut small models learn (docs/method.md §2).
 * - **balanced**: k = min(numRoles, ⌊names/2⌋) roles; every role has at least two names, exactly
 *   one of which states the role's color. Every color of the story is stated once and every role
 *   is shared, so neither "a color stated once" nor "the color of a shared role" points to the
 *   answer: answer-free heuristics are at chance (1/k). No sentence is dropped (that would
 *   unbalance the story), so `maxDistractorSentences` does not apply.
 */
import type { Rng } from '../rng.js';
import type { ColorConfig } from './config.js';

/** How a story's colors relate to the asked name's memorized color. */
export type ColorRule =
  /** any colors */
  | 'free'
  /** the answer is the asked name's memorized color (memory and rule agree) */
  | 'agree'
  /** the asked name's memorized color appears nowhere (conflict) */
  | 'avoid';

export interface Story {
  /** `"<Name> is <role|color>."` statements in prompt order (the question excluded). */
  readonly statements: readonly string[];
  /** The name the question asks about. */
  readonly asked: string;
  /** The in-context answer: the color of the asked name's role. */
  readonly answer: string;
}

export interface StoryRequest {
  readonly namePool: readonly string[];
  readonly colorRule: ColorRule;
  readonly balanced: boolean;
  /** Bare pairs "NAME ROLE" / "NAME COLOR" instead of "NAME is ROLE." sentences (balanced only). */
  readonly bare?: boolean;
}

/** The prompt: statements joined by spaces, then ` what color is <asked>?` (authors' format). */
export function storyPrompt(statements: readonly string[], asked: string): string {
  return `${statements.join(' ')} what color is ${asked}?`;
}

/** `count` distinct colors; the first is the answer color under `rule`. */
function drawColors(config: ColorConfig, rule: ColorRule, asked: string, count: number, rng: Rng): string[] {
  if (rule === 'free') return rng.sample(config.colors, count);
  const memorized = Object.hasOwn(config.memorized, asked) ? config.memorized[asked] : undefined;
  if (memorized === undefined) throw new Error(`color: "${asked}" has no memorized color (rule ${rule})`);
  const others = config.colors.filter((c) => c !== memorized);
  return rule === 'agree' ? [memorized, ...rng.sample(others, count - 1)] : rng.sample(others, count);
}

/** A new random story. Names come from `request.namePool`; hops decide who is asked. */
export function buildStory(config: ColorConfig, request: StoryRequest, rng: Rng): Story {
  const { namePool, colorRule, balanced, bare = false } = request;
  if (namePool.length < config.maxNames) {
    throw new Error(
      `color: a story needs up to ${config.maxNames} names but the pool has ${namePool.length}`,
    );
  }
  if (balanced && config.minNames < 4) {
    throw new Error(`color: balanced stories need minNames >= 4 (two colors), got ${config.minNames}`);
  }
  if (bare && !balanced) throw new Error('color: bare statements exist for balanced stories only');
  const count = rng.int(config.minNames, config.maxNames);
  const names = rng.sample(namePool, count);
  const target = names[0] as string;
  const clue = names[1] as string;
  const asked = config.hops === 2 ? target : clue;
  const colorsFor = (k: number) => drawColors(config, colorRule, asked, k, rng);
  const { statements, answer } = balanced
    ? balancedStatements(config, names, colorsFor, rng, bare ? bareStatement : sentence)
    : authorsStatements(config, names, colorsFor, rng);
  return { statements, asked, answer };
}

type Built = { statements: string[]; answer: string };
type Statement = (name: string, attribute: string) => string;

const sentence: Statement = (name, attribute) => `${name} is ${attribute}.`;
const bareStatement: Statement = (name, attribute) => `${name} ${attribute}`;

function authorsStatements(
  config: ColorConfig,
  names: readonly string[],
  colorsFor: (k: number) => string[],
  rng: Rng,
): Built {
  const roles = rng.sample(config.roles, config.numRoles);
  const colors = colorsFor(config.numRoles);
  const [target, clue] = names as [string, string];
  const distractor: string[] = [];
  for (const name of names.slice(2)) {
    const r = rng.int(0, config.numRoles - 1);
    distractor.push(`${name} is ${roles[r]}.`);
    if (r !== 0) distractor.push(`${name} is ${colors[r]}.`);
  }
  const kept = rng.shuffle(distractor).slice(0, config.maxDistractorSentences);
  const key = [`${target} is ${roles[0]}.`, `${clue} is ${colors[0]}.`, `${clue} is ${roles[0]}.`];
  return { statements: rng.shuffle([...kept, ...key]), answer: colors[0] as string };
}

function balancedStatements(
  config: ColorConfig,
  names: readonly string[],
  colorsFor: (k: number) => string[],
  rng: Rng,
  statement: Statement,
): Built {
  const k = Math.min(config.numRoles, Math.floor(names.length / 2));
  const roles = rng.sample(config.roles, k);
  const colors = colorsFor(k);
  // members[r] lists the names holding role r; role 0 starts with target, clue.
  const members: string[][] = roles.map(() => []);
  names.forEach((name, i) => {
    const r = i < 2 ? 0 : i < 2 * k ? Math.floor(i / 2) : rng.int(0, k - 1);
    (members[r] as string[]).push(name);
  });
  const statements: string[] = [];
  members.forEach((group, r) => {
    for (const name of group) statements.push(statement(name, roles[r] as string));
    // Role 0's color is stated by the clue (names[1]); other roles by a random member.
    const stater = r === 0 ? (names[1] as string) : rng.pick(group);
    statements.push(statement(stater, colors[r] as string));
  });
  return { statements: rng.shuffle(statements), answer: colors[0] as string };
}
