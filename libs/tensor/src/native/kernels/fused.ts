/**
 * Fused training kernels, registered for the 'native' backend only. libs/tensor/src/fused uses
 * them (with their gradients) when the active backend has them, else its composite tfjs path.
 *
 * MemgenGelu                    x → y                          (tanh approximation)
 * MemgenGeluGrad                dy, x → dx
 * MemgenLayerNorm               x, gamma, beta; {epsilon} → y, mean, rstd   (last axis)
 * MemgenLayerNormGrad           dy, x, mean, rstd, gamma → dx, dgamma, dbeta
 * MemgenSoftmaxCrossEntropy     logits [..., V], labels int32 [...] → loss [...], probs [..., V]
 * MemgenSoftmaxCrossEntropyGrad probs, labels, dloss ([...] or scalar) → dlogits
 * MemgenAdamW                   param, m, v, grad; {lr, beta1, beta2, epsilon, weightDecay, step} → param', m', v'
 * MemgenAttention               qkv [B·T, 3D], keyMask [B, T]; {heads} → z [B·T, D], probs [B, H, T, T]
 * MemgenAttentionGrad           dz, probs, qkv; {heads} → dqkv           (causal self-attention, no cache)
 * MemgenLinear                  x [N, in], weight [in, out], bias [out] → y [N, out]
 * MemgenLinearGrad              dy, x, weight → dx, dweight, dbias
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../backend.js';
import { input, type NativeKernelArgs, type NativeKernelSpec } from './common.js';

export const FUSED_KERNELS = {
  gelu: 'MemgenGelu',
  geluGrad: 'MemgenGeluGrad',
  layerNorm: 'MemgenLayerNorm',
  layerNormGrad: 'MemgenLayerNormGrad',
  softmaxCrossEntropy: 'MemgenSoftmaxCrossEntropy',
  softmaxCrossEntropyGrad: 'MemgenSoftmaxCrossEntropyGrad',
  adamw: 'MemgenAdamW',
  attention: 'MemgenAttention',
  attentionGrad: 'MemgenAttentionGrad',
  linear: 'MemgenLinear',
  linearGrad: 'MemgenLinearGrad',
} as const;

/** Float32 values of a named input; a clear Error otherwise (fused kernels have no JS twin). */
export type F32Input = ReturnType<typeof f32>;

export function f32(
  backend: NativeBackend,
  inputs: NativeKernelArgs['inputs'],
  name: string,
  kernel: string,
) {
  const info = input(inputs, name);
  const values = backend.f32(info.dataId);
  if (!values) throw new Error(`${kernel}: input '${name}' must be float32, got ${info.dtype}`);
  return { info, values };
}

/** The float32 inputs `names` of one kernel call, in that order. */
export function f32Inputs<const N extends readonly string[]>(
  backend: NativeBackend,
  inputs: NativeKernelArgs['inputs'],
  kernel: string,
  names: N,
): { [K in keyof N]: F32Input } {
  return names.map((n) => f32(backend, inputs, n, kernel)) as { [K in keyof N]: F32Input };
}

function labels(backend: NativeBackend, inputs: NativeKernelArgs['inputs'], kernel: string) {
  const info = input(inputs, 'labels');
  const values = backend.words(info.dataId);
  if (!(values instanceof Int32Array)) throw new Error(`${kernel}: labels must be int32, got ${info.dtype}`);
  return { info, values };
}

function gelu({ inputs, backend }: NativeKernelArgs): TensorInfo {
  const x = f32(backend, inputs, 'x', FUSED_KERNELS.gelu);
  const out = backend.allocF32(x.values.length);
  backend.addon.gelu(out, x.values);
  return backend.makeTensorInfo(x.info.shape, 'float32', out);
}

function geluGrad({ inputs, backend }: NativeKernelArgs): TensorInfo {
  const dy = f32(backend, inputs, 'dy', FUSED_KERNELS.geluGrad);
  const x = f32(backend, inputs, 'x', FUSED_KERNELS.geluGrad);
  const dx = backend.allocF32(x.values.length);
  backend.addon.geluGrad(dx, dy.values, x.values);
  return backend.makeTensorInfo(x.info.shape, 'float32', dx);
}

function layerNorm({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const name = FUSED_KERNELS.layerNorm;
  const [x, gamma, beta] = f32Inputs(backend, inputs, name, ['x', 'gamma', 'beta']);
  const rowsShape = x.info.shape.slice(0, -1);
  const rows = x.values.length / Math.max(1, gamma.values.length);
  const y = backend.allocF32(x.values.length);
  const mean = backend.allocF32(rows);
  const rstd = backend.allocF32(rows);
  backend.addon.layerNorm(
    y,
    mean,
    rstd,
    x.values,
    gamma.values,
    beta.values,
    Number(attrs['epsilon'] ?? 1e-5),
  );
  return [
    backend.makeTensorInfo(x.info.shape, 'float32', y),
    backend.makeTensorInfo(rowsShape, 'float32', mean),
    backend.makeTensorInfo(rowsShape, 'float32', rstd),
  ];
}

function layerNormGrad({ inputs, backend }: NativeKernelArgs): TensorInfo[] {
  const name = FUSED_KERNELS.layerNormGrad;
  const [dy, x, mean, rstd, gamma] = f32Inputs(backend, inputs, name, ['dy', 'x', 'mean', 'rstd', 'gamma']);
  const dx = backend.allocF32(x.values.length);
  const dgamma = backend.allocF32(gamma.values.length);
  const dbeta = backend.allocF32(gamma.values.length);
  backend.addon.layerNormGrad(dx, dgamma, dbeta, dy.values, x.values, mean.values, rstd.values, gamma.values);
  return [
    backend.makeTensorInfo(x.info.shape, 'float32', dx),
    backend.makeTensorInfo(gamma.info.shape, 'float32', dgamma),
    backend.makeTensorInfo(gamma.info.shape, 'float32', dbeta),
  ];
}

function softmaxCrossEntropy({ inputs, backend }: NativeKernelArgs): TensorInfo[] {
  const name = FUSED_KERNELS.softmaxCrossEntropy;
  const logits = f32(backend, inputs, 'logits', name);
  const target = labels(backend, inputs, name);
  const loss = backend.allocF32(target.values.length);
  const probs = backend.allocF32(logits.values.length);
  backend.addon.softmaxCrossEntropy(loss, probs, logits.values, target.values);
  return [
    backend.makeTensorInfo(target.info.shape, 'float32', loss),
    backend.makeTensorInfo(logits.info.shape, 'float32', probs),
  ];
}

function softmaxCrossEntropyGrad({ inputs, backend }: NativeKernelArgs): TensorInfo {
  const name = FUSED_KERNELS.softmaxCrossEntropyGrad;
  const probs = f32(backend, inputs, 'probs', name);
  const target = labels(backend, inputs, name);
  const dloss = f32(backend, inputs, 'dloss', name);
  const dlogits = backend.allocF32(probs.values.length);
  backend.addon.softmaxCrossEntropyGrad(dlogits, probs.values, target.values, dloss.values);
  return backend.makeTensorInfo(probs.info.shape, 'float32', dlogits);
}

function adamw({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const name = FUSED_KERNELS.adamw;
  const [param, m, v, grad] = f32Inputs(backend, inputs, name, ['param', 'm', 'v', 'grad']);
  const n = param.values.length;
  const [p1, m1, v1] = [backend.allocF32(n), backend.allocF32(n), backend.allocF32(n)];
  const number = (key: string) => {
    const value = attrs[key];
    if (typeof value !== 'number') throw new Error(`${name}: attribute '${key}' must be a number`);
    return value;
  };
  backend.addon.adamw(
    p1,
    m1,
    v1,
    param.values,
    m.values,
    v.values,
    grad.values,
    number('lr'),
    number('beta1'),
    number('beta2'),
    number('epsilon'),
    number('weightDecay'),
    number('step'),
  );
  const shape = param.info.shape;
  return [p1, m1, v1].map((values) => backend.makeTensorInfo(shape, 'float32', values));
}

export const fusedKernels: NativeKernelSpec[] = [
  { name: FUSED_KERNELS.gelu, run: gelu },
  { name: FUSED_KERNELS.geluGrad, run: geluGrad },
  { name: FUSED_KERNELS.layerNorm, run: layerNorm },
  { name: FUSED_KERNELS.layerNormGrad, run: layerNormGrad },
  { name: FUSED_KERNELS.softmaxCrossEntropy, run: softmaxCrossEntropy },
  { name: FUSED_KERNELS.softmaxCrossEntropyGrad, run: softmaxCrossEntropyGrad },
  { name: FUSED_KERNELS.adamw, run: adamw },
];
