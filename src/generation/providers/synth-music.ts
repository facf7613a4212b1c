import { createHash } from 'node:crypto';

/**
 * A small deterministic music synthesiser: chords, bass, a melody and drums,
 * rendered to 16-bit mono PCM. Every musical choice comes from a seeded PRNG, so
 * one seed always gives the same song and different seeds audibly differ in key,
 * tempo, progression and melody.
 */

export interface SynthPlan {
  sampleRate: number;
  bpm: number;
  rootMidi: number;
  minor: boolean;
  progression: number[]; // scale degrees, 0-based
  melodySeed: number;
}

/** mulberry32: tiny, fast, good enough for musical choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];
const PROGRESSIONS = [
  [0, 4, 5, 3],
  [0, 5, 3, 4],
  [0, 3, 4, 4],
  [5, 3, 0, 4],
  [0, 3, 0, 4],
];
const SAD_MOODS = /sad|melanchol|bitter|nostalg|somber|sombre|blue|heart.?broken|wistful|moody|dark/i;

/** Chooses key, mode, tempo and progression from the seed and the mood. */
export function planSong(seed: string, mood: string, variantNumber: number, sampleRate = 22050): SynthPlan {
  const rand = prng(seedOf(`${seed}:${variantNumber}`));
  const minor = SAD_MOODS.test(mood) ? rand() < 0.8 : rand() < 0.2;
  // Each variant gets its own tempo band, so the three are told apart at once.
  const bands = [
    [92, 112],
    [118, 140],
    [68, 86],
  ] as const;
  const [lo, hi] = bands[(variantNumber - 1) % bands.length]!;
  return {
    sampleRate,
    bpm: Math.round(lo + rand() * (hi - lo)),
    rootMidi: 52 + Math.floor(rand() * 12), // E3..D#4
    minor,
    progression: PROGRESSIONS[Math.floor(rand() * PROGRESSIONS.length)]!,
    melodySeed: Math.floor(rand() * 2 ** 31),
  };
}

const midiToHz = (m: number) => 440 * 2 ** ((m - 69) / 12);

/**
 * Renders `lengthMs` of audio for a plan.
 * @returns 16-bit signed mono samples at `plan.sampleRate`.
 */
export function renderSong(plan: SynthPlan, lengthMs: number): Int16Array {
  const { sampleRate, bpm } = plan;
  const total = Math.floor((lengthMs / 1000) * sampleRate);
  const out = new Float32Array(total);
  const scale = plan.minor ? MINOR : MAJOR;
  const beat = (60 / bpm) * sampleRate; // samples per beat
  const bar = beat * 4;
  const note = (degree: number, octave = 0) => plan.rootMidi + 12 * (octave + Math.floor(degree / 7)) + scale[((degree % 7) + 7) % 7]!;
  const rand = prng(plan.melodySeed);

  const addTone = (startS: number, lenS: number, hz: number, gain: number, shape: 'sine' | 'tri' | 'square') => {
    const end = Math.min(total, Math.floor(startS + lenS));
    const attack = Math.min(0.01 * sampleRate, lenS / 4);
    for (let i = Math.max(0, Math.floor(startS)); i < end; i++) {
      const t = (i - startS) / sampleRate;
      const phase = (t * hz) % 1;
      let v: number;
      if (shape === 'sine') v = Math.sin(2 * Math.PI * phase);
      else if (shape === 'tri') v = 1 - 4 * Math.abs(phase - 0.5);
      else v = phase < 0.5 ? 0.6 : -0.6;
      const pos = i - startS;
      const env = Math.min(1, pos / attack) * Math.exp((-3 * pos) / lenS);
      out[i]! += v * gain * env;
    }
  };
  const addKick = (startS: number) => {
    const len = 0.15 * sampleRate;
    for (let i = 0; i < len && startS + i < total; i++) {
      const t = i / sampleRate;
      out[Math.floor(startS + i)]! += Math.sin(2 * Math.PI * (50 + 100 * Math.exp(-t * 30)) * t) * 0.5 * Math.exp(-t * 18);
    }
  };
  const addHat = (startS: number) => {
    const len = 0.04 * sampleRate;
    for (let i = 0; i < len && startS + i < total; i++) out[Math.floor(startS + i)]! += (rand() * 2 - 1) * 0.08 * (1 - i / len);
  };

  let melodyDegree = 7;
  for (let b = 0; b * bar < total; b++) {
    const chord = plan.progression[b % plan.progression.length]!;
    const start = b * bar;
    for (const d of [0, 2, 4]) addTone(start, bar, midiToHz(note(chord + d)), 0.09, 'tri');
    addTone(start, bar / 2, midiToHz(note(chord, -1)), 0.22, 'sine');
    addTone(start + bar / 2, bar / 2, midiToHz(note(chord, -1)), 0.22, 'sine');
    for (let k = 0; k < 4; k++) {
      if (k % 2 === 0) addKick(start + k * beat);
      addHat(start + k * beat + beat / 2);
    }
    // Melody: a seeded walk over the scale, pulled towards chord tones.
    for (let s = 0; s < 8; s++) {
      if (rand() < 0.2) continue;
      melodyDegree += Math.floor(rand() * 5) - 2;
      if (s % 4 === 0) melodyDegree = chord + 7 + [0, 2, 4][Math.floor(rand() * 3)]!;
      melodyDegree = Math.max(3, Math.min(14, melodyDegree));
      const len = (rand() < 0.3 ? 2 : 1) * (beat / 2);
      addTone(start + s * (beat / 2), len, midiToHz(note(melodyDegree)), 0.16, 'square');
    }
  }

  // Fade in/out, then normalise to -1 dBFS.
  const fade = Math.min(total / 4, 0.5 * sampleRate);
  let peak = 1e-9;
  for (let i = 0; i < total; i++) {
    const g = Math.min(1, i / fade, (total - i) / fade);
    out[i]! *= g;
    peak = Math.max(peak, Math.abs(out[i]!));
  }
  const pcm = new Int16Array(total);
  const norm = (0.89 * 32767) / peak;
  for (let i = 0; i < total; i++) pcm[i] = Math.round(out[i]! * norm);
  return pcm;
}
