import { describe, expect, it } from 'vitest';
import { gpuSlots, parseGpus } from './worker-gpus.js';

describe('memgen worker --gpus', () => {
  it('reads GPU indices and names a bad or repeated one', () => {
    expect(parseGpus('0,1,3')).toEqual([0, 1, 3]);
    expect(parseGpus(' 2 ')).toEqual([2]);
    expect(() => parseGpus('0,x')).toThrow('--gpus: "x" is not a GPU index (0, 1, …)');
    expect(() => parseGpus('')).toThrow('--gpus: "" is not a GPU index');
    expect(() => parseGpus('1,-1')).toThrow('"-1" is not a GPU index');
    expect(() => parseGpus('1,0,1')).toThrow('--gpus: GPU 1 is listed twice');
  });

  it('refuses an index beyond any node, however many digits it has', () => {
    expect(parseGpus('255')).toEqual([255]);
    expect(() => parseGpus('0,256')).toThrow('--gpus: 256 is not a GPU index (0 … 255)');
    expect(() => parseGpus('99999999999999999999')).toThrow(
      '--gpus: 99999999999999999999 is not a GPU index (0 … 255)',
    );
    // Leading zeros still name the same index, so they count as a repeat.
    expect(() => parseGpus('1,01')).toThrow('--gpus: GPU 1 is listed twice');
  });

  it('gives each GPU one single-slot process that sees only that device, on its own port', () => {
    const args = [
      '--nats',
      'nats://n:4222',
      '--gpus',
      '2,5',
      '--slots=4',
      '--stages',
      'training',
      '--http',
      '9100',
    ];
    expect(gpuSlots([2, 5], args)).toEqual([
      {
        gpu: 2,
        args: ['--nats', 'nats://n:4222', '--stages', 'training', '--slots', '1', '--http', '9100'],
        env: { CUDA_VISIBLE_DEVICES: '2', MEMGEN_GPU: '2' },
      },
      {
        gpu: 5,
        args: ['--nats', 'nats://n:4222', '--stages', 'training', '--slots', '1', '--http', '9101'],
        env: { CUDA_VISIBLE_DEVICES: '5', MEMGEN_GPU: '5' },
      },
    ]);
    // Without a port (or with 0) each slot takes any free one.
    expect(gpuSlots([0, 1], ['--gpus=0,1']).map((s) => s.args)).toEqual([
      ['--slots', '1', '--http', '0'],
      ['--slots', '1', '--http', '0'],
    ]);
  });
});
