/** Defaults of the client runtime. Each can be overridden in `connect()`'s options. */

/** First reconnect waits up to this long: short, because most drops are momentary. */
export const RECONNECT_BASE_MS = 300;
/** Backoff ceiling: a crowd reconnecting after a server restart spreads over 8 s. */
export const RECONNECT_MAX_MS = 8_000;
/** Consecutive failed attempts before giving up: about 30 s of expected waiting, the server's resume grace. */
export const RECONNECT_MAX_ATTEMPTS = 10;

/**
 * While a resume can still succeed, retries come at most this far apart (jittered below it),
 * whatever the backoff: play resumes within this plus a handshake (a round trip or two) of
 * the link coming back. At 1 s that was up to 1.4 s at 150 ms RTT.
 */
export const RESUME_RETRY_MAX_MS = 500;
/** Resume retries start at least this far apart, so a refused port is not hammered. */
export const RESUME_RETRY_MIN_MS = 250;
/**
 * How long the client keeps trying to resume before it joins as a new player: the server's
 * default resume grace (`limits.resumeGraceMs`), after which the player is gone anyway.
 */
export const RESUME_WINDOW_MS = 30_000;

/**
 * After a refusal with PlayerHeldElsewhere (4015) the client retries this long at the resume
 * retry interval, without using up its backoff: a crashed process's lease on the player
 * lapses within the store's lease TTL (the server's: 10 s, 8 s on Redis), and the player
 * should be in as soon as it does. Past it (the player really is playing elsewhere, say in
 * another tab) the join backoff applies and ends in 'gave-up'.
 */
export const HELD_ELSEWHERE_WINDOW_MS = 15_000;

/** No Welcome this long after the socket opened: the server is not answering, try again. */
export const WELCOME_TIMEOUT_MS = 5_000;
/**
 * No message at all for this long means the connection is dead even if TCP has not noticed
 * (half-open through NAT or a proxy). Pongs arrive every ping interval, so 6 s is 6 misses.
 */
export const SILENCE_TIMEOUT_MS = 6_000;

/**
 * How long the client waits for the preflight that explains a failed connection attempt
 * (browsers hide the refusal): short, since a reachable server answers at once and an
 * unreachable one is a network loss anyway.
 */
export const PREFLIGHT_TIMEOUT_MS = 2_000;

/** The matchmaker answers from its registry at once; no answer in this long counts as a failed attempt. */
export const MATCHMAKE_TIMEOUT_MS = 5_000;
/**
 * With a matchmaker, this many connection attempts in a row reaching no server means the
 * server is gone (a crashed process's port refuses at once: about 1-3 s of resume retries),
 * so the client asks the matchmaker for another instead of waiting out the resume window.
 */
export const MATCHMAKE_AFTER_FAILED_ATTEMPTS = 3;
/**
 * Or after failing this long since a server last answered, for a host that hangs rather
 * than refuses (each attempt then waits out the Welcome timeout): players are back within 10 s.
 */
export const MATCHMAKE_AFTER_LOSS_MS = 5_000;

/** Clock-sync ping period once the estimate is ready. */
export const PING_INTERVAL_MS = 1_000;
/** Faster pings right after Welcome so the clock estimate is ready within a few hundred ms. */
export const PING_BURST_INTERVAL_MS = 100;
/** Number of fast pings after each Welcome. */
export const PING_BURST_COUNT = 6;

/** Chat and commands waiting for delivery: beyond this the game gets an error, never a silent drop. */
export const RELIABLE_BUFFER_CAPACITY = 128;

/**
 * Above this many bytes queued on the socket, inputs are coalesced (latest wins) instead of
 * queued. An input frame is about 13 bytes, so this is roughly 20 inputs: a second of
 * backlog at 20 Hz, already stale.
 */
export const INPUT_BUFFERED_THRESHOLD = 256;

/**
 * Most an input is sent ahead of its tick. The lead grows with every input that misses its
 * tick, so it covers the path's jitter: ±60 ms of round-trip jitter needs about 60 ms; three
 * ticks at 20 Hz leave room for worse without letting a bad spell add unbounded latency.
 */
export const MAX_INPUT_LEAD_MS = 150;

/** Visual correction of the local player decays to about 5% over this time. */
export const CORRECTION_DECAY_MS = 150;

/** Remote entities are extrapolated at most this long when snapshots are late, then held. */
export const MAX_EXTRAPOLATION_MS = 100;
/**
 * When snapshots return after a hold, a remote entity slides from where it was drawn to
 * where it belongs over this long, easing in and out: at its own speed at first, at most
 * 1 + 1.5 × gap / 500 ms of it mid-way, so a 500 ms stall's gap (~400 ms of motion) is
 * crossed at about 2× its speed. An exponential slide (200 ms time constant) leapt to 3× at
 * once, which the feel tool counted as a visible jump about one run in three.
 */
export const HOLD_SLIDE_MS = 500;
/** Holds shorter than this (jitter, not a stall) end with a snap: one fast frame instead of ten. */
export const MIN_BLENDED_HOLD_MS = 200;

/** Net stats graph history: one sample every 100 ms, 24 s shown. */
export const STATS_SAMPLE_INTERVAL_MS = 100;
export const STATS_HISTORY_LENGTH = 240;
/** Window over which rates (bytes/s, snapshots/s, corrections/s) are measured. */
export const STATS_RATE_WINDOW_MS = 1_000;
