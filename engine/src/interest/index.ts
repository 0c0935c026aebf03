export { MAX_GRID_CELLS, SpatialGrid, type SpatialGridOptions } from "./grid.js";
