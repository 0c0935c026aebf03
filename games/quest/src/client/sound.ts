/**
 * Quest's few sounds, synthesized with Web Audio (no sound files): a soft tick when a walk
 * target is set, a two-note blip when someone's chat bubble appears, a low note when the
 * server says no. Browsers only allow audio after a user gesture, so the context is created
 * on the first click or key press. M mutes (remembered).
 */
const MUTE_KEY = "quest.muted";
/** Overall loudness: these play often, so they stay quiet. */
const VOLUME = 0.08;

let context: AudioContext | null = null;
let muted = localStorage.getItem(MUTE_KEY) === "1";

/** Call from a user gesture (pointer or key handler): creates or resumes the audio context. */
export function unlockAudio(): void {
  if (context === null && typeof AudioContext !== "undefined") context = new AudioContext();
  if (context?.state === "suspended") void context.resume();
}

export function toggleMute(): boolean {
  muted = !muted;
  localStorage.setItem(MUTE_KEY, muted ? "1" : "0");
  return muted;
}

/** One enveloped note: frequency glides from `from` to `to` Hz over `ms`. */
function note(from: number, to: number, ms: number, type: OscillatorType, delayMs = 0, gain = 1): void {
  if (muted || context === null || context.state !== "running") return;
  const start = context.currentTime + delayMs / 1000;
  const end = start + ms / 1000;
  const osc = context.createOscillator();
  const amp = context.createGain();
  osc.type = type;
  osc.frequency.setValueAtTime(from, start);
  osc.frequency.exponentialRampToValueAtTime(to, end);
  amp.gain.setValueAtTime(0.0001, start);
  amp.gain.exponentialRampToValueAtTime(VOLUME * gain, start + 0.008);
  amp.gain.exponentialRampToValueAtTime(0.0001, end);
  osc.connect(amp).connect(context.destination);
  osc.start(start);
  osc.stop(end + 0.02);
}

export const sounds = {
  target: () => note(1400, 900, 45, "triangle", 0, 0.6),
  chat: () => {
    note(660, 660, 70, "square", 0, 0.35);
    note(990, 990, 90, "square", 60, 0.35);
  },
  refused: () => note(220, 150, 160, "triangle"),
};
