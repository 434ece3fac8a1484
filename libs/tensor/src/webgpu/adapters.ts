/**
 * Which WebGPU adapter a process uses. dawn.node selects an adapter only by a substring of its name
 * (its `adapter=` flag, first match wins) and lists the adapters it has when asked for one it lacks;
 * identical GPUs share a name, so reaching the k-th of them needs the Vulkan layer: Mesa's
 * device-select layer (installed with mesa-vulkan-drivers) shows only the GPU whose PCI path
 * DRI_PRIME names when the value ends in '!'.
 */
import { readdirSync } from 'node:fs';

/** One adapter as dawn.node lists it. */
export interface DawnAdapter {
  backend: string;
  name: string;
}

/** What the process passes to dawn.node's create() and adds to its environment first. */
export interface AdapterChoice {
  flags: string[];
  env: Record<string, string>;
  /** The adapter the choice means (undefined: Dawn's own preference among them all). */
  adapter?: DawnAdapter;
}

export interface AdapterRequest {
  /** A substring of the adapter's name (MEMGEN_WEBGPU_ADAPTER). */
  name?: string;
  /** The GPU's index among the hardware adapters (MEMGEN_GPU). */
  index?: number;
  /** PCI paths of the GPUs in index order, for adapters whose names repeat. */
  pciPaths?: () => string[];
}

/** A name no adapter has: asking for it makes dawn.node list the adapters it has. */
export const NO_SUCH_ADAPTER = 'memgen-list-adapters';

/** Parses dawn.node's "Available adapters:" list from the error of a request it could not meet. */
export function parseAdapterList(message: string): DawnAdapter[] {
  const out: DawnAdapter[] = [];
  for (const m of message.matchAll(/^ \* backend: '([^']*)', name: '(.*)'$/gm)) {
    out.push({ backend: m[1]!, name: m[2]! });
  }
  return out;
}

/** Software rasterisers (Mesa's llvmpipe / lavapipe, SwiftShader). */
export function isSoftware(adapter: DawnAdapter): boolean {
  return /llvmpipe|lavapipe|swiftshader/i.test(adapter.name);
}

/** 0000:65:00.0 → pci-0000_65_00_0 (the ID_PATH_TAG form DRI_PRIME takes). */
export function pciTag(busId: string): string {
  return `pci-${busId.toLowerCase().replace(/[:.]/g, '_')}`;
}

/** PCI bus ids of the NVIDIA GPUs this process can see, in PCI order (nvidia-smi's index order). */
export function nvidiaPciPaths(dir = '/proc/driver/nvidia/gpus'): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function listing(adapters: DawnAdapter[]): string {
  return adapters.map((a, i) => `${i}: ${a.name} (${a.backend})`).join('; ') || 'none';
}

/** The choice for `request` among `adapters` (as dawn.node lists them). @throws saying what exists */
export function chooseAdapter(adapters: DawnAdapter[], request: AdapterRequest): AdapterChoice {
  const flags = ['backend=vulkan'];
  if (request.name !== undefined) {
    const adapter = adapters.find((a) => a.name.includes(request.name!));
    if (!adapter)
      throw new Error(`no adapter's name contains '${request.name}' (adapters: ${listing(adapters)})`);
    return { flags: [...flags, `adapter=${request.name}`], env: {}, adapter };
  }
  if (request.index === undefined) return { flags, env: {} };
  const hardware = adapters.filter((a) => !isSoftware(a));
  const pool = hardware.length > 0 ? hardware : adapters;
  const adapter = pool[request.index];
  if (!adapter) throw new Error(`GPU ${request.index} is not an adapter here (adapters: ${listing(pool)})`);
  if (adapters.filter((a) => a.name === adapter.name).length === 1) {
    return { flags: [...flags, `adapter=${adapter.name}`], env: {}, adapter };
  }
  const bus = request.pciPaths?.()[request.index];
  if (!bus) {
    throw new Error(
      `GPU ${request.index}: ${pool.length} adapters share the name '${adapter.name}' and no PCI path is known for ` +
        'this index; run one GPU per process (one per container) or set MEMGEN_WEBGPU_ADAPTER',
    );
  }
  return { flags: [...flags, `adapter=${adapter.name}`], env: { DRI_PRIME: `${pciTag(bus)}!` }, adapter };
}
