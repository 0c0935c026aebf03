export { ByteReader, DecodeError } from "./reader.js";
export { ByteWriter } from "./writer.js";
