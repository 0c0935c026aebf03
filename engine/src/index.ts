export * from "./binary/index.js";
export * from "./interest/index.js";
export * from "./interp/index.js";
export * from "./predict/index.js";
export * from "./protocol/index.js";
export * from "./state/index.js";
export * from "./time/index.js";
export * from "./util/index.js";
