/**
 * The color task's fixed word lists. The memorized names, their colors and the roles are the
 * authors' (reference-data/color/config.json; the roles there list `zebra` and `rabbit` twice,
 * which corrupts stories when both copies are drawn — here each role appears once).
 */

/** The 16 memorized names and each one's memorized color (authors' `name_color_map`). */
export const AUTHORS_MEMORIZED: Readonly<Record<string, string>> = Object.freeze({
  Alice: 'gray',
  Bob: 'white',
  Charlie: 'blue',
  Diana: 'green',
  Eve: 'yellow',
  Frank: 'black',
  Grace: 'red',
  Henry: 'pink',
  Ivy: 'orange',
  Jack: 'purple',
  Kate: 'brown',
  Lily: 'cyan',
  Mike: 'magenta',
  Nancy: 'lime',
  Oscar: 'olive',
  Peter: 'teal',
});

/** The authors' 16 colors, in their order. */
export const AUTHORS_COLORS: readonly string[] = Object.freeze([
  'gray',
  'white',
  'blue',
  'green',
  'yellow',
  'black',
  'red',
  'pink',
  'orange',
  'purple',
  'brown',
  'cyan',
  'magenta',
  'lime',
  'olive',
  'teal',
]);

/** The authors' roles, in their order, each once (37 distinct of their 39 entries). */
export const AUTHORS_ROLES: readonly string[] = Object.freeze(
  (
    'rhino swan penguin panda tiger lion elephant giraffe zebra hippo kangaroo koala monkey squirrel ' +
    'rabbit fox wolf bear deer horse donkey cow pig sheep goat dog cat mouse parrot eagle gorilla ' +
    'dragon dolphin whale shark octopus squid'
  ).split(' '),
);

/**
 * Never-memorized names for rule-only stories (memgen's addition; the authors had none). The
 * config's `extraNames` takes the first N; the quick presets use 32.
 */
export const EXTRA_NAME_POOL: readonly string[] = Object.freeze(
  (
    'Aaron Abby Adam Amber Amy Andrew Anna Ben Beth Brian Carl Chloe Cindy Dan David Ella Emma Ethan ' +
    'Fiona Fred Gary George Hannah Harry Helen Ian Irene James Jane Julia Kevin Laura Leo Lucy Mark ' +
    'Mary Nick Nina Olivia Paul Quinn Rachel Ryan Sam Sarah Tom Uma Victor Wendy Zoe'
  ).split(' '),
);

/** Words of the story template (besides names, colors and roles). */
export const TEMPLATE_WORDS: readonly string[] = Object.freeze(['is', 'what', 'color']);
/** Punctuation tokens of the story template. */
export const TEMPLATE_PUNCTUATION: readonly string[] = Object.freeze(['.', '?']);

/**
 * A tiny color grammar for fast integration tests: 4 names (all memorized), 3 colors, 2 roles, short
 * stories. A nano model learns something on it in tens of steps, so pipelines yield real numbers.
 */
export const TINY_COLOR_CONFIG = {
  hops: 1,
  minNames: 4,
  maxNames: 4,
  numRoles: 2,
  maxDistractorSentences: 2,
  extraNames: 4,
  colors: ['red', 'blue', 'green'],
  roles: ['cat', 'dog'],
  memorized: { Alice: 'red', Bob: 'blue', Charlie: 'green', Diana: 'red' },
} as const;
