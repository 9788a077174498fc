/** The formats module's public surface, for the HTTP layer (design §2 "Representations"). */
export { binaryEncoding } from './binary.ts'
export { encodeBody, encodeCheckpointBody, type ProduceElements, type ProduceTensorElements } from './body.ts'
export { mapCheckpointRange, mapTensorRange, sliceByteLength, type ByteRange, type ElementSlice, type RangeParts, type TensorRangeParts } from './byte-range.ts'
export { BINARY_FORMATS, CONTENT_TYPES, FILE_EXTENSIONS, type BinaryFormat, type Encoding } from './encoding.ts'
export { encodeJson, encodeJsonFromChunks, maxJsonBytes, type JsonTensor } from './json.ts'
export { NPY_DESCR, npyEncoding } from './npy.ts'
export { rawEncoding } from './raw.ts'
export {
  checkpointEncoding, MAX_HEADER_SIZE, SAFETENSORS_DTYPE, safetensorsEncoding,
  type CheckpointEncoding, type PlacedTensor, type SafetensorsMetadata, type NamedTensor
} from './safetensors.ts'
