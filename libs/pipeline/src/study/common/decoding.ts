/**
 * Batched, deterministic decoding of prompts for labelling. Rows are grouped by their token budget
 * so that every prompt is decoded exactly as it would be with its own budget (beam search included):
 * the same prompt always gets the same output, whatever else is in its batch.
 */
import { decode, type GPT } from '@memgen/model';
import type { Tokenizer } from '@memgen/tasks';

export interface DecodeSettings {
  beamWidth: number;
  /** 'auto' = per prompt, its longest expected target + 2 tokens. */
  maxNewTokens: 'auto' | number;
  /** Prompts per forward batch. */
  batchSize: number;
}

/** One prompt to decode: its token ids and the targets whose length sets the 'auto' budget. */
export interface DecodeRequest {
  tokens: number[];
  targets: readonly string[];
}

export interface Decoded {
  /** Generated ids per prompt (the stop token included when reached). */
  tokens: number[][];
  /** The continuation text per prompt (specials dropped). */
  texts: string[];
}

/**
 * The number of new tokens prompt `r` gets: the configured budget ('auto': longest target + EOS + 1
 * spare), capped by the context left after the prompt.
 * @throws Error when the prompt leaves no room for a single new token.
 */
export function tokenBudget(model: GPT, tokenizer: Tokenizer, req: DecodeRequest, setting: 'auto' | number) {
  const room = model.config.nCtx - req.tokens.length;
  if (room < 1) {
    throw new Error(
      `a prompt of ${req.tokens.length} tokens fills the model's context (${model.config.nCtx})`,
    );
  }
  const wanted =
    setting === 'auto' ? Math.max(1, ...req.targets.map((t) => tokenizer.encode(t).length)) + 2 : setting;
  return Math.min(wanted, room);
}

/**
 * Decodes every request (greedy or beam, KV cache) in batches of rows that share a budget.
 * Any hooks or interventions attached to the model apply to every forward pass made here.
 */
export function decodeRequests(
  model: GPT,
  tokenizer: Tokenizer,
  requests: readonly DecodeRequest[],
  settings: DecodeSettings,
): Decoded {
  const budgets = requests.map((r) => tokenBudget(model, tokenizer, r, settings.maxNewTokens));
  const groups = new Map<number, number[]>();
  budgets.forEach((b, i) => {
    const list = groups.get(b) ?? [];
    list.push(i);
    groups.set(b, list);
  });
  const tokens: number[][] = new Array(requests.length);
  for (const [budget, rows] of [...groups].sort((a, b) => a[0] - b[0])) {
    for (let from = 0; from < rows.length; from += settings.batchSize) {
      const batch = rows.slice(from, from + settings.batchSize);
      const out = decode(
        model,
        batch.map((i) => requests[i]!.tokens),
        {
          maxNewTokens: budget,
          stopTokens: [tokenizer.eosId],
          padId: tokenizer.padId,
          beamWidth: settings.beamWidth,
        },
      );
      batch.forEach((i, k) => {
        tokens[i] = out.tokens[k]!;
      });
    }
  }
  return { tokens, texts: tokens.map((t) => tokenizer.decode(t, { continuation: true })) };
}
