import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources; the JSON report feeds the repo's test summary.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    testTimeout: 20_000,
  },
});
