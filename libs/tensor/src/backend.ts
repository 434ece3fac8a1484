/**
 * Choosing the tfjs engine at run time.
 *
 * Order of preference (MEMGEN_BACKEND unset): native → tensorflow (tfjs-node, GPU build first) → wasm → cpu.
 * webgpu (tfjs's webgpu backend on Dawn over Vulkan) loads only when asked for: on a machine without a
 * GPU it runs on a software Vulkan driver, slower than every CPU backend.
 * Every candidate is tried for real, and the one that ends up active is asserted and logged,
 * because tfjs silently falls back to another backend when one fails to initialise.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installWasmFixes } from './wasm-fixes.js';

export const BACKEND_NAMES = ['native', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** The backend tfjs reports as active after initialisation. */
  name: BackendName;
  /** Why preferred backends were skipped (empty when the first choice loaded). */
  skipped: string[];
}

/** Hook through which the native engine (libs/tensor/src/native) registers itself. */
export interface BackendLoader {
  /** Registers the backend with tfjs; throws an Error saying why it cannot (missing addon, BLAS…). */
  register(): Promise<void>;
  /** One line telling a user how to get this backend when it is missing. */
  howToGet: string;
}

const loaders = new Map<BackendName, BackendLoader>();

export function registerBackendLoader(name: BackendName, loader: BackendLoader): void {
  loaders.set(name, loader);
}

const require = createRequire(import.meta.url);

// Production mode silences tfjs's console banners (e.g. "install tfjs-node" on every cpu-derived
// backend); memgen prints its own one-line backend summary instead.
tf.env().set('PROD', true);

registerBackendLoader('native', {
  async register() {
    const { registerNativeBackend } = await import('./native/index.js');
    await registerNativeBackend();
  },
  howToGet: 'npm run setup (builds the addon; needs apt packages g++ and libopenblas-openmp-dev)',
});

registerBackendLoader('tensorflow', {
  async register() {
    // tfjs-node registers the 'tensorflow' backend as a side effect of loading.
    const errors: string[] = [];
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        require(pkg);
        return;
      } catch (err) {
        errors.push(`${pkg}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    throw new Error(errors.join('; '));
  },
  howToGet: 'npm install @tensorflow/tfjs-node-gpu (needs internet to download libtensorflow; CUDA 11.2)',
});

registerBackendLoader('webgpu', {
  async register() {
    const { registerWebgpuBackend } = await import('./webgpu/index.js');
    await registerWebgpuBackend();
  },
  howToGet:
    'a Vulkan driver: an NVIDIA driver with the graphics capability, or Mesa ≥ 23 (bash scripts/setup-vulkan.sh)',
});

registerBackendLoader('wasm', {
  async register() {
    const dir = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm');
    setWasmPaths(`${dir.slice(0, dir.lastIndexOf('/') + 1)}`);
    installWasmFixes();
  },
  howToGet: 'npm install @tensorflow/tfjs-backend-wasm',
});

registerBackendLoader('cpu', {
  async register() {},
  howToGet: 'bundled with @tensorflow/tfjs',
});

let active: BackendInfo | undefined;

function parseBackendName(value: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`MEMGEN_BACKEND='${value}' is not a backend; expected one of ${BACKEND_NAMES.join(', ')}`);
}

async function activate(name: BackendName): Promise<void> {
  const loader = loaders.get(name);
  if (!loader) throw new Error(`the ${name} backend is not built into this installation`);
  await loader.register();
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`tfjs could not initialise the ${name} backend (active: ${tf.getBackend()})`);
  }
}

export interface InitOptions {
  /** Backend to require; default MEMGEN_BACKEND, else the best that loads. */
  backend?: BackendName;
  /** Print the one-line summary to stderr (default true). */
  log?: boolean;
}

/**
 * Selects and activates the engine. Asking for a backend explicitly (option or MEMGEN_BACKEND)
 * makes its failure an error; otherwise each failure is recorded and the next one is tried.
 */
export async function initBackend(options: InitOptions = {}): Promise<BackendInfo> {
  const requested =
    options.backend ??
    (process.env.MEMGEN_BACKEND ? parseBackendName(process.env.MEMGEN_BACKEND) : undefined);
  if (active && (!requested || active.name === requested)) return active;
  const skipped: string[] = [];
  const candidates: BackendName[] = requested ? [requested] : ['native', 'tensorflow', 'wasm', 'cpu'];
  for (const name of candidates) {
    try {
      await activate(name);
      active = { name, skipped };
      if (options.log ?? true) {
        const why = skipped.length ? ` (skipped: ${skipped.join(' | ')})` : '';
        process.stderr.write(`memgen: tensor backend = ${name}${why}\n`);
      }
      return active;
    } catch (err) {
      const message = (err as Error).message;
      if (requested) throw new Error(`backend '${name}' failed to load: ${message}`);
      skipped.push(`${name}: ${message} — to get it: ${loaders.get(name)?.howToGet ?? 'n/a'}`);
    }
  }
  throw new Error(`no tensor backend could be loaded: ${skipped.join(' | ')}`);
}
