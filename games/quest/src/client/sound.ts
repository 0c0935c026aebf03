/**
 * Quest's few sounds, synthesized with Web Audio (no sound files): a soft tick when a walk
 * target is set, a two-note blip when someone's chat bubble appears, a low note when the
 * server says no; in a fight a short thud for a hit (lower when it is you who is hit), a
 * falling sweep for a death, a rising pair for a pickup and a little fanfare for an achievement. Browsers only allow audio after a user gesture, so the context is created
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
  hit: (taken: boolean) => {
    note(taken ? 180 : 320, taken ? 70 : 110, 90, "square", 0, 0.5);
    note(taken ? 900 : 1400, 400, 30, "sawtooth", 0, 0.25);
  },
  death: () => {
    note(440, 60, 420, "sawtooth", 0, 0.4);
    note(220, 40, 420, "square", 40, 0.3);
  },
  pickup: () => {
    note(660, 880, 60, "triangle", 0, 0.6);
    note(990, 1320, 90, "triangle", 60, 0.6);
  },
  achievement: () => {
    note(523, 523, 110, "square", 0, 0.35);
    note(659, 659, 110, "square", 110, 0.35);
    note(784, 784, 110, "square", 220, 0.35);
    note(1047, 1047, 260, "square", 330, 0.35);
  },
};
