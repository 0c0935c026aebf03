export { type CloseInfo, type ConnectOptions, DEFAULT_WAIT_MS, expectRefused, TestClient } from "./client.js";
export { type AppliedSnapshot, FakeClient, FakeSocket, type SentMessage } from "./fake-socket.js";
export { type ManualWorld, manualWorld } from "./world.js";
export {
  PLAYER_SPEED,
  placeFromName,
  type TestGameOptions,
  type TestInput,
  type TestSchema,
  testGame,
  testInput,
  testSchema,
  WORLD_SIZE,
} from "./games.js";
export { metricValue } from "./metrics.js";
export { type StartedServer, startServer } from "./server.js";
