/** The process ChildWorld starts: one world (argv[2]) of the client test game on a free port, silent. */
import { createServer, silentLogger } from "@tickwire/server";
import { createTestGame } from "./test-game.js";

const worldId = process.argv[2] ?? "main";
const server = await createServer({
  host: "127.0.0.1",
  port: 0,
  worlds: [{ id: worldId, game: createTestGame().game }],
  auth: (token) => token,
  logger: silentLogger(),
  defaultMetrics: false,
});
process.send?.({ port: server.port });
// The test ends this process; if the test runner itself dies, so does it.
process.on("disconnect", () => void server.close().then(() => process.exit(0)));
