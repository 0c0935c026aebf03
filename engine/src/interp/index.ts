export {
  AdaptiveDelay,
  type AdaptiveDelayOptions,
  DEFAULT_DECREASE_RATE,
  DEFAULT_INCREASE_RATE,
  DEFAULT_JITTER_MULTIPLIER,
  DEFAULT_JITTER_WINDOW,
  DEFAULT_MAX_DELAY_MS,
} from "./adaptive-delay.js";
export { angleDelta } from "./angle.js";
export {
  DEFAULT_INTERP_CAPACITY,
  DEFAULT_MAX_EXTRAPOLATION_MS,
  type FieldInterp,
  InterpolationBuffer,
  type InterpolationBufferOptions,
  type SampleStatus,
} from "./buffer.js";
