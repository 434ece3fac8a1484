/**
 * AdamW of every parameter on the webgpu backend in one compute pass: one WGSL dispatch per
 * parameter, writing the parameter and both moments in place, the clip factor folded in. The
 * composite path runs ~14 kernels per parameter (401 of a nano step's ~900, and ~50 % of its wall
 * time on lavapipe); this is the webgpu twin of the native engine's in-place step.
 */

import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { AdamWEntry, AdamWStepHyper } from '../fused/adamw.js';

const WORKGROUP = 64;

/** p ← p·(1 − lr·wd) − lr/bc1 · m1 / (√v1 / √bc2 + ε), the composite path's order of operations. */
const SHADER = /* wgsl */ `
struct Hyper {
  scale: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  sqrtBc2: f32, eps: f32, decay: f32, lrOverBc1: f32, size: u32,
};
@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<uniform> h: Hyper;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * ${WORKGROUP}u;
  if (i >= h.size) { return; }
  let grad = g[i] * h.scale;
  let m1 = m[i] * h.beta1 + grad * h.oneMinusBeta1;
  let v1 = v[i] * h.beta2 + (grad * grad) * h.oneMinusBeta2;
  let denom = sqrt(v1) / h.sqrtBc2 + h.eps;
  p[i] = p[i] * h.decay - (m1 / denom) * h.lrOverBc1;
  m[i] = m1;
  v[i] = v1;
}`;

/** The backend's members this pass uses (private in tfjs's typings). */
interface Internals {
  commandEncoder: GPUCommandEncoder;
  commandQueueOwnedIds: WeakSet<object>;
}

const pipelines = new WeakMap<GPUDevice, GPUComputePipeline>();

function pipeline(device: GPUDevice): GPUComputePipeline {
  let p = pipelines.get(device);
  if (!p) {
    const module = device.createShaderModule({ code: SHADER, label: 'memgen-adamw' });
    p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    pipelines.set(device, p);
  }
  return p;
}

/** The GPU buffer of a float32 tensor that no other tensor shares (or undefined), uploaded if needed. */
function ownBuffer(backend: WebGPUBackend, t: tf.Tensor, shared: boolean): GPUBuffer | undefined {
  if (t.dtype !== 'float32' || (!shared && backend.refCount(t.dataId) !== 1)) return undefined;
  backend.uploadToGPU(t.dataId);
  const resource = backend.tensorMap.get(t.dataId).resource;
  return resource instanceof GPUBuffer ? resource : undefined;
}

/** The uniforms of one parameter, 256-byte aligned (minUniformBufferOffsetAlignment). */
function hyperBlock(h: AdamWStepHyper, weightDecay: number, size: number): ArrayBuffer {
  const block = new ArrayBuffer(256);
  const f = new Float32Array(block, 0, 9);
  f.set([
    h.gradScale,
    h.beta1,
    1 - h.beta1,
    h.beta2,
    1 - h.beta2,
    Math.sqrt(1 - h.beta2 ** h.step),
    h.eps,
    1 - h.lr * weightDecay,
    h.lr / (1 - h.beta1 ** h.step),
  ]);
  new Uint32Array(block, 36, 1)[0] = size;
  return block;
}

/**
 * AdamW of every entry in one pass on the webgpu backend. Returns false (nothing done) unless the
 * backend is webgpu and every parameter and moment is float32 GPU data that no other tensor shares.
 */
export function webgpuAdamwStepInPlace(entries: AdamWEntry[], h: AdamWStepHyper): boolean {
  if (tf.getBackend() !== 'webgpu' || entries.length === 0) return false;
  const backend = tf.backend() as unknown as WebGPUBackend;
  const buffers: GPUBuffer[][] = [];
  for (const e of entries) {
    const b = [
      ownBuffer(backend, e.param, false),
      ownBuffer(backend, e.m, false),
      ownBuffer(backend, e.v, false),
    ];
    const g = ownBuffer(backend, e.grad, true);
    if (b.some((x) => !x) || !g) return false;
    buffers.push([...(b as GPUBuffer[]), g]);
  }
  record(backend, entries, buffers, h);
  return true;
}

/** Records the dispatches on tfjs's command encoder, submits, and drops stale host copies. */
function record(
  backend: WebGPUBackend,
  entries: AdamWEntry[],
  buffers: GPUBuffer[][],
  h: AdamWStepHyper,
): void {
  const device = backend.device;
  const uniforms = device.createBuffer({
    size: 256 * entries.length,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  for (const [k, e] of entries.entries()) {
    device.queue.writeBuffer(uniforms, 256 * k, hyperBlock(h, e.weightDecay, e.param.size));
  }
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  const internals = backend as unknown as Internals;
  const pass = internals.commandEncoder.beginComputePass();
  const pipe = pipeline(device);
  pass.setPipeline(pipe);
  entries.forEach((e, k) => {
    if (e.param.size === 0) return;
    const resources = [
      ...buffers[k]!.map((buffer) => ({ buffer })),
      { buffer: uniforms, offset: 256 * k, size: 256 },
    ];
    const bindGroup = device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: resources.map((resource, binding) => ({ binding, resource })),
    });
    pass.setBindGroup(0, bindGroup);
    const groups = Math.ceil(e.param.size / WORKGROUP);
    const x = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
    for (const t of [e.param, e.m, e.v, e.grad]) internals.commandQueueOwnedIds.add(t.dataId);
  });
  pass.end();
  backend.submitQueue();
  uniforms.destroy();
  for (const e of entries)
    for (const t of [e.param, e.m, e.v]) backend.tensorMap.get(t.dataId).values = null as never;
}
