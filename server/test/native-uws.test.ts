import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Runs a snippet in a fresh Node from the server package, as a user's process would load uWS. */
function runNode(script: string): { stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["-e", script], {
    cwd: new URL("..", import.meta.url),
    encoding: "utf8",
    env: { ...process.env, UWS_USE_FALLBACK: "" },
  });
  if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

describe("uWebSockets.js", () => {
  it("loads without falling back to the JavaScript emulation", () => {
    const { stdout, stderr } = runNode(`require("uWebSockets.js")`);
    expect(stdout + stderr).not.toMatch(/fall(ing )?back|not compatible/i);
  });

  it("is the native .node binary built for this Node ABI", () => {
    const { stdout } = runNode(`
      const uws = require("uWebSockets.js");
      const natives = Object.keys(require.cache).filter((file) => file.endsWith(".node"));
      process.stdout.write(JSON.stringify({ natives, abi: process.versions.modules, app: typeof uws.App }));
    `);
    const { natives, abi, app } = JSON.parse(stdout) as { natives: string[]; abi: string; app: string };
    expect(natives).toHaveLength(1);
    expect(natives[0]).toMatch(new RegExp(`uws_${process.platform}_${process.arch}_${abi}\\.node$`));
    expect(app).toBe("function");
  });
});
