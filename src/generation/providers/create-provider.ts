import type { Env } from '@/config/env';
import type { MusicProvider } from './music-provider';
import type { VariantRetryPolicy } from '../generate-song';
import { createElevenLabsProvider } from './elevenlabs-provider';
import { createSynthProvider } from './synth-provider';

/** Default song length per provider, ms: a short synth demo, a full ElevenLabs song. */
export function songLengthMs(e: Env): number {
  return e.SONG_LENGTH_MS ?? (e.MUSIC_PROVIDER === 'synth' ? 24_000 : 150_000);
}

/** The configured music provider (`MUSIC_PROVIDER`). */
export function createMusicProvider(e: Env): MusicProvider {
  if (e.MUSIC_PROVIDER === 'synth') return createSynthProvider({ latencyMs: e.SYNTH_LATENCY_MS });
  return createElevenLabsProvider({
    apiKey: e.ELEVENLABS_API_KEY!,
    baseUrl: e.ELEVENLABS_BASE_URL,
    attemptTimeoutMs: e.GENERATION_ATTEMPT_TIMEOUT_MS,
    modelId: e.ELEVENLABS_MUSIC_MODEL,
    outputFormat: e.ELEVENLABS_OUTPUT_FORMAT,
  });
}

/** The variant retry policy from env (see src/generation/generate-song.ts). */
export function variantRetryPolicy(e: Env): VariantRetryPolicy {
  return {
    maxAttempts: e.GENERATION_MAX_ATTEMPTS,
    backoff: { baseMs: e.GENERATION_RETRY_BASE_MS, capMs: e.GENERATION_RETRY_MAX_MS },
    maxRateLimitWaits: e.GENERATION_MAX_ATTEMPTS * 4,
    pausePollMs: e.GENERATION_PAUSE_POLL_MS,
  };
}
