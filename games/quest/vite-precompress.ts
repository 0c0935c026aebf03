/**
 * A Vite build plugin: writes a `.br` and a `.gz` beside every text file of the build, at
 * the best compression, so the tickwire server's `static` option sends them to browsers
 * that accept them without compressing anything per request.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Plugin } from "vite";

/** Text formats; images (PNG) are compressed already and would only grow. */
const COMPRESSIBLE = /\.(js|css|html|xml|json|svg)$/;

const brotli = promisify(brotliCompress);
const gzipBest = promisify(gzip);

export function precompress(): Plugin {
  return {
    name: "quest:precompress",
    apply: "build",
    async writeBundle({ dir }) {
      if (dir === undefined) return;
      const files = (await readdir(dir, { recursive: true })).filter((file) => COMPRESSIBLE.test(file));
      await Promise.all(files.map((file) => compressBeside(join(dir, file))));
    },
  };
}

async function compressBeside(file: string): Promise<void> {
  const body = await readFile(file);
  const [br, gz] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gzipBest(body, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  // A tiny file can grow; the server would send the larger variant, so none is written.
  await Promise.all([
    br.length < body.length ? writeFile(`${file}.br`, br) : undefined,
    gz.length < body.length ? writeFile(`${file}.gz`, gz) : undefined,
  ]);
}
