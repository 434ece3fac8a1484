/**
 * Stands in for @resvg/resvg-js in the device check's bundle (scripts/gpu-pack.sh), whose import
 * loads a platform binary: the check's training writes its figures into a temporary directory it
 * deletes, so each figure here is a 1 × 1 transparent PNG.
 */
const BLANK_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082',
  'hex',
);

export class Resvg {
  render(): { asPng(): Buffer } {
    return { asPng: () => BLANK_PNG };
  }
}
