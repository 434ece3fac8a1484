/** The fused causal self-attention kernels of the native engine (see ./fused.ts for the table). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeKernelArgs, NativeKernelSpec } from './common.js';
import { FUSED_KERNELS, f32Inputs } from './fused.js';

/** Sequences, positions and heads of a call, from qkv [B·T, 3D] and the attrs {heads, batch}. */
function attentionDims(qkvShape: number[], attrs: NativeKernelArgs['attrs'], kernel: string) {
  const heads = attrs['heads'];
  const batch = attrs['batch'];
  if (typeof heads !== 'number' || typeof batch !== 'number')
    throw new Error(`${kernel}: attributes 'heads' and 'batch' must be numbers`);
  const [rows, width3] = qkvShape as [number, number];
  if (qkvShape.length !== 2 || rows % batch !== 0 || width3 % 3 !== 0)
    throw new Error(`${kernel}: qkv must be [batch·seq, 3·width], got [${qkvShape}] with batch ${batch}`);
  return { batch, seq: rows / batch, heads, width: width3 / 3 };
}

function attention({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo[] {
  const name = FUSED_KERNELS.attention;
  const [qkv, keyMask] = f32Inputs(backend, inputs, name, ['qkv', 'keyMask']);
  const d = attentionDims(qkv.info.shape, attrs, name);
  const z = backend.allocF32(d.batch * d.seq * d.width);
  const probs = backend.allocF32(d.batch * d.heads * d.seq * d.seq);
  backend.addon.attention(z, probs, qkv.values, keyMask.values, d.batch, d.seq, d.heads);
  return [
    backend.makeTensorInfo([d.batch * d.seq, d.width], 'float32', z),
    backend.makeTensorInfo([d.batch, d.heads, d.seq, d.seq], 'float32', probs),
  ];
}

function attentionGrad({ inputs, backend, attrs }: NativeKernelArgs): TensorInfo {
  const name = FUSED_KERNELS.attentionGrad;
  const [dz, probs, qkv] = f32Inputs(backend, inputs, name, ['dz', 'probs', 'qkv']);
  const d = attentionDims(qkv.info.shape, attrs, name);
  const dqkv = backend.allocF32(qkv.values.length);
  backend.addon.attentionGrad(dqkv, dz.values, probs.values, qkv.values, d.batch, d.seq, d.heads);
  return backend.makeTensorInfo(qkv.info.shape, 'float32', dqkv);
}

export const attentionKernels: NativeKernelSpec[] = [
  { name: FUSED_KERNELS.attention, run: attention },
  { name: FUSED_KERNELS.attentionGrad, run: attentionGrad },
];
