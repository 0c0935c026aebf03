export * from "./binary/index.js";
export * from "./util/index.js";
