import { mergeConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

// Many of these files time real sockets through delay proxies (jitter, stalls, input timing):
// run one file at a time, so on a 2-core machine no file's timing is another file's load.
export default mergeConfig(shared, { test: { fileParallelism: false } });
