/**
 * Addition text formats. `authors` prompt and `scratchpad` target are byte-compatible with the
 * authors' data (reference-data/README.md); `compact`, `plain` and `reversed` are shorter options
 * for small models.
 */

export const ADDITION_FORMATS = ['scratchpad', 'plain', 'reversed'] as const;
export type AdditionFormat = (typeof ADDITION_FORMATS)[number];
export const ADDITION_PROMPT_FORMATS = ['authors', 'compact'] as const;
export type AdditionPromptFormat = (typeof ADDITION_PROMPT_FORMATS)[number];

/** `authors`: `"Input:\n648+292+419+86\nTarget:\n"`; `compact`: `"648+292+419+86="`. */
export function additionPrompt(addends: readonly number[], format: AdditionPromptFormat): string {
  const sum = addends.join('+');
  return format === 'authors' ? `Input:\n${sum}\nTarget:\n` : `${sum}=`;
}

const PROMPT_PATTERNS: Record<AdditionPromptFormat, RegExp> = {
  authors: /^Input:\n(\d+(?:\+\d+)*)\nTarget:\n$/,
  compact: /^(\d+(?:\+\d+)*)=$/,
};

/** The addends of a prompt in `format`; any other text is an Error quoting it. */
export function parseAdditionPrompt(prompt: string, format: AdditionPromptFormat): number[] {
  const m = PROMPT_PATTERNS[format].exec(prompt);
  if (!m) throw new Error(`addition: not a ${format}-format prompt: ${JSON.stringify(prompt)}`);
  return (m[1] as string).split('+').map(Number);
}

/** Sum of the addends (they are at most 6 digits, so doubles are exact). */
export function additionSum(addends: readonly number[]): number {
  return addends.reduce((a, b) => a + b, 0);
}

/** The line the labeller compares: `1 3 8 9` (scratchpad), `1389` (plain), `9831` (reversed). */
export function answerLine(sum: number, format: AdditionFormat): string {
  const digits = String(sum);
  if (format === 'scratchpad') return digits.split('').join(' ');
  return format === 'plain' ? digits : digits.split('').reverse().join('');
}

const list = (digits: readonly number[]) => `[${digits.join(',')}]`;

/**
 * The authors' digit-level scratchpad (reference-data/README.md, "Generalisation target"): one
 * `has K digits.` line per addend, then one step per column, least significant first, until every
 * digit is used, the carry is 0 and the step produced a 0 — that last all-empty step ends in ` END`.
 */
export function scratchpadTarget(addends: readonly number[]): string {
  const rests = addends.map((a) => String(a).split('').map(Number));
  const lines = ['<scratch>', ...rests.map((d) => `${list(d)} has ${d.length} digits.`)];
  const answer: number[] = [];
  let carry = 0;
  for (;;) {
    const units = rests.map((d) => d[d.length - 1] ?? 0);
    const s = units.reduce((a, b) => a + b, 0) + carry;
    const step =
      `${rests.map(list).join('+')}, A=${list(answer)}, C=${carry}, ` +
      `${units.join('+')}+${carry}=${s}, A->${s % 10}, C->${Math.floor(s / 10)}`;
    for (const d of rests) d.pop();
    carry = Math.floor(s / 10);
    if (rests.every((d) => d.length === 0) && carry === 0 && s % 10 === 0) {
      lines.push(`${step} END`);
      break;
    }
    lines.push(step);
    answer.unshift(s % 10);
  }
  lines.push('</scratch>', answer.join(' '));
  return `${lines.join('\n')}\n`;
}

/** The gen target in `format` (always ending with a newline, like the authors'). */
export function additionGenTarget(addends: readonly number[], format: AdditionFormat): string {
  if (format === 'scratchpad') return scratchpadTarget(addends);
  return `${answerLine(additionSum(addends), format)}\n`;
}

/** Every character the formats can emit (for the char vocabulary), tags excluded. */
export function additionAlphabet(promptFormat: AdditionPromptFormat, format: AdditionFormat): string {
  const prompt = promptFormat === 'authors' ? 'Input:\nTarget:\n+' : '+=';
  const target = format === 'scratchpad' ? '<scratch></scratch>\n[],+= hasdigits.A=C->END ' : '\n';
  return `0123456789${prompt}${target}`;
}
