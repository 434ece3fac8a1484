/**
 * The local-mode artefact store: files under a root directory, named like Object Store artefacts
 * (`jobs/<id>/<path>`), verified by SHA-256 on every read against the job's reference. Writes go
 * through a temporary file and a rename, so a crashed worker never leaves half an artefact.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { ArtefactDigestError, ArtefactMissingError, type ArtefactRef } from '@memgen/bus';

/** What executeJob needs from an artefact store; the bus's ArtefactStore has the same shape. */
export interface ArtefactIO {
  putFile(name: string, path: string): Promise<ArtefactRef>;
  getToFile(ref: ArtefactRef, path: string): Promise<unknown>;
  holds(ref: ArtefactRef): Promise<boolean>;
}

/** Hex SHA-256 and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ digest: string; size: number }> {
  const { size } = await stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { digest: hash.digest('hex'), size };
}

export class FileArtefactStore implements ArtefactIO {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Absolute path of artefact `name`; refuses names that would leave the root. */
  pathOf(name: string): string {
    const path = resolve(this.root, name);
    if (!path.startsWith(this.root + sep))
      throw new Error(`artefact name ${JSON.stringify(name)} escapes the store`);
    return path;
  }

  /** Copies a file in under `name`; identical bytes already stored are not copied again. */
  async putFile(name: string, path: string): Promise<ArtefactRef> {
    const { digest, size } = await hashFile(path);
    const ref = { name, digest, size };
    if (await this.holds(ref)) return ref;
    const target = this.pathOf(name);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.partial-${process.pid}`;
    await copyFile(path, temporary);
    await rename(temporary, target);
    return ref;
  }

  /**
   * Copies artefact `ref` to `path` after checking its bytes hash to `ref.digest`.
   * @throws ArtefactMissingError when absent; ArtefactDigestError when the bytes differ.
   */
  async getToFile(ref: ArtefactRef, path: string): Promise<ArtefactRef> {
    const source = this.pathOf(ref.name);
    if (!existsSync(source)) throw new ArtefactMissingError(this.root, ref.name);
    const { digest } = await hashFile(source);
    if (digest !== ref.digest)
      throw new ArtefactDigestError(ref.name, ref.digest, digest, "job's expected digest");
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.partial-${process.pid}`;
    await copyFile(source, temporary);
    await rename(temporary, path).catch(async (err: unknown) => {
      await rm(temporary, { force: true });
      throw err;
    });
    return ref;
  }

  /** True when the artefact exists with exactly this digest and size. */
  async holds(ref: ArtefactRef): Promise<boolean> {
    const path = this.pathOf(ref.name);
    if (!existsSync(path)) return false;
    const { digest, size } = await hashFile(path);
    return digest === ref.digest && size === ref.size;
  }
}
