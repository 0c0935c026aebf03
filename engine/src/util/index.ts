export { Rng } from "./rng.js";
export { nextSeq, SEQ_MODULO, seqDiff, seqNewer } from "./seq.js";
