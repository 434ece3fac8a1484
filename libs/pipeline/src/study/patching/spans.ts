/**
 * Token spans of a flipped pair's members for patching at positions other than the last. A color
 * pair's members state the same statements in two orders, so a statement sits at different token
 * positions in each; a span kind names which statements (and so which positions of each member)
 * are exchanged:
 * - 'asked': the asked name's statements (where the rule's answer is stated, in 1-hop stories);
 * - 'others': every other statement;
 * - 'story': every prompt position, the question included (patched in full at the embedding or a
 *   residual stream, a member then computes its partner's forward pass exactly).
 */
import { parseColorPrompt, type Tokenizer } from '@memgen/tasks';
import type { PairLine } from '../pairs/pairs-file.js';

export const SPAN_KINDS = ['asked', 'others', 'story'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

interface StatementSpan {
  text: string;
  name: string;
  /** Token positions [start, end) in the member's prompt. */
  start: number;
  end: number;
}

/**
 * Where each statement of a member's prompt lies in its tokens: statement i is encoded as its text
 * (after the separating space, from the second on), and the spans plus the question must tile the
 * prompt's tokens exactly.
 * @throws Error naming the member when its tokens are not its statements in order
 */
function statementSpans(
  m: { prompt: string; tokens: readonly number[] },
  tokenizer: Tokenizer,
  where: string,
): { asked: string; spans: StatementSpan[] } {
  const story = parseColorPrompt(m.prompt);
  const spans: StatementSpan[] = [];
  let at = 0;
  story.statements.forEach((s, i) => {
    const ids = tokenizer.encode(i === 0 ? s.text : ` ${s.text}`);
    const got = m.tokens.slice(at, at + ids.length);
    if (got.length !== ids.length || got.some((t, j) => t !== ids[j]))
      throw new Error(
        `${where}: statement ${i + 1} (${JSON.stringify(s.text)}) is not at token ${at} of its prompt`,
      );
    spans.push({ text: s.text, name: s.name, start: at, end: at + ids.length });
    at += ids.length;
  });
  const question = tokenizer.encode(` what color is ${story.asked}?`);
  if (at + question.length !== m.tokens.length)
    throw new Error(
      `${where}: its statements and question are ${at + question.length} tokens, the prompt ${m.tokens.length}`,
    );
  return { asked: story.asked, spans };
}

/**
 * The positions a span kind exchanges between a pair's members: [mem position, gen position] pairs
 * in prompt coordinates (before padding), statement by statement in the mem member's order.
 * @throws Error when the members are not the same statements reordered
 */
export function spanPositions(pair: PairLine, kind: SpanKind, tokenizer: Tokenizer): [number, number][] {
  const where = `pairs.jsonl pair ${pair.pair}`;
  if (pair.mem.tokens.length !== pair.gen.tokens.length)
    throw new Error(
      `${where}: its members have ${pair.mem.tokens.length} and ${pair.gen.tokens.length} tokens`,
    );
  if (kind === 'story') return pair.mem.tokens.map((_, t) => [t, t]);
  const mem = statementSpans(pair.mem, tokenizer, `${where} (mem member)`);
  const gen = statementSpans(pair.gen, tokenizer, `${where} (gen member)`);
  const unused = [...gen.spans];
  const out: [number, number][] = [];
  for (const s of mem.spans) {
    const k = unused.findIndex((g) => g.text === s.text);
    if (k < 0) throw new Error(`${where}: the gen member does not state ${JSON.stringify(s.text)}`);
    const [g] = unused.splice(k, 1);
    if ((s.name === mem.asked) !== (kind === 'asked')) continue;
    for (let j = 0; j < s.end - s.start; j++) out.push([s.start + j, g!.start + j]);
  }
  if (unused.length > 0)
    throw new Error(`${where}: the gen member states ${JSON.stringify(unused[0]!.text)} more`);
  return out;
}

/**
 * The token positions of one color prompt's statements of a span kind ('asked' or 'others'), in
 * prompt order: the keys an attention edit chooses from a row's own tokens.
 * @throws Error quoting the prompt when its tokens are not its statements and question
 */
export function promptSpan(
  tokens: readonly number[],
  kind: Exclude<SpanKind, 'story'>,
  tokenizer: Tokenizer,
): number[] {
  const prompt = tokenizer.decode(tokens);
  const { asked, spans } = statementSpans({ prompt, tokens }, tokenizer, `prompt ${JSON.stringify(prompt)}`);
  return spans
    .filter((s) => (s.name === asked) === (kind === 'asked'))
    .flatMap((s) => Array.from({ length: s.end - s.start }, (_, j) => s.start + j));
}
