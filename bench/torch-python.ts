/**
 * The Python that runs bench/torch_reference.py: MEMGEN_TORCH_PYTHON when set; else a virtual
 * environment in .cache/torch-venv, created once with torch and safetensors from the machine's local
 * wheel folder (/opt/wheels) when there is one, pip's own index otherwise; else the system python3
 * when it has torch (Debian: apt-get install python3-torch python3-safetensors).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VENV = fileURLToPath(new URL('../.cache/torch-venv', import.meta.url));
const WHEEL_FOLDERS = ['/opt/wheels'];

function hasTorch(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import torch, safetensors'], { stdio: 'ignore' });
  return r.status === 0;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
}

function createVenv(): string | undefined {
  const python = `${VENV}/bin/python`;
  if (!existsSync(python)) {
    if (spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'ignore' }).status !== 0) return undefined;
  }
  const links = WHEEL_FOLDERS.filter((d) => existsSync(d)).flatMap((d) => ['--find-links', d]);
  process.stderr.write(`bench:torch: installing torch into ${VENV} …\n`);
  try {
    run(python, [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--retries',
      '1',
      ...links,
      'torch',
      'safetensors',
      'numpy',
    ]);
  } catch (err) {
    process.stderr.write(`bench:torch: ${(err as Error).message}\n`);
    return undefined;
  }
  return hasTorch(python) ? python : undefined;
}

/** @throws Error saying how to provide PyTorch when no way above works. */
export function torchPython(): string {
  const fromEnv = process.env.MEMGEN_TORCH_PYTHON;
  if (fromEnv) {
    if (!hasTorch(fromEnv))
      throw new Error(`MEMGEN_TORCH_PYTHON=${fromEnv} cannot import torch and safetensors`);
    return fromEnv;
  }
  const venvPython = `${VENV}/bin/python`;
  if (existsSync(venvPython) && hasTorch(venvPython)) return venvPython;
  const created = createVenv();
  if (created) return created;
  if (hasTorch('python3')) return 'python3';
  throw new Error(
    'bench:torch needs PyTorch: put a torch wheel in /opt/wheels, or apt-get install python3-torch ' +
      'python3-safetensors, or set MEMGEN_TORCH_PYTHON to a python that has both',
  );
}
