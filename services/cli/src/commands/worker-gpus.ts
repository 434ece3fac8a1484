/**
 * `memgen worker --gpus 0,1,…`: a multi-GPU node is one worker with one slot per GPU. Each slot is
 * its own `memgen worker` process (one slot, the same flags otherwise) on its device — the webgpu
 * backend takes MEMGEN_GPU as its Vulkan adapter's index (Vulkan ignores CUDA_VISIBLE_DEVICES, which
 * tfjs-node-gpu honours) — and labels its metrics with the GPU index (MEMGEN_GPU → every series
 * gets `gpu="<index>"`). The parent forwards SIGTERM / SIGINT
 * and exits when every slot has, with the worst exit code.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface GpuSlot {
  gpu: number;
  /** The slot process's `memgen worker` arguments. */
  args: string[];
  /** What the slot process's environment adds. */
  env: Record<string, string>;
}

/**
 * The largest GPU index --gpus takes: CUDA numbers a node's devices from 0, and no node holds
 * hundreds, so anything larger is a typo (and one process per entry must stay a handful).
 */
export const MAX_GPU_INDEX = 255;

/** "0,1,3" → [0, 1, 3]. @throws naming the entry that is not a GPU index, or a repeated one */
export function parseGpus(value: string): number[] {
  const gpus = value.split(',').map((s) => s.trim());
  for (const g of gpus) {
    if (!/^\d+$/.test(g)) throw new Error(`--gpus: ${JSON.stringify(g)} is not a GPU index (0, 1, …)`);
    if (Number(g) > MAX_GPU_INDEX) throw new Error(`--gpus: ${g} is not a GPU index (0 … ${MAX_GPU_INDEX})`);
  }
  const indices = gpus.map(Number);
  const repeated = indices.find((g, i) => indices.indexOf(g) !== i);
  if (repeated !== undefined) throw new Error(`--gpus: GPU ${repeated} is listed twice`);
  return indices;
}

/**
 * The slot processes for `gpus`, given the worker's own arguments (those after `worker`): --gpus
 * removed, --slots 1, and an explicit --http port moved up by the slot's place (port, port+1, …).
 */
export function gpuSlots(gpus: readonly number[], workerArgs: readonly string[]): GpuSlot[] {
  const rest: string[] = [];
  let http: number | undefined;
  for (let i = 0; i < workerArgs.length; i++) {
    const [flag, inline] = workerArgs[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const takesValue = ['--gpus', '--slots', '--http'].includes(flag);
    const value = takesValue ? (inline ?? workerArgs[++i]) : undefined;
    if (flag === '--http' && value !== undefined && value !== '0') http = Number(value);
    if (!takesValue) rest.push(workerArgs[i]!);
  }
  return gpus.map((gpu, k) => ({
    gpu,
    args: [...rest, '--slots', '1', '--http', http === undefined ? '0' : String(http + k)],
    env: { CUDA_VISIBLE_DEVICES: String(gpu), MEMGEN_GPU: String(gpu) },
  }));
}

/** Starts one `memgen worker` per slot and resolves with the worst exit code once all have exited. */
export function runGpuSlots(slots: readonly GpuSlot[]): Promise<number> {
  const children: ChildProcess[] = slots.map((slot) =>
    spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'worker', ...slot.args], {
      env: { ...process.env, ...slot.env },
      stdio: 'inherit',
    }),
  );
  let stoppedBy: NodeJS.Signals | undefined;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stoppedBy = signal;
      for (const child of children) child.kill(signal);
    });
  }
  // A slot that drained and ended on the signal it was sent stopped cleanly.
  const exitCode = (code: number | null, signal: NodeJS.Signals | null) =>
    code ?? (signal !== null && signal === stoppedBy ? 0 : 1);
  const exited = (child: ChildProcess) =>
    new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(exitCode(code, signal))));
  return Promise.all(children.map(exited)).then((codes) => Math.max(...codes));
}
