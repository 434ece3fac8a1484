/**
 * The model's parameters, named and laid out exactly as Hugging Face's GPT2LMHeadModel stores them
 * (Conv1D weights are [in, out]), so a checkpoint is a plain dump of this map.
 */
import { SEED_MAX, stream } from '@memgen/common';
import * as tf from '@tensorflow/tfjs';
import { type GPTConfig, isRotary } from './config.js';

export type ParamMap = Map<string, tf.Variable>;

export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'residual' | 'zeros' | 'ones';
}

/** Every parameter of a config, in a stable order (embeddings, blocks, final norm); no position table when rotary. */
export function paramSpecs(c: GPTConfig): ParamSpec[] {
  const d = c.nEmbd;
  const specs: ParamSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, d], init: 'normal' },
    ...(isRotary(c) ? [] : [{ name: 'transformer.wpe.weight', shape: [c.nCtx, d], init: 'normal' as const }]),
  ];
  for (let i = 0; i < c.nLayer; i++) {
    const p = `transformer.h.${i}`;
    specs.push(
      { name: `${p}.ln_1.weight`, shape: [d], init: 'ones' },
      { name: `${p}.ln_1.bias`, shape: [d], init: 'zeros' },
      { name: `${p}.attn.c_attn.weight`, shape: [d, 3 * d], init: 'normal' },
      { name: `${p}.attn.c_attn.bias`, shape: [3 * d], init: 'zeros' },
      { name: `${p}.attn.c_proj.weight`, shape: [d, d], init: 'residual' },
      { name: `${p}.attn.c_proj.bias`, shape: [d], init: 'zeros' },
      { name: `${p}.ln_2.weight`, shape: [d], init: 'ones' },
      { name: `${p}.ln_2.bias`, shape: [d], init: 'zeros' },
      { name: `${p}.mlp.c_fc.weight`, shape: [d, c.nInner], init: 'normal' },
      { name: `${p}.mlp.c_fc.bias`, shape: [c.nInner], init: 'zeros' },
      { name: `${p}.mlp.c_proj.weight`, shape: [c.nInner, d], init: 'residual' },
      { name: `${p}.mlp.c_proj.bias`, shape: [d], init: 'zeros' },
    );
  }
  specs.push(
    { name: 'transformer.ln_f.weight', shape: [d], init: 'ones' },
    { name: 'transformer.ln_f.bias', shape: [d], init: 'zeros' },
  );
  return specs;
}

/** How many numbers the model learns (the tied unembedding counted once, with the token embedding). */
export function parameterCount(c: GPTConfig): number {
  return paramSpecs(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Matrices get weight decay; biases, norms and position tables usually do not (GPT-2 / nanoGPT practice). */
export function isDecayed(name: string): boolean {
  return (
    name.endsWith('.weight') && !name.includes('.ln_') && !name.includes('ln_f') && !name.includes('wpe')
  );
}

/** The purpose of the initialisation stream: `stream(seed, INIT_PURPOSE)`. */
export const INIT_PURPOSE = 'model/init';

/**
 * GPT-2 initialisation, drawn on the host from the stream (seed, 'model/init') so every backend
 * starts from the same bits: N(0, initStd) for matrices and embeddings, N(0, initStd/√(2·nLayer))
 * for the two residual projections, zeros for biases, ones for norm gains.
 * @returns host arrays by parameter name
 * @throws Error for a seed outside 0 … SEED_MAX, the range every seed of a run is held to
 */
export function initialWeights(c: GPTConfig, seed: number): Map<string, Float32Array> {
  if (!Number.isInteger(seed) || seed < 0 || seed > SEED_MAX)
    throw new RangeError(`GPT.init: seed must be an integer from 0 to ${SEED_MAX}, got ${seed}`);
  const rng = stream(seed, INIT_PURPOSE);
  const out = new Map<string, Float32Array>();
  for (const spec of paramSpecs(c)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.init === 'ones') data.fill(1);
    else if (spec.init !== 'zeros') {
      const std = spec.init === 'residual' ? c.initStd / Math.sqrt(2 * c.nLayer) : c.initStd;
      for (let i = 0; i < size; i += 2) {
        // Box–Muller: two independent normals per pair of uniforms.
        const u1 = 1 - rng.float();
        const u2 = rng.float();
        const r = Math.sqrt(-2 * Math.log(u1)) * std;
        data[i] = r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < size) data[i + 1] = r * Math.sin(2 * Math.PI * u2);
      }
    }
    out.set(spec.name, data);
  }
  return out;
}

/**
 * Wraps host weights as trainable variables, checking every name and shape against the config.
 * @throws Error naming a missing, unexpected or misshapen tensor.
 */
export function createParams(c: GPTConfig, weights: Map<string, Float32Array>): ParamMap {
  const specs = paramSpecs(c);
  const expected = new Set(specs.map((s) => s.name));
  for (const name of weights.keys()) {
    if (!expected.has(name)) throw new Error(`unexpected parameter '${name}' for this model config`);
  }
  const params: ParamMap = new Map();
  for (const spec of specs) {
    const data = weights.get(spec.name);
    if (!data) throw new Error(`missing parameter '${spec.name}'`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new Error(
        `parameter '${spec.name}' has ${data.length} values; shape [${spec.shape}] needs ${size}`,
      );
    }
    // A copy: backends may store the array given to tf.tensor as is, and the optimizer updates
    // parameters in place, which would otherwise rewrite the caller's weights.
    params.set(spec.name, newVariable(tf.tensor(data.slice(), spec.shape, 'float32'), true, spec.name));
  }
  return params;
}

let instances = 0;

/**
 * A variable that takes over `initial` (disposed here). tfjs requires globally unique variable names,
 * so each model instance gets a suffix; code addresses parameters by their map key, never by this name.
 */
export function newVariable(initial: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const v = tf.variable(initial, trainable, `${name}@${instances++}`);
  initial.dispose();
  return v;
}

/** Reads every parameter back to the host (copies). */
export function readWeights(params: ParamMap): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of params) out.set(name, Float32Array.from(v.dataSync() as Float32Array));
  return out;
}

export function disposeParams(params: ParamMap): void {
  for (const v of params.values()) v.dispose();
}
