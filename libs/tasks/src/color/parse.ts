/**
 * Reading a color prompt back: its statements, the asked name, and the answer the rule gives.
 * Used for pair variants, the shortcut heuristics, and for checking stories (ours and the
 * authors') against the rule.
 */

export interface ParsedStory {
  /** Statements in prompt order, each `{ name, value, text }` for `"<name> is <value>."`. */
  readonly statements: readonly { readonly name: string; readonly value: string; readonly text: string }[];
  readonly asked: string;
}

const QUESTION = / what color is ([A-Za-z]+)\?$/;
const STATEMENT = /^([A-Za-z]+) is ([A-Za-z]+)\.$/;

/** Splits a prompt of the authors' format; anything else is an Error quoting the bad part. */
export function parseColorPrompt(prompt: string): ParsedStory {
  const q = QUESTION.exec(prompt);
  if (!q)
    throw new Error(`color: prompt does not end with " what color is <Name>?": ${JSON.stringify(prompt)}`);
  const body = prompt.slice(0, q.index);
  const parts = body.length === 0 ? [] : body.split(/(?<=\.) /);
  const statements = parts.map((text) => {
    const m = STATEMENT.exec(text);
    if (!m) throw new Error(`color: not a "<Name> is <word>." statement: ${JSON.stringify(text)}`);
    return { name: m[1] as string, value: m[2] as string, text };
  });
  return { statements, asked: q[1] as string };
}

/** How often each color is stated in the story (colors not stated are absent). */
export function colorCounts(story: ParsedStory, colors: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of story.statements)
    if (colors.has(s.value)) counts.set(s.value, (counts.get(s.value) ?? 0) + 1);
  return counts;
}

/**
 * The rule's answer: the asked name's stated color (1 hop), else the stated color of the names
 * sharing a role with it (2 hops). Null when the story gives none or more than one color.
 */
export function solveColorStory(story: ParsedStory, colors: ReadonlySet<string>): string | null {
  const colorsOf = (name: string) =>
    new Set(story.statements.filter((s) => s.name === name && colors.has(s.value)).map((s) => s.value));
  const direct = colorsOf(story.asked);
  if (direct.size > 0) return direct.size === 1 ? ([...direct][0] as string) : null;
  const roles = new Set(
    story.statements.filter((s) => s.name === story.asked && !colors.has(s.value)).map((s) => s.value),
  );
  const found = new Set<string>();
  for (const s of story.statements) {
    if (s.name !== story.asked && roles.has(s.value)) for (const c of colorsOf(s.name)) found.add(c);
  }
  return found.size === 1 ? ([...found][0] as string) : null;
}
