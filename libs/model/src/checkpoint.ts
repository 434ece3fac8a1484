/**
 * Checkpoint directories a Python user can open with standard tools:
 *   config.json         Hugging Face GPT-2 keys (GPT2LMHeadModel.from_pretrained loads it) + a "memgen" block
 *   model.safetensors   tensors named and laid out as Hugging Face GPT-2 (transformer.h.{i}.attn.c_attn.weight [d, 3d], …)
 *   tokenizer.json      the task tokenizer, when given
 *   train_config.json   the resolved training configuration and its hash, when given
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { configHash, parseWith, readJson, writeJson } from '@memgen/common';
import { HostTensor, readSafetensors, writeSafetensors } from '@memgen/tensor';
import { z } from 'zod';
import { type GPTConfig, gptConfigSchema, isRotary } from './config.js';
import { GPT } from './gpt.js';
import { createParams, paramSpecs, readWeights } from './params.js';
import { ROTARY_BASE } from './rotary.js';

export interface CheckpointExtras {
  /** Serialised tokenizer (its toJSON()). */
  tokenizer?: unknown;
  /** Resolved training configuration; stored with its hash. */
  trainConfig?: unknown;
  /** Free-form string metadata stored in the safetensors header (e.g. the selected step). */
  metadata?: Record<string, string>;
  /** Token ids Hugging Face should know about. */
  specialTokens?: { pad?: number; eos?: number; bos?: number };
}

export interface LoadedCheckpoint {
  model: GPT;
  metadata: Record<string, string>;
  tokenizer?: unknown;
  trainConfig?: unknown;
}

/** Hugging Face GPT-2 config keys for a memgen config. */
export function hfConfig(
  c: GPTConfig,
  special: CheckpointExtras['specialTokens'] = {},
): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.nCtx,
    n_ctx: c.nCtx,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: c.nInner,
    activation_function: 'gelu_new',
    layer_norm_epsilon: c.layerNormEpsilon,
    initializer_range: c.initStd,
    // memgen trains without dropout; zero keeps a Python re-run in train() mode faithful too.
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    tie_word_embeddings: true,
    // GPT2LMHeadModel has no rotary positions: these keys say so, and docs/model.md shows the rotation.
    ...(isRotary(c)
      ? { position_embedding_type: 'rotary', rotary_dim: c.nEmbd / c.nHead, rope_theta: ROTARY_BASE }
      : {}),
    ...(special.bos !== undefined ? { bos_token_id: special.bos } : {}),
    ...(special.eos !== undefined ? { eos_token_id: special.eos } : {}),
    ...(special.pad !== undefined ? { pad_token_id: special.pad } : {}),
    memgen: { config: c, config_hash: configHash(c) },
  };
}

/** Writes the checkpoint into a sibling temp directory, then swaps it in, so a crash never leaves half a checkpoint. */
export async function saveCheckpoint(dir: string, model: GPT, extras: CheckpointExtras = {}): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const tensors: Record<string, HostTensor> = {};
  for (const [name, data] of readWeights(model.params)) {
    tensors[name] = new HostTensor('float32', model.params.get(name)?.shape ?? [], data);
  }
  await writeSafetensors(join(tmp, 'model.safetensors'), tensors, {
    format: 'pt',
    memgen_config_hash: configHash(model.config),
    ...(extras.metadata ?? {}),
  });
  await writeJson(join(tmp, 'config.json'), hfConfig(model.config, extras.specialTokens));
  if (extras.tokenizer !== undefined) await writeJson(join(tmp, 'tokenizer.json'), extras.tokenizer);
  if (extras.trainConfig !== undefined) {
    const body = { config: extras.trainConfig, config_hash: configHash(extras.trainConfig) };
    await writeJson(join(tmp, 'train_config.json'), body);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** The part of config.json memgen reads back; the Hugging Face keys beside it are for Python. */
const storedConfigSchema = z.object({ memgen: z.object({ config: gptConfigSchema }) });

/**
 * Loads a checkpoint written by saveCheckpoint.
 * @throws Error naming the file and the problem: missing file, malformed JSON, corrupt safetensors,
 *   a tensor missing, unexpected or misshapen for the config, or holding a NaN or infinity (a
 *   diverged or damaged model would otherwise give every stage after it meaningless numbers).
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const cfgPath = join(dir, 'config.json');
  const { config } = parseWith(storedConfigSchema, await readJson(cfgPath), `checkpoint ${cfgPath}`).memgen;
  const path = join(dir, 'model.safetensors');
  let contents: Awaited<ReturnType<typeof readSafetensors>>;
  try {
    contents = await readSafetensors(path);
  } catch (err) {
    throw new Error(`checkpoint ${path}: ${(err as Error).message}`);
  }
  const shapes = new Map(paramSpecs(config).map((s) => [s.name, s.shape]));
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(contents.tensors)) {
    if (t.dtype !== 'float32')
      throw new Error(`checkpoint ${path}: tensor '${name}' is ${t.dtype}, expected float32`);
    const want = shapes.get(name);
    if (want && want.join(',') !== t.shape.join(',')) {
      throw new Error(
        `checkpoint ${path}: tensor '${name}' has shape [${t.shape}], the config needs [${want}]`,
      );
    }
    const data = t.data as Float32Array;
    const at = data.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) {
      throw new Error(
        `checkpoint ${path}: tensor '${name}' holds ${data[at]} at index ${at}; a model's weights must be finite`,
      );
    }
    weights.set(name, data);
  }
  let model: GPT;
  try {
    model = new GPT(config, createParams(config, weights));
  } catch (err) {
    throw new Error(`checkpoint ${path}: ${(err as Error).message}`);
  }
  const out: LoadedCheckpoint = { model, metadata: contents.metadata };
  // Optional files: absent is fine, present but malformed is an error.
  if (existsSync(join(dir, 'tokenizer.json'))) out.tokenizer = await readJson(join(dir, 'tokenizer.json'));
  if (existsSync(join(dir, 'train_config.json'))) {
    out.trainConfig = (await readJson<{ config?: unknown }>(join(dir, 'train_config.json'))).config;
  }
  return out;
}
