export {
  ClockSync,
  type ClockSyncOptions,
  DEFAULT_JUMP_CONFIRM_SAMPLES,
  DEFAULT_JUMP_MARGIN_MS,
  DEFAULT_READY_SAMPLES,
  DEFAULT_SLEW_RATE,
  DEFAULT_SNAP_THRESHOLD_MS,
  DEFAULT_SYNC_WINDOW,
} from "./clock-sync.js";
export { DEFAULT_MAX_CATCH_UP_TICKS, FixedStep, type FixedStepOptions } from "./fixed-step.js";
export {
  DEFAULT_EARLY_STEP_MS,
  DEFAULT_INITIAL_LEAD_MS,
  DEFAULT_LATE_COOLDOWN_MS,
  DEFAULT_LATE_STEP_MS,
  DEFAULT_MIN_LEAD_MS,
  DEFAULT_TIMELY_RUN,
  InputTiming,
  type InputTimingOptions,
} from "./input-timing.js";
