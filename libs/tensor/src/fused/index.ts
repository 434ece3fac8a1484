/** Fused operations the model calls; each has a composite tfjs path and, on the native engine, one kernel. */

export {
  type AdamWEntry,
  type AdamWHyper,
  type AdamWStepHyper,
  adamwStep,
  adamwUpdate,
  sumOfSquares,
} from './adamw.js';
export { attend, attentionBias, causalSelfAttention, splitHeads } from './attention.js';
export { softmaxCrossEntropy } from './cross-entropy.js';
export { gelu } from './gelu.js';
export { layerNorm } from './layer-norm.js';
export { columnSum, linear } from './linear.js';
