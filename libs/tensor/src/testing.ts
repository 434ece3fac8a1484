/** Test support: activate a backend once per test file. */
import { type BackendInfo, type BackendName, initBackend } from './backend.js';

/**
 * The backend model tests run on: MEMGEN_BACKEND when set, else the best that loads (what users get).
 */
export async function useTestBackend(name?: BackendName): Promise<BackendInfo> {
  return initBackend({ ...(name ? { backend: name } : {}), log: false });
}
