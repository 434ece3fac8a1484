/**
 * The NVIDIA driver implements Vulkan in libGLX_nvidia.so.0, and the Vulkan loader finds it only
 * through a manifest (nvidia_icd.json) in an ICD directory. A container given the driver's graphics
 * libraries does not always get the manifest with them: then memgen writes one into a private
 * directory and points the loader at it (VK_ICD_FILENAMES), before Dawn starts.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/nvidia/lib64'];
const NVIDIA_VULKAN = 'libGLX_nvidia.so.0';

/** Manifests naming NVIDIA in the loader's directories. */
function nvidiaManifests(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) => {
    try {
      return readdirSync(dir).filter((f) => /nvidia.*\.json$/i.test(f));
    } catch {
      return [];
    }
  });
}

/**
 * Writes an NVIDIA ICD manifest and sets VK_ICD_FILENAMES when the driver's Vulkan library is
 * present, no manifest names it and the loader was not pointed elsewhere.
 * @returns the manifest written, or undefined when none was needed
 */
export function ensureNvidiaIcd(
  makeDir: () => string,
  env: NodeJS.ProcessEnv = process.env,
  where = { icd: ICD_DIRS, lib: LIB_DIRS },
): string | undefined {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return undefined;
  if (nvidiaManifests(where.icd).length > 0) return undefined;
  if (!where.lib.some((d) => existsSync(join(d, NVIDIA_VULKAN)))) return undefined;
  const manifest = join(makeDir(), 'nvidia_icd.json');
  const body = { file_format_version: '1.0.0', ICD: { library_path: NVIDIA_VULKAN, api_version: '1.3' } };
  writeFileSync(manifest, `${JSON.stringify(body)}\n`);
  env.VK_ICD_FILENAMES = manifest;
  return manifest;
}
