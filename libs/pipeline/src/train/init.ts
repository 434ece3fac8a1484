/** Where a run's weights start: GPT-2 initialisation from the seed, or a saved checkpoint. */
import { resolveInside, SpecError } from '@memgen/common';
import { GPT, type GPTConfig, loadCheckpoint } from '@memgen/model';
import type { Tokenizer } from '@memgen/tasks';
import type { StageContext } from '../stage.js';

/**
 * The checkpoint directory `model.init` names, as this context may read it. Locally it is the
 * user's own path, as given. In a confined context (a distributed worker) the worker's files are not
 * the spec author's to read: only a relative path inside the run directory, where the job's inputs
 * from the artefact store are materialised, is accepted, resolved against that directory.
 * @throws SpecError naming the path and the rule
 */
export function modelInitPath(init: string | undefined, ctx: StageContext): string | undefined {
  if (init === undefined || !ctx.confined) return init;
  const inside = resolveInside(ctx.runDir, init);
  if (inside === undefined) {
    throw new SpecError(
      `model.init ${JSON.stringify(init)}: on a distributed worker model.init must be a relative path ` +
        "inside the job's run directory (a checkpoint among the job's inputs from the artefact store)",
    );
  }
  return inside;
}

async function readCheckpoint(from: string) {
  try {
    return await loadCheckpoint(from);
  } catch (err) {
    throw new SpecError(`model.init ${from}: not a readable checkpoint (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/**
 * The starting model. A checkpoint must have exactly this run's model config (shape, vocabulary,
 * context) and, when it carries one, the same tokenizer vocabulary.
 * @param from checkpoint directory (`memgen train` writes them; see modelInitPath), or undefined for
 *   a fresh model
 * @throws SpecError naming the checkpoint when it cannot be read, or every field that differs
 */
export async function initialModel(
  config: GPTConfig,
  seed: number,
  tok: Tokenizer,
  from: string | undefined,
): Promise<GPT> {
  if (from === undefined) return GPT.init(config, seed);
  const loaded = await readCheckpoint(from);
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
    throw new SpecError(
      `model.init ${from}: the checkpoint does not fit this run: ${differ.map(show).join(', ')}`,
    );
  }
  return loaded.model;
}
