export {
  definePrediction,
  type NumericFieldName,
  type PredictedState,
  type Prediction,
  type PredictionSpec,
} from "./define.js";
export {
  DEFAULT_CORRECTION_EPSILON,
  DEFAULT_MAX_PENDING,
  type PredictionModel,
  type ReconcileResult,
  Reconciler,
  type ReconcilerOptions,
} from "./reconciler.js";
export { DECAY_RESIDUE, ErrorSmoother, type ErrorSmootherOptions } from "./smoothing.js";
