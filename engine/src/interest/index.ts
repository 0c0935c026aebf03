export { assertEntityId, isEntityId, MAX_ENTITY_ID } from "./entity-id.js";
export { MAX_GRID_CELLS, SpatialGrid, type SpatialGridOptions } from "./grid.js";
export { type IdList, type InterestChanges, ViewerInterest } from "./view-diff.js";
