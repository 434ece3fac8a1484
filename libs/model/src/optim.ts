/**
 * Training primitives: AdamW with decoupled weight decay (tfjs only ships plain Adam), warm-up +
 * cosine learning-rate schedule, and global-norm gradient clipping.
 */
import { adamwStep, sumOfSquares } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { isDecayed, newVariable, type ParamMap } from './params.js';

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Which parameters get weight decay (default: matrices only, see isDecayed). */
  decay?: (name: string) => boolean;
}

export const ADAMW_DEFAULTS: AdamWConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.1 };

export class AdamW {
  /** Steps taken so far. */
  step = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ParamMap,
    public config: AdamWConfig,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, newVariable(tf.zerosLike(p), false, `${name}.adam_m`));
      this.v.set(name, newVariable(tf.zerosLike(p), false, `${name}.adam_v`));
    }
  }

  /**
   * Applies one update with learning rate `lr` (from the schedule) and the given gradients, each
   * multiplied by `gradScale` first (the global-norm clip factor; 1 = unclipped).
   */
  apply(grads: Map<string, tf.Tensor>, lr: number, gradScale = 1): void {
    this.step += 1;
    const decay = this.config.decay ?? isDecayed;
    const entries = [...this.params].map(([name, param]) => {
      const grad = grads.get(name);
      if (!grad) throw new Error(`no gradient for parameter '${name}'`);
      const m = this.m.get(name) as tf.Variable;
      const v = this.v.get(name) as tf.Variable;
      return { param, grad, m, v, weightDecay: decay(name) ? this.config.weightDecay : 0 };
    });
    const { beta1, beta2, eps } = this.config;
    adamwStep(entries, { lr, beta1, beta2, eps, step: this.step, gradScale });
  }

  /** Zeroes the moments and the step count (a new training phase may ask for it). */
  reset(): void {
    this.step = 0;
    for (const t of [...this.m.values(), ...this.v.values()]) tf.tidy(() => t.assign(tf.zerosLike(t)));
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

export interface ScheduleConfig {
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up from 0 over this many steps. */
  warmupSteps: number;
  /** Total steps; cosine decay from the peak to minLr over the steps after warm-up. */
  totalSteps: number;
  /** Floor of the cosine (default 0.1 × lr). 'constant' schedules set it equal to lr. */
  minLr?: number;
}

/** Learning rate at 0-based step `step`. */
export function learningRate(step: number, s: ScheduleConfig): number {
  const minLr = s.minLr ?? 0.1 * s.lr;
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / decaySteps);
  return minLr + 0.5 * (s.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}

/** The global L2 norm of the gradients. */
export function globalNorm(grads: Iterable<tf.Tensor>): number {
  return Math.sqrt(sumOfSquares([...grads]));
}

/**
 * The factor that brings a gradient of global norm `norm` to at most `maxNorm`, as
 * torch.nn.utils.clip_grad_norm_ computes it (maxNorm / (norm + 1e-6)); 1 when no clip is needed
 * or the norm is not finite (the step is then skipped).
 */
export function clipScale(norm: number, maxNorm: number): number {
  return Number.isFinite(norm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

/**
 * Scales the gradients so their global L2 norm is at most maxNorm (as torch.nn.utils.clip_grad_norm_).
 * @returns the norm before clipping, and the (possibly) scaled gradients — new tensors, the inputs are disposed
 */
export function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { norm: number; grads: Map<string, tf.Tensor> } {
  const norm = globalNorm(grads.values());
  const scale = clipScale(norm, maxNorm);
  if (scale === 1) return { norm, grads };
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(name, tf.mul(g, scale));
    g.dispose();
  }
  return { norm, grads: out };
}
