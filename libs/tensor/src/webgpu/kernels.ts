/**
 * Kernel fixes for tfjs's webgpu backend. Its AddN binds every input to one shader, and a device
 * allows 8 storage buffers per shader stage unless asked for more: the global norm's sum over a
 * model's parameters (29 inputs at nano) failed validation and left garbage. Here AddN sums at
 * most limit − 1 inputs per shader, in rounds.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface WebgpuLike {
  device: GPUDevice;
  disposeData(dataId: object): boolean;
}

/** AddN in rounds of at most `limit − 1` inputs, disposing the partial sums. */
function chunkedAddN(original: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WebgpuLike;
    const per = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    let tensors = args.inputs as unknown as TensorInfo[];
    const partial = new Set<TensorInfo>();
    while (tensors.length > per) {
      const next: TensorInfo[] = [];
      for (let i = 0; i < tensors.length; i += per) {
        const group = tensors.slice(i, i + per);
        const sum =
          group.length === 1 ? group[0]! : (original({ ...args, inputs: group as never }) as TensorInfo);
        if (sum !== group[0]) partial.add(sum);
        next.push(sum);
      }
      for (const t of tensors) if (partial.has(t) && !next.includes(t)) backend.disposeData(t.dataId);
      tensors = next;
    }
    const out = original({ ...args, inputs: tensors as never }) as TensorInfo;
    for (const t of tensors) if (partial.has(t)) backend.disposeData(t.dataId);
    return out;
  };
}

/** Replaces the webgpu kernels above (once, after @tensorflow/tfjs-backend-webgpu registered them). */
export function installWebgpuKernelFixes(backendName: string): void {
  const addN = tf.getKernel('AddN', backendName);
  if (!addN) throw new Error(`${backendName} has no AddN kernel`);
  tf.unregisterKernel('AddN', backendName);
  tf.registerKernel({ ...addN, kernelFunc: chunkedAddN(addN.kernelFunc) });
}
