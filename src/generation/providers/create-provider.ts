import type { Env } from '../../config/env';
import type { MusicProvider } from './music-provider';
import { createSynthProvider } from './synth-provider';

/** Default song length per provider, ms: a short synth demo, a full ElevenLabs song. */
export function songLengthMs(e: Env): number {
  return e.SONG_LENGTH_MS ?? (e.MUSIC_PROVIDER === 'synth' ? 24_000 : 150_000);
}

/**
 * The configured music provider (`MUSIC_PROVIDER`).
 * @throws Error for `elevenlabs`, whose provider is not built yet (issue 5).
 */
export function createMusicProvider(e: Env): MusicProvider {
  if (e.MUSIC_PROVIDER === 'synth') return createSynthProvider({ latencyMs: e.SYNTH_LATENCY_MS });
  throw new Error('MUSIC_PROVIDER=elevenlabs is not available yet; use synth');
}
