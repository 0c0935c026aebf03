export { AckTracker } from "./ack-tracker.js";
export { type TimelinePoint, Timeline } from "./aggregate.js";
export {
  type Behavior,
  BehaviorError,
  type BehaviorSet,
  BUILTIN_BEHAVIORS,
  type BotView,
  checkBehavior,
  defineBehavior,
  idle,
  loadBehavior,
  WANDER_TURN_SECONDS,
  wander,
} from "./behavior.js";
export { BOTS_EXIT, BOTS_USAGE, type BotsCliIo, type BotsCliOptions, parseBotsArgs, runBotsCli } from "./cli.js";
export { formatProgress, formatSummary } from "./format.js";
export { type BotGame, checkBotGame, DEFAULT_BOT_GAME, GameModuleError, loadBotGame } from "./game.js";
export { decodeHistogram, encodeHistogram, type LatencySummary, summarize } from "./histogram.js";
export type { BotSummary, EncodedHistograms, SwarmTotals } from "./metrics.js";
export { SwarmConfigError, type SwarmOptions, type SwarmProgress } from "./options.js";
export { swarmReportInput, writeSwarmReport } from "./report.js";
export { type SwarmResult, swarmSummary } from "./result.js";
export { frameOverheadBytes } from "./socket.js";
export { runSwarm } from "./swarm.js";
export { assertLoopbackUrl, type Lookup, resolveWorldUrl, TargetError } from "./target.js";
export { checkThresholds, type SwarmThresholds, type ThresholdVerdict } from "./thresholds.js";
export { WorkerFailedError } from "./workers.js";
