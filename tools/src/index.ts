export * from "./bots/index.js";
export * from "./netsim/index.js";
export * from "./report/index.js";
