import { type ElevenLabs, ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ELEVENLABS_MP3_FORMATS, ELEVENLABS_MUSIC_MODELS } from '@/config/env';
import type { SongPrompt } from '../prompt';
import { classifyElevenLabsError } from './elevenlabs-errors';
import type { GeneratedSong, GenerateOptions, MusicProvider } from './music-provider';

export interface ElevenLabsProviderOptions {
  apiKey: string;
  /** API base URL; tests point it at a local stub. Default: ElevenLabs production. */
  baseUrl?: string;
  /** Longest one call may take before it is aborted, ms. Generation takes 30–120 s. */
  attemptTimeoutMs: number;
  /** `model_id` (ELEVENLABS_MUSIC_MODEL). Default `music_v2_5`. */
  modelId?: (typeof ELEVENLABS_MUSIC_MODELS)[number];
  /** `output_format`, an MP3 format (ELEVENLABS_OUTPUT_FORMAT). Default `mp3_44100_128`. */
  outputFormat?: (typeof ELEVENLABS_MP3_FORMATS)[number];
}

type BodyComposeMusicV1MusicPostCompositionPlan = ElevenLabs.BodyComposeMusicV1MusicPostCompositionPlan;

/**
 * ElevenLabs' wire JSON (snake_case, e.g. a `composition_plan_suggestion`) as
 * the SDK's request types (camelCase), which the SDK serialises back to the wire.
 */
function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), camelizeKeys(v)]));
}

/** Reads a web stream to the end. */
async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * The production music provider: ElevenLabs Music through the official SDK
 * (`music.compose`, raw response for the `song-id` header), with the
 * configured model and MP3 output format (default `music_v2_5`, 44.1 kHz 128 kbps).
 *
 * - SDK retries are off (`maxRetries: 0`): the workflow owns retries, and every
 *   call costs credits.
 * - Each call has its own timeout (`attemptTimeoutMs`) and honours the abort
 *   signal. Its undici dispatcher allows headers and body for longer than that,
 *   because Node's default 300 s `headersTimeout` would otherwise cut long
 *   generations first.
 * @throws the classified provider errors of ./elevenlabs-errors.ts.
 */
export function createElevenLabsProvider(options: ElevenLabsProviderOptions): MusicProvider {
  const dispatcher = new Agent({
    headersTimeout: options.attemptTimeoutMs + 30_000,
    bodyTimeout: options.attemptTimeoutMs + 30_000,
    connectTimeout: 15_000,
  });
  const client = new ElevenLabsClient({
    apiKey: options.apiKey,
    ...(options.baseUrl && { baseUrl: options.baseUrl }),
    maxRetries: 0,
    timeoutInSeconds: options.attemptTimeoutMs / 1000,
    fetch: ((input: string | URL, init?: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch,
  });
  const modelId = options.modelId ?? 'music_v2_5';
  const outputFormat = options.outputFormat ?? 'mp3_44100_128';
  return {
    name: 'elevenlabs',
    async generate(prompt: SongPrompt, { lengthMs, signal }: GenerateOptions): Promise<GeneratedSong> {
      try {
        const { data, rawResponse } = await client.music
          .compose(
            // A composition plan replaces the prompt and sets the length itself (sections' durations).
            prompt.compositionPlan
              ? { compositionPlan: camelizeKeys(prompt.compositionPlan) as BodyComposeMusicV1MusicPostCompositionPlan, modelId, outputFormat }
              : { prompt: prompt.text, musicLengthMs: lengthMs, modelId, outputFormat },
            { maxRetries: 0, timeoutInSeconds: options.attemptTimeoutMs / 1000, abortSignal: signal },
          )
          .withRawResponse();
        const audio = await collect(data);
        if (audio.length === 0) throw new Error('ElevenLabs returned an empty body');
        return {
          audio,
          contentType: 'audio/mpeg',
          extension: 'mp3',
          durationMs: lengthMs,
          providerSongId: rawResponse.headers.get('song-id'),
        };
      } catch (err) {
        throw classifyElevenLabsError(err);
      }
    },
  };
}
