/** Where a run's weights start: GPT-2 initialisation from the seed, or a saved checkpoint. */
import { GPT, type GPTConfig, loadCheckpoint } from '@memgen/model';
import type { Tokenizer } from '@memgen/tasks';

/**
 * The starting model. A checkpoint must have exactly this run's model config (shape, vocabulary,
 * context) and, when it carries one, the same tokenizer vocabulary.
 * @param from checkpoint directory (`memgen train` writes them), or undefined for a fresh model
 * @throws Error naming the checkpoint and every field that differs
 */
export async function initialModel(
  config: GPTConfig,
  seed: number,
  tok: Tokenizer,
  from: string | undefined,
): Promise<GPT> {
  if (from === undefined) return GPT.init(config, seed);
  const loaded = await loadCheckpoint(from);
  const theirs = loaded.model.config as unknown as Record<string, unknown>;
  const ours = config as unknown as Record<string, unknown>;
  const differ = Object.keys(ours).filter((k) => ours[k] !== theirs[k]);
  const vocab = (loaded.tokenizer as { vocab?: unknown } | undefined)?.vocab;
  if (vocab !== undefined && JSON.stringify(vocab) !== JSON.stringify(tok.vocab))
    differ.push('tokenizer vocab');
  if (differ.length > 0) {
    loaded.model.dispose();
    const show = (k: string) =>
      k === 'tokenizer vocab' ? k : `${k} ${JSON.stringify(theirs[k])} (run: ${JSON.stringify(ours[k])})`;
    throw new Error(
      `model.init ${from}: the checkpoint does not fit this run: ${differ.map(show).join(', ')}`,
    );
  }
  return loaded.model;
}
