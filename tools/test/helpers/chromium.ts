import { type Browser, chromium } from "playwright-core";

/** Debian's chromium: tests never download a browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Headless as root on a machine with no outside network: no sandbox, no background fetches. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
