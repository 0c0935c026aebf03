export { runNetsimCli, parseNetsimArgs, applyNetsimCommand, type NetsimCliOptions, type CliIo } from "./cli.js";
export {
  type Direction,
  type DirectionSelector,
  type DropWindow,
  type LinkConditions,
  type NetsimPreset,
  describeConditions,
  formatBytes,
  mergeConditions,
  NETSIM_PRESETS,
  NetsimConfigError,
  netsimPreset,
  NO_CONDITIONS,
  parseBandwidth,
  parseDropWindow,
  parseDuration,
  presetNames,
} from "./conditions.js";
export type { DirectionStats } from "./link.js";
export { isLoopbackHost } from "./loopback.js";
export { createNetsim, type HostPort, type Netsim, type NetsimOptions, type NetsimStats } from "./netsim.js";
