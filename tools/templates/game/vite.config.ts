import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

/** Where `npm run dev` runs the game server; Vite's dev server proxies the WebSocket to it. */
export const DEV_SERVER_PORT = Number(process.env.SERVER_PORT ?? 8081);

// Builds the page into dist/public, which the server hosts in production. Workspace packages
// are bundled from their TypeScript sources (the `source` export condition).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: { outDir: "dist/public", emptyOutDir: true, target: "es2022" },
  server: { proxy: { "/ws": { target: `http://127.0.0.1:${DEV_SERVER_PORT}`, ws: true } } },
});
