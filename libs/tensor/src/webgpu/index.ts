/**
 * The webgpu engine: tfjs's webgpu backend on Dawn (dawn.node) over Vulkan — an NVIDIA driver's
 * Vulkan ICD on GPU nodes, Mesa's lavapipe (software Vulkan) on CPU-only machines and in CI.
 * memgen's fused operations take their composite tfjs paths here, except the whole-model AdamW
 * (adamw.ts: one WGSL pass, in place). The adapter is chosen once per
 * process: MEMGEN_WEBGPU_ADAPTER (a substring of its name), else MEMGEN_GPU (the slot's GPU index
 * among the hardware adapters), else Dawn's preference (a discrete GPU first).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { type AdapterChoice, chooseAdapter, type DawnAdapter, nvidiaPciPaths } from './adapters.js';
import { installNavigator, listAdapters, loadDawn } from './dawn.js';
import { installWebgpuKernelFixes } from './kernels.js';
import { installSyncRead } from './sync-read.js';

export { type DawnAdapter, isSoftware } from './adapters.js';

export const WEBGPU_BACKEND = 'webgpu';

/** The adapter the webgpu backend runs on and what else the process could see. */
export interface WebgpuInfo {
  /** vendor / architecture / device / description as WebGPU reports them. */
  adapter: Record<string, string>;
  /** Every Vulkan adapter dawn.node listed, in its order. */
  adapters: DawnAdapter[];
  /** The create() flags and environment the choice used. */
  choice: AdapterChoice;
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
}

let info: WebgpuInfo | undefined;
let programs = 0;

/** GPU programs the webgpu backend has dispatched in this process (tests use it to prove the GPU ran). */
export function webgpuProgramCount(): number {
  return programs;
}

/** The adapter request from the environment. @throws when MEMGEN_GPU is not an index */
function requestFromEnv(env: NodeJS.ProcessEnv) {
  const name = env.MEMGEN_WEBGPU_ADAPTER || undefined;
  const gpu = env.MEMGEN_GPU;
  if (gpu !== undefined && gpu !== '' && !/^\d+$/.test(gpu)) {
    throw new Error(`MEMGEN_GPU='${gpu}' is not a GPU index`);
  }
  const index = gpu === undefined || gpu === '' ? undefined : Number(gpu);
  return { name, index, pciPaths: () => nvidiaPciPaths() };
}

const NO_ADAPTER =
  'no Vulkan adapter: a GPU driver with a Vulkan ICD, or Mesa ≥ 23 (lavapipe; Debian bookworm: ' +
  'mesa-vulkan-drivers and libvulkan1 from bookworm-backports, scripts/setup-vulkan.sh) is needed';

function adapterFields(adapter: GPUAdapter): Record<string, string> {
  const a = adapter.info as unknown as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const key of ['vendor', 'architecture', 'device', 'description']) fields[key] = String(a[key] ?? '');
  return fields;
}

/** The backend tfjs's factory made, with synchronous reads that work under Node. */
async function makeBackend(
  factory: () => Promise<tf.KernelBackend>,
  adapters: DawnAdapter[],
  choice: AdapterChoice,
) {
  const backend = (await factory()) as unknown as WebGPUBackend;
  installSyncRead(backend);
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (...args: Parameters<typeof run>) => {
    programs++;
    return run(...args);
  };
  const { gpu } = (globalThis as unknown as { navigator: { gpu: GPU } }).navigator;
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error(NO_ADAPTER);
  const { maxStorageBufferBindingSize, maxBufferSize } = backend.device.limits;
  info = {
    adapter: adapterFields(adapter),
    adapters,
    choice,
    limits: { maxStorageBufferBindingSize, maxBufferSize },
  };
  return backend as unknown as tf.KernelBackend;
}

/** Fails unless the device-select layer now shows one adapter of the chosen name (it may be absent). */
async function expectOneLeft(
  dawn: Awaited<ReturnType<typeof loadDawn>>,
  choice: AdapterChoice,
): Promise<void> {
  const left = (await listAdapters(dawn)).filter((a) => a.name === choice.adapter?.name);
  if (left.length !== 1) {
    throw new Error(
      `DRI_PRIME=${choice.env.DRI_PRIME} left ${left.length} adapters named '${choice.adapter?.name}': ` +
        "Mesa's device-select layer (mesa-vulkan-drivers) is needed to tell identical GPUs apart",
    );
  }
}

/**
 * Registers the 'webgpu' tfjs backend (idempotent). Throws an Error saying why it cannot: dawn.node
 * missing, no Vulkan adapter (or only a Mesa older than 23), or no adapter matching the request.
 */
export async function registerWebgpuBackend(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (tf.findBackendFactory(WEBGPU_BACKEND)) return;
  const dawn = await loadDawn();
  const adapters = await listAdapters(dawn);
  if (adapters.length === 0) throw new Error(NO_ADAPTER);
  const choice = chooseAdapter(adapters, requestFromEnv(env));
  Object.assign(process.env, choice.env);
  if (choice.env.DRI_PRIME) await expectOneLeft(dawn, choice);
  installNavigator(dawn.create(choice.flags));
  // tfjs's webgpu package registers its backend (priority 3) and kernels on import when
  // navigator.gpu exists; re-registered at priority 0 it is never tfjs's own default.
  await import('@tensorflow/tfjs-backend-webgpu');
  installWebgpuKernelFixes(WEBGPU_BACKEND);
  const factory = tf.findBackendFactory(WEBGPU_BACKEND);
  if (!factory) throw new Error('@tensorflow/tfjs-backend-webgpu did not register its backend');
  tf.removeBackend(WEBGPU_BACKEND);
  tf.registerBackend(
    WEBGPU_BACKEND,
    () => makeBackend(factory as () => Promise<tf.KernelBackend>, adapters, choice),
    0,
  );
}

/** The adapter facts of the initialised backend. */
export function webgpuInfo(): WebgpuInfo {
  if (!info) throw new Error('the webgpu backend is not initialised');
  return info;
}
