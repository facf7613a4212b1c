import type { SongPrompt } from '../prompt';

export interface GenerateOptions {
  /** Seed for deterministic providers; the order id. */
  orderId: string;
  variantNumber: number;
  /** Requested song length, ms. */
  lengthMs: number;
  /** Aborts the call (per-attempt timeout, or workflow cancellation). */
  signal?: AbortSignal;
}

export interface GeneratedSong {
  audio: Uint8Array;
  /** MIME type of `audio`, e.g. `audio/mpeg`. */
  contentType: string;
  /** File extension matching `contentType`, without a dot. */
  extension: string;
  durationMs: number;
  /** The provider's id for the song, when it gives one (ElevenLabs `song-id`). */
  providerSongId: string | null;
}

/**
 * A music model. Implementations throw the typed provider errors of
 * src/errors.ts so the workflow can tell retryable from permanent failures:
 * RetryableProviderError (5xx, network, timeout), RateLimitedError (429),
 * PermanentProviderError (400/422/401).
 */
export interface MusicProvider {
  readonly name: string;
  generate(prompt: SongPrompt, options: GenerateOptions): Promise<GeneratedSong>;
}
