import { describe, expect, it } from 'vitest';
import { chooseAdapter, type DawnAdapter, parseAdapterList, pciTag } from './adapters.js';

const LISTING = `no adapter with backend 'vulkan' and name 'memgen-list-adapters' found
Available adapters:
 * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'
 * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'
 * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'`;

const adapters = parseAdapterList(LISTING);
const mixed: DawnAdapter[] = [
  { backend: 'vulkan', name: 'NVIDIA A100-SXM4-40GB' },
  { backend: 'vulkan', name: 'NVIDIA L4' },
];

describe('choosing the webgpu adapter', () => {
  it("reads dawn.node's adapter list", () => {
    expect(adapters).toEqual([
      { backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3' },
      { backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3' },
      { backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
    ]);
    expect(parseAdapterList('Available adapters:')).toEqual([]);
  });

  it("leaves the choice to Dawn unless asked, and passes a name to dawn.node's adapter flag", () => {
    expect(chooseAdapter(adapters, {})).toEqual({ flags: ['backend=vulkan'], env: {} });
    expect(chooseAdapter(adapters, { name: 'llvmpipe' })).toEqual({
      flags: ['backend=vulkan', 'adapter=llvmpipe'],
      env: {},
      adapter: adapters[2],
    });
    expect(() => chooseAdapter(adapters, { name: 'Radeon' })).toThrow(
      "no adapter's name contains 'Radeon' (adapters: 0: NVIDIA H100 80GB HBM3 (vulkan); 1: NVIDIA H100",
    );
  });

  it('takes a GPU index among the hardware adapters, by name where the name is unique', () => {
    expect(chooseAdapter([...mixed, adapters[2]!], { index: 1 }).flags).toEqual([
      'backend=vulkan',
      'adapter=NVIDIA L4',
    ]);
    // Without hardware adapters the software one is GPU 0.
    expect(chooseAdapter([adapters[2]!], { index: 0 }).adapter).toEqual(adapters[2]);
    expect(() => chooseAdapter(mixed, { index: 2 })).toThrow(
      'GPU 2 is not an adapter here (adapters: 0: NVIDIA A100',
    );
  });

  it("reaches the k-th of identical GPUs through Mesa's device-select layer (DRI_PRIME, PCI order)", () => {
    const pciPaths = () => ['0000:18:00.0', '0000:3B:00.0'];
    expect(chooseAdapter(adapters, { index: 1, pciPaths })).toEqual({
      flags: ['backend=vulkan', 'adapter=NVIDIA H100 80GB HBM3'],
      env: { DRI_PRIME: 'pci-0000_3b_00_0!' },
      adapter: adapters[1],
    });
    expect(() => chooseAdapter(adapters, { index: 1, pciPaths: () => [] })).toThrow(
      "GPU 1: 2 adapters share the name 'NVIDIA H100 80GB HBM3' and no PCI path is known",
    );
    expect(pciTag('0000:65:00.0')).toBe('pci-0000_65_00_0');
  });
});
