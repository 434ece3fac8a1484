/**
 * The settings a steer stage has finished, kept in its run directory until steering.json is
 * written, so that a job killed or drained mid-grid resumes at the next setting instead of from the
 * first. A setting's numbers depend only on the model, the steering set and its own random streams
 * (controlStream(seed, id, purpose)), never on the settings measured before it, so a setting read
 * back is the one a single pass would have measured (steer/runs/resume.e2e.test.ts holds the
 * resumed file byte-identical to an uninterrupted one).
 *
 * The store is keyed by the stage's resume key (its config hash and the digests of what it read):
 * a store left by another configuration or other inputs is discarded, never mixed in.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, readText, writeFileAtomic, writeJson } from '@memgen/common';
import type { SteeringSetting } from '../steering-file.js';

/** The store's directory inside the run directory. */
export const SETTING_STORE_DIR = 'steer-partial';
const KEY_FILE = 'key';
const SETTING_SUFFIX = '.setting.json';

export interface SettingStore {
  /** The finished setting with this id, if an earlier attempt measured it. */
  get(id: string): SteeringSetting | undefined;
  /** Keeps a finished setting (atomically: a kill leaves it whole or absent). */
  put(setting: SteeringSetting): Promise<void>;
  /** How many settings were read back from an earlier attempt. */
  readonly resumed: number;
  /** Removes the store once the stage's file is written. */
  clear(): Promise<void>;
}

/** A setting id as a file name: ids are built from [A-Za-z0-9.+-], anything else is escaped. */
function fileOf(id: string): string {
  return `${encodeURIComponent(id)}${SETTING_SUFFIX}`;
}

/** The store's key; none when there is no store (or one cut short before its key was written). */
async function readKey(dir: string): Promise<string | undefined> {
  const path = join(dir, KEY_FILE);
  return existsSync(path) ? (await readText(path)).trim() : undefined;
}

/**
 * Reads every kept setting. A file that does not parse or names another id cannot have been written
 * by put(); it is reported and measured again rather than trusted.
 */
async function readSettings(dir: string, log: (line: string) => void): Promise<Map<string, SteeringSetting>> {
  const kept = new Map<string, SteeringSetting>();
  for (const name of (await readdir(dir)).filter((n) => n.endsWith(SETTING_SUFFIX))) {
    const path = join(dir, name);
    try {
      const setting = await readJson<SteeringSetting>(path);
      if (fileOf(setting.id) !== name) throw new Error(`it holds setting '${setting.id}'`);
      kept.set(setting.id, setting);
    } catch (err) {
      log(`steer: ignoring ${path} (${(err as Error).message}); that setting is measured again`);
      await rm(path, { force: true });
    }
  }
  return kept;
}

/**
 * Opens the run directory's store for `key`, keeping what an earlier attempt with the same key
 * finished and discarding a store of any other key.
 */
export async function openSettingStore(
  runDir: string,
  key: string,
  log: (line: string) => void,
): Promise<SettingStore> {
  const dir = join(runDir, SETTING_STORE_DIR);
  const found = await readKey(dir);
  if (found !== key) {
    if (found !== undefined) log(`steer: discarding ${dir} (kept for other inputs or another configuration)`);
    await rm(dir, { recursive: true, force: true });
    await writeFileAtomic(join(dir, KEY_FILE), `${key}\n`);
  }
  const kept = found === key ? await readSettings(dir, log) : new Map<string, SteeringSetting>();
  return {
    get: (id) => kept.get(id),
    put: (setting) => writeJson(join(dir, fileOf(setting.id)), setting),
    resumed: kept.size,
    clear: () => rm(dir, { recursive: true, force: true }),
  };
}
