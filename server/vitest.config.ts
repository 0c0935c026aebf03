import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

/**
 * The multi-process tests (three servers and a redis-server each, 300 clients at once) run
 * after the others: their CPU bursts would skew the timing and memory measurements of tests
 * running beside them (test/stall.test.ts measures a server's RSS).
 */
const MULTI_PROCESS = ["test/cluster-*.test.ts"];

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: "server", exclude: [...configDefaults.exclude, ...MULTI_PROCESS], sequence: { groupOrder: 0 } } },
        { extends: true, test: { name: "multi-process", include: MULTI_PROCESS, sequence: { groupOrder: 1 } } },
      ],
    },
  }),
);
