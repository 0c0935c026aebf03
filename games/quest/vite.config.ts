import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

/** The Quest server `npm run dev` proxies to (its own `npm start`, PORT 8080 by default). */
const server = process.env.QUEST_SERVER ?? "http://127.0.0.1:8080";

// Builds the client into dist/client (hashed file names, so the server can cache them for a
// year); workspace packages are bundled from their TypeScript sources (the `source` condition).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: {
    outDir: "dist/client",
    emptyOutDir: true,
    target: "es2022",
    // Phaser is one large module; it gets a chunk of its own so game code changes do not bust its cache.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: "phaser", test: /node_modules[\\/]phaser/ }] } } },
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: {
      "/ws": { target: server.replace(/^http/, "ws"), ws: true },
      "/matchmake": server,
      "/healthz": server,
    },
  },
});
