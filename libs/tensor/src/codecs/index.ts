export { DTYPE_NAMES, DTYPES, type DType, type DTypeArrays, isDType, type TensorData } from './dtypes.js';
export { CodecError } from './errors.js';
export { readSafetensors, writeSafetensors } from './files.js';
export { HostTensor, shapeSize, typedArrayFromBytes } from './host-tensor.js';
export {
  createPackr,
  registerTensorExtension,
  TENSOR_EXTENSION_TYPE,
  unpackTensorPayload,
} from './msgpack.js';
export { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from './safetensors.js';
