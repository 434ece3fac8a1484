/**
 * Synchronous reads on tfjs's webgpu backend under Node. tfjs reads a GPU tensor synchronously
 * through an OffscreenCanvas, which Node lacks; memgen's model code reads synchronously (dataSync),
 * so the backend's readSync is replaced by a copy to a mappable buffer and a wait on Dawn (waitUntil).
 */

import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { util } from '@tensorflow/tfjs-core';
import { waitUntil } from './dawn.js';

type BackendValues = ReturnType<WebGPUBackend['readSync']>;

/** The bytes of `buffer`, copied through a staging buffer and read once the GPU has written them. */
function readBuffer(backend: WebGPUBackend, buffer: GPUBuffer): ArrayBuffer {
  const size = buffer.size;
  const staging = backend.bufferManager.acquireBuffer(
    size,
    GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  );
  try {
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    // The encoder is private in tfjs's typings; this is the copy its own async read records.
    const encoder = (backend as unknown as { commandEncoder: GPUCommandEncoder }).commandEncoder;
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    backend.submitQueue();
    staging.mapAsync(GPUMapMode.READ).catch(() => {});
    waitUntil(() => staging.mapState !== 'pending', 'a GPU read');
    if (staging.mapState !== 'mapped') throw new Error('webgpu: a GPU read failed (the device may be lost)');
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    return bytes;
  } finally {
    backend.bufferManager.releaseBuffer(staging);
  }
}

/**
 * Replaces `backend.readSync` with one that works without OffscreenCanvas, and makes every read
 * (synchronous or not) fail once the device has reported an error: Dawn only prints a validation
 * error, and the work it rejected leaves whatever the output buffer held.
 */
export function installSyncRead(backend: WebGPUBackend): void {
  const errors: string[] = [];
  backend.device.addEventListener('uncapturederror', (event) => {
    errors.push((event as GPUUncapturedErrorEvent).error.message);
  });
  const check = () => {
    if (errors.length > 0) throw new Error(`webgpu: the device reported: ${errors.join(' | ')}`);
  };
  const read = backend.read.bind(backend);
  backend.read = async (dataId: object) => {
    const values = await read(dataId);
    check();
    return values;
  };
  backend.readSync = (dataId: object): BackendValues => {
    const data = backend.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values;
    if (data.dtype === 'complex64')
      throw new Error('webgpu: synchronous reads of complex64 are not supported');
    const resource = data.resource as GPUBuffer | undefined;
    if (!resource || typeof resource.mapAsync !== 'function') {
      throw new Error('webgpu: a synchronous read found no GPU buffer behind the tensor');
    }
    const values = util.convertBackendValuesAndArrayBuffer(readBuffer(backend, resource), data.dtype);
    check();
    data.values = values;
    return values;
  };
}
