import { Mp3Encoder } from '@breezystack/lamejs';
import { setTimeout as delay } from 'node:timers/promises';
import type { SongPrompt } from '../prompt';
import type { GeneratedSong, GenerateOptions, MusicProvider } from './music-provider';
import { planSong, renderSong } from './synth-music';

const KBPS = 64;

/** Encodes 16-bit mono PCM to MP3 with lamejs (pure JS, no native code). */
export function encodeMp3(pcm: Int16Array, sampleRate: number): Uint8Array {
  const encoder = new Mp3Encoder(1, sampleRate, KBPS);
  const chunks: Uint8Array[] = [];
  const block = 1152 * 16;
  for (let i = 0; i < pcm.length; i += block) {
    const buf = encoder.encodeBuffer(pcm.subarray(i, i + block));
    if (buf.length) chunks.push(new Uint8Array(buf));
  }
  const tail = encoder.flush();
  if (tail.length) chunks.push(new Uint8Array(tail));
  return Buffer.concat(chunks);
}

/**
 * The local default provider: deterministic, offline, real MP3 audio
 * (`audio/mpeg`, 22.05 kHz mono, 64 kbps). Key, tempo, progression and melody
 * are seeded by order id and variant number, so variants audibly differ.
 *
 * @param latencyMs simulated generation time per call (ms), honouring the abort
 *   signal; 0 for none. Lets demos and crash tests see work in flight.
 */
export function createSynthProvider(options: { latencyMs?: number } = {}): MusicProvider {
  return {
    name: 'synth',
    async generate(prompt: SongPrompt, { orderId, variantNumber, lengthMs, signal }: GenerateOptions): Promise<GeneratedSong> {
      if (options.latencyMs) await delay(options.latencyMs, undefined, { signal });
      signal?.throwIfAborted();
      const plan = planSong(orderId, prompt.mood, variantNumber);
      const pcm = renderSong(plan, lengthMs);
      return {
        audio: encodeMp3(pcm, plan.sampleRate),
        contentType: 'audio/mpeg',
        extension: 'mp3',
        durationMs: Math.round((pcm.length / plan.sampleRate) * 1000),
        providerSongId: null,
      };
    },
  };
}
