import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureNvidiaIcd } from './icd.js';

const scratch = mkdtempSync(join(tmpdir(), 'memgen-icd-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function layout(files: Record<string, string>) {
  const root = mkdtempSync(join(scratch, 'layout-'));
  const icd = join(root, 'icd.d');
  const lib = join(root, 'lib');
  mkdirSync(icd);
  mkdirSync(lib);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(root, name), body);
  return { icd: [icd], lib: [lib] };
}

const dir = () => mkdtempSync(join(scratch, 'out-'));

describe('the NVIDIA Vulkan ICD manifest', () => {
  it('is written, and the loader pointed at it, when the driver library has none', () => {
    const env: NodeJS.ProcessEnv = {};
    const manifest = ensureNvidiaIcd(dir, env, layout({ 'lib/libGLX_nvidia.so.0': '' }));
    expect(env.VK_ICD_FILENAMES).toBe(manifest);
    expect(JSON.parse(readFileSync(manifest!, 'utf8')).ICD.library_path).toBe('libGLX_nvidia.so.0');
  });

  it('is left alone when one is installed, the loader is pointed elsewhere, or there is no driver', () => {
    const both = layout({ 'lib/libGLX_nvidia.so.0': '', 'icd.d/nvidia_icd.json': '{}' });
    expect(ensureNvidiaIcd(dir, {}, both)).toBeUndefined();
    expect(
      ensureNvidiaIcd(dir, { VK_ICD_FILENAMES: '/x.json' }, layout({ 'lib/libGLX_nvidia.so.0': '' })),
    ).toBeUndefined();
    const env: NodeJS.ProcessEnv = {};
    expect(ensureNvidiaIcd(dir, env, layout({ 'icd.d/lvp_icd.json': '{}' }))).toBeUndefined();
    expect(env.VK_ICD_FILENAMES).toBeUndefined();
  });
});
