/**
 * Dawn (the `webgpu` package's dawn.node) as this process's WebGPU, and a synchronous wait on it.
 *
 * dawn.node delivers every WebGPU completion (a buffer mapped, work done) while it processes its
 * events, and it does that from a callback it hands to `setImmediate` whenever work is pending.
 * memgen's model code reads results synchronously (a loss, logits for the next token), so
 * `waitUntil` runs that callback itself until a condition holds: `setImmediate` is wrapped before
 * Dawn starts to keep the callback it passes. Calling it again after the event loop has run it is
 * harmless (it processes events and reschedules itself only while work is pending).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DawnAdapter, NO_SUCH_ADAPTER, parseAdapterList } from './adapters.js';
import { ensureNvidiaIcd } from './icd.js';

type Dawn = typeof import('webgpu');

let processEvents: (() => void) | undefined;
let wrapped = false;

/** Keeps the native callback Dawn passes to setImmediate (the one that processes its events). */
function keepDawnCallback(): void {
  if (wrapped) return;
  wrapped = true;
  const original = globalThis.setImmediate;
  const wrapper = (callback: (...a: unknown[]) => void, ...args: unknown[]) => {
    if (
      typeof callback === 'function' &&
      Function.prototype.toString.call(callback).includes('[native code]')
    ) {
      processEvents = callback as () => void;
    }
    return original(callback, ...args);
  };
  globalThis.setImmediate = Object.assign(wrapper, original) as typeof setImmediate;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Processes Dawn's events until `done()` holds, sleeping between polls (a spinning main thread takes
 * a core from a software Vulkan driver's threads). @throws after `timeoutMs`
 */
export function waitUntil(done: () => boolean, what: string, timeoutMs = 600_000): void {
  const start = performance.now();
  let pause = 0.02;
  while (!done()) {
    if (!processEvents) throw new Error(`webgpu: cannot wait for ${what}: Dawn has not scheduled its events`);
    processEvents();
    if (done()) return;
    if (performance.now() - start > timeoutMs) throw new Error(`webgpu: ${what} took over ${timeoutMs} ms`);
    Atomics.wait(sleeper, 0, 0, pause);
    pause = Math.min(pause * 2, 1);
  }
}

/** A private temporary directory, removed when the process exits. */
export function privateDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Dawn wants a runtime directory (XDG_RUNTIME_DIR); a private temporary one when it is unset. */
export function ensureRuntimeDir(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = privateDir('memgen-xdg-');
}

/**
 * Loads dawn.node and puts the WebGPU globals (GPUBufferUsage, …) on globalThis; first the runtime
 * directory and, where the NVIDIA driver's Vulkan library has no manifest, one for it.
 */
export async function loadDawn(): Promise<Dawn> {
  ensureRuntimeDir();
  ensureNvidiaIcd(() => privateDir('memgen-vulkan-'));
  keepDawnCallback();
  let dawn: Dawn;
  try {
    dawn = await import('webgpu');
  } catch (err) {
    throw new Error(`the webgpu package (dawn.node) did not load: ${(err as Error).message.split('\n')[0]}`);
  }
  Object.assign(globalThis, dawn.globals);
  return dawn;
}

/** Every Vulkan adapter dawn.node sees, in its order (it resolves null when there is none at all). */
export async function listAdapters(dawn: Dawn): Promise<DawnAdapter[]> {
  const gpu = dawn.create(['backend=vulkan', `adapter=${NO_SUCH_ADAPTER}`]);
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (err) {
    return parseAdapterList(String((err as Error)?.message ?? err));
  }
  if (adapter === null) return [];
  throw new Error(`dawn.node returned an adapter named '${NO_SUCH_ADAPTER}'`);
}

/** Makes `gpu` the process's navigator.gpu (Node 21+ define navigator without a gpu). */
export function installNavigator(gpu: GPU): void {
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu },
    configurable: true,
    writable: true,
  });
}
