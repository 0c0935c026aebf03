export { ensureLength, ensureScratchLength, type GrowableArray, grownLength } from "./grow.js";
export { Rng } from "./rng.js";
export { nextSeq, SEQ_MODULO, seqDiff, seqNewer } from "./seq.js";
