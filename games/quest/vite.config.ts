import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";
import { precompress } from "./vite-precompress.js";

/** Where `npm run dev` runs the Quest server (tools/scripts/dev-game.mjs sets it); Vite's dev server proxies to it. */
const DEV_SERVER_PORT = Number(process.env.SERVER_PORT ?? 8081);
const server = `http://127.0.0.1:${DEV_SERVER_PORT}`;

// Builds the client into dist/client: hashed file names, so the server can cache them for a
// year, and `.br`/`.gz` beside every text file, which the server sends as they are. Workspace
// packages are bundled from their TypeScript sources (the `source` condition).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: { conditions: ["source", ...defaultClientConditions] },
  plugins: [precompress()],
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
