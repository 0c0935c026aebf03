import type { NetStats, Series } from "./net-stats.js";

export interface NetGraphOptions {
  /** Element the canvas is appended to; default `document.body`. */
  parent?: HTMLElement;
  /** `KeyboardEvent.key` values that toggle the graph; default F3 and backquote. */
  toggleKeys?: readonly string[];
  /** Where key presses are listened for; default `window`. */
  keyTarget?: EventTarget;
  /** Shown at creation; default false. */
  visible?: boolean;
  /** CSS pixel size of the canvas. */
  width?: number;
  rowHeight?: number;
}

export interface NetGraph {
  readonly canvas: HTMLCanvasElement;
  readonly visible: boolean;
  show(): void;
  hide(): void;
  toggle(): void;
  /** Draws once; the graph also redraws itself every animation frame while visible. */
  draw(): void;
  destroy(): void;
}

interface Line {
  series: keyof NetStats["series"];
  color: string;
}

interface Row {
  lines: readonly Line[];
  /** Smallest full scale, so a quiet metric does not fill the row with noise. */
  minScale: number;
  text(stats: NetStats): string;
}

const ROWS: readonly Row[] = [
  {
    lines: [
      { series: "rtt", color: "#4fc3f7" },
      { series: "jitter", color: "#ffb74d" },
    ],
    minScale: 50,
    text: (s) => `rtt ${s.rttMs.toFixed(0)} ms  jitter ${s.jitterMs.toFixed(1)} ms`,
  },
  {
    lines: [{ series: "interpDelay", color: "#81c784" }],
    minScale: 100,
    text: (s) =>
      `interp ${s.interpDelayMs.toFixed(0)} ms (target ${s.interpTargetMs.toFixed(0)})  buffer ${s.bufferDepth.toFixed(1)}`,
  },
  {
    lines: [{ series: "interArrival", color: "#ba68c8" }],
    minScale: 100,
    text: (s) =>
      `snapshots ${s.snapshotsPerSec.toFixed(0)}/s  gap ${s.lastInterArrivalMs.toFixed(0)} ms  skipped ${s.skippedSnapshots}`,
  },
  {
    lines: [
      { series: "bytesIn", color: "#4dd0e1" },
      { series: "bytesOut", color: "#f06292" },
    ],
    minScale: 1000,
    text: (s) => `in ${formatBytes(s.bytesInPerSec)}/s  out ${formatBytes(s.bytesOutPerSec)}/s`,
  },
  {
    lines: [
      { series: "correctionSize", color: "#e57373" },
      { series: "corrections", color: "#fff176" },
    ],
    minScale: 1,
    text: (s) =>
      `corrections ${s.correctionsPerSec.toFixed(0)}/s  last ${s.lastCorrectionSize.toFixed(2)}  reconnects ${s.reconnects}`,
  },
];

const FONT_PX = 11;
const PADDING_PX = 4;
const DEFAULT_WIDTH = 320;
const DEFAULT_ROW_HEIGHT = 40;

/** The smallest 1-2-5 step at or above `value`, so the axis does not rescale on every sample. */
export function niceScale(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const decade = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * decade >= value) return step * decade;
  }
  return 10 * decade;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

/**
 * A framework-agnostic overlay that plots `stats` live: RTT and jitter, interpolation delay,
 * snapshot gaps, bytes/s in and out, corrections. Plain canvas 2D in a fixed-position
 * element; it touches the DOM only when created.
 */
export function createNetGraph(stats: NetStats, options: NetGraphOptions = {}): NetGraph {
  const width = options.width ?? DEFAULT_WIDTH;
  const rowHeight = options.rowHeight ?? DEFAULT_ROW_HEIGHT;
  const height = rowHeight * ROWS.length;
  const toggleKeys = options.toggleKeys ?? ["F3", "`"];
  const keyTarget = options.keyTarget ?? window;
  const pixelRatio = window.devicePixelRatio || 1;

  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * pixelRatio);
  canvas.height = Math.round(height * pixelRatio);
  canvas.dataset.tickwireNetgraph = "";
  Object.assign(canvas.style, {
    position: "fixed",
    top: "8px",
    right: "8px",
    width: `${width}px`,
    height: `${height}px`,
    pointerEvents: "none",
    zIndex: "2147483647",
    display: "none",
  });
  (options.parent ?? document.body).appendChild(canvas);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("net graph: canvas 2D is not available");
  const ctx = context;

  let visible = false;
  let frame = 0;

  function draw(): void {
    ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "rgba(0, 0, 0, 0.72)";
    ctx.fillRect(0, 0, width, height);
    ctx.font = `${FONT_PX}px ui-monospace, monospace`;
    ctx.textBaseline = "top";
    for (let r = 0; r < ROWS.length; r++) drawRow(ROWS[r], r * rowHeight);
  }

  function drawRow(row: Row, top: number): void {
    const plotTop = top + FONT_PX + PADDING_PX;
    const plotHeight = rowHeight - FONT_PX - 2 * PADDING_PX;
    let max = row.minScale;
    for (const line of row.lines) max = Math.max(max, stats.series[line.series].max());
    const scale = niceScale(max);
    ctx.strokeStyle = "rgba(255, 255, 255, 0.15)";
    ctx.beginPath();
    ctx.moveTo(PADDING_PX, plotTop + plotHeight + 0.5);
    ctx.lineTo(width - PADDING_PX, plotTop + plotHeight + 0.5);
    ctx.stroke();
    for (const line of row.lines) plot(stats.series[line.series], line.color, scale, plotTop, plotHeight);
    ctx.fillStyle = "#eeeeee";
    ctx.fillText(row.text(stats), PADDING_PX, top + PADDING_PX / 2);
    // Full scale at the right end of the header line, clear of the plot.
    ctx.fillStyle = "rgba(255, 255, 255, 0.5)";
    const scaleText = `${scale}`;
    ctx.fillText(scaleText, width - PADDING_PX - ctx.measureText(scaleText).width, top + PADDING_PX / 2);
  }

  function plot(series: Series, color: string, scale: number, top: number, plotHeight: number): void {
    const count = series.length;
    if (count === 0) return;
    const step = (width - 2 * PADDING_PX) / (series.capacity - 1);
    const left = width - PADDING_PX - (count - 1) * step;
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < count; i++) {
      const y = top + plotHeight - (Math.min(series.at(i), scale) / scale) * plotHeight;
      if (i === 0) ctx.moveTo(left, y);
      else ctx.lineTo(left + i * step, y);
    }
    ctx.stroke();
  }

  function loop(): void {
    draw();
    frame = requestAnimationFrame(loop);
  }

  function show(): void {
    if (visible) return;
    visible = true;
    canvas.style.display = "block";
    loop();
  }

  function hide(): void {
    if (!visible) return;
    visible = false;
    canvas.style.display = "none";
    cancelAnimationFrame(frame);
  }

  function onKey(event: Event): void {
    const key = (event as KeyboardEvent).key;
    if (!toggleKeys.includes(key)) return;
    event.preventDefault();
    if (visible) hide();
    else show();
  }

  keyTarget.addEventListener("keydown", onKey);
  if (options.visible) show();

  return {
    canvas,
    get visible() {
      return visible;
    },
    show,
    hide,
    toggle: () => (visible ? hide() : show()),
    draw,
    destroy() {
      hide();
      keyTarget.removeEventListener("keydown", onKey);
      canvas.remove();
    },
  };
}
