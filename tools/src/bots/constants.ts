/** The numbers the bot swarm's behaviour depends on, with why each has its value. */

/** One machine cannot host more connections than this usefully; also bounds every per-bot array. */
export const MAX_BOTS = 20_000;
/** A swarm is a test, not a service: a day is the longest run that makes sense. */
export const MAX_DURATION_SEC = 24 * 60 * 60;
/** More threads than this only fight over the same cores. */
export const MAX_WORKERS = 64;
/** Bots started per second when --ramp is not given: a crowd arriving, not a single burst. */
export const DEFAULT_RAMP_PER_SEC = 100;
export const DEFAULT_DURATION_SEC = 30;
export const DEFAULT_BOTS = 10;
export const DEFAULT_SEED = 1;

/** How often the parent samples every group: the progress line and the timeline's resolution. */
export const SAMPLE_INTERVAL_MS = 1_000;
/** Timeline points kept; beyond this the timeline halves its resolution (an hour at 1 s). */
export const MAX_TIMELINE_POINTS = 3_600;

/**
 * Inputs awaiting their ack, per bot. 256 ticks is 12.8 s at 20 Hz: an input older than
 * that is counted as lost instead of measured.
 */
export const ACK_WINDOW = 256;

/**
 * Histogram values are recorded in microseconds, so sub-millisecond loopback latencies
 * keep their resolution; reported in ms.
 */
export const MICROS_PER_MS = 1_000;
/** Largest value a histogram tracks: a minute, in µs. Longer values are clamped to it. */
export const HISTOGRAM_MAX_MICROS = 60 * 1_000_000;
/** Aggregated histograms: 3 significant digits (0.1% error), about 70 KiB each. */
export const AGGREGATE_DIGITS = 3;
/**
 * Per-bot histograms: 1 significant digit (HDR keeps 32 sub-buckets: within 6.25%), 2.5 KiB
 * each, so 20,000 bots × 2 fit in 100 MiB. Packed arrays would be smaller but cost a fifth
 * of a loaded bot thread's CPU.
 */
export const PER_BOT_DIGITS = 1;

/** Distinct close reasons or error kinds kept by name; the rest are counted as "other". */
export const MAX_REASON_KEYS = 32;

/**
 * Bots per loopback source address. Servers cap what one address may hold (tickwire's
 * defaults: 8 sockets not joined yet, a quarter of a world, so 16 in dots' 64); real
 * players come from many addresses, so the swarm spreads its bots over 127.1.0.0/16 when
 * the target is an IPv4 loopback address.
 */
export const BOTS_PER_SOURCE_ADDRESS = 8;

/** After asking every bot to close, how long to wait for the close handshakes before finishing. */
export const CLOSE_GRACE_MS = 2_000;
/** A worker that does not answer a sample or finish request this long is considered dead. */
export const WORKER_REPLY_TIMEOUT_MS = 10_000;
