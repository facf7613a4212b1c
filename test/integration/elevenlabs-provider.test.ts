import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMp3 } from '../../src/demo/decode-audio';
import { PermanentProviderError, ProviderAccountError, RateLimitedError, RetryableProviderError } from '../../src/errors';
import { buildSongPrompt } from '../../src/generation/prompt';
import { createElevenLabsProvider } from '../../src/generation/providers/elevenlabs-provider';
import { ELEVENLABS_ERRORS, startElevenLabsStub, type StubReply } from '../support/elevenlabs-stub';

let stub: Awaited<ReturnType<typeof startElevenLabsStub>>;
let next: StubReply = { kind: 'ok' };
const prompt = buildSongPrompt(
  { recipientName: 'Maya', occasion: 'birthday', occasionDate: '2027-01-01', genre: 'pop', mood: 'happy', story: 'Surfing.', language: 'en' },
  1,
);
const options = { orderId: '00000000-0000-4000-8000-000000000001', variantNumber: 1, lengthMs: 150_000 };

beforeAll(async () => {
  stub = await startElevenLabsStub({ script: () => next });
});
afterAll(async () => {
  await stub.close();
});

const provider = () => createElevenLabsProvider({ apiKey: 'xi-test-key', baseUrl: stub.url, attemptTimeoutMs: 1000 });

describe('ElevenLabs provider against a local stub of the Music API', () => {
  it('sends the default model (music_v2_5), mp3_44100_128, the length and the key, and returns the MP3 with its song-id', async () => {
    next = { kind: 'ok' };
    const song = await provider().generate(prompt, options);
    expect(stub.calls.at(-1)).toMatchObject({
      modelId: 'music_v2_5',
      outputFormat: 'mp3_44100_128',
      musicLengthMs: 150_000,
      apiKey: 'xi-test-key',
      prompt: prompt.text,
    });
    expect(Buffer.from(song.audio).equals(stub.mp3)).toBe(true);
    expect(song.providerSongId).toMatch(/^song_/);
    expect((await decodeMp3(song.audio)).durationMs).toBeGreaterThan(1900);
  });

  it('sends the configured model and output format (ELEVENLABS_MUSIC_MODEL, ELEVENLABS_OUTPUT_FORMAT); the stub refuses any other', async () => {
    next = { kind: 'ok' };
    const configured = createElevenLabsProvider({
      apiKey: 'xi-test-key',
      baseUrl: stub.url,
      attemptTimeoutMs: 1000,
      modelId: 'music_v2',
      outputFormat: 'mp3_48000_192',
    });
    // The stub expects the defaults: a call with other values is refused, so the values do reach the wire.
    await expect(configured.generate(prompt, options)).rejects.toMatchObject({ providerStatus: 422 });
    expect(stub.calls.at(-1)).toMatchObject({ modelId: 'music_v2', outputFormat: 'mp3_48000_192' });
    const strict = await startElevenLabsStub({ expect: { modelId: 'music_v2', outputFormat: 'mp3_48000_192' } });
    try {
      const ok = createElevenLabsProvider({ apiKey: 'k', baseUrl: strict.url, attemptTimeoutMs: 1000, modelId: 'music_v2', outputFormat: 'mp3_48000_192' });
      expect((await ok.generate(prompt, options)).contentType).toBe('audio/mpeg');
      expect(strict.calls.map((c) => c.status)).toEqual([200]);
    } finally {
      await strict.close();
    }
  });

  it('sends a composition plan (a composition_plan_suggestion, snake_case) instead of the prompt, as the wire had it', async () => {
    next = { kind: 'ok' };
    const plan = {
      positive_global_styles: ['stadium rock', 'anthemic'],
      negative_global_styles: ['lo-fi'],
      sections: [{ section_name: 'Chorus', positive_local_styles: ['big'], negative_local_styles: [], duration_ms: 10_000, lines: ['Maya, Maya'] }],
    };
    await provider().generate({ ...prompt, source: 'provider_suggestion', compositionPlan: plan }, options);
    expect(stub.calls.at(-1)).toMatchObject({ compositionPlan: plan, prompt: '', modelId: 'music_v2_5' });
    expect(stub.calls.at(-1)!.musicLengthMs).toBeNaN(); // the plan's sections set the length
  });

  it('400 bad_composition_plan keeps the composition_plan_suggestion', async () => {
    next = ELEVENLABS_ERRORS.badCompositionPlan({ positive_global_styles: ['stadium rock'], negative_global_styles: [], sections: [] });
    await expect(provider().generate(prompt, options)).rejects.toMatchObject({
      providerStatus: 400,
      detail: { status: 'bad_composition_plan', compositionPlanSuggestion: { positive_global_styles: ['stadium rock'] } },
    });
  });

  it.each([
    [
      '429 concurrent_limit_exceeded with Retry-After',
      ELEVENLABS_ERRORS.concurrentLimit(7),
      RateLimitedError,
      { retryAfterMs: 7000, detail: { status: 'concurrent_limit_exceeded' } },
    ],
    ['429 concurrent_limit_exceeded without Retry-After', ELEVENLABS_ERRORS.concurrentLimit(), RateLimitedError, { retryAfterMs: undefined }],
    ['429 rate_limit_exceeded', ELEVENLABS_ERRORS.rateLimit(), RateLimitedError, { detail: { status: 'rate_limit_exceeded' } }],
    [
      '429 in the newer detail.{type, code} shape',
      ELEVENLABS_ERRORS.newShape(),
      RateLimitedError,
      { retryAfterMs: 2000, detail: { status: 'rate_limit_error', code: 'concurrent_limit_exceeded', requestId: 'req_abc123' } },
    ],
    [
      '400 bad_prompt',
      ELEVENLABS_ERRORS.badPrompt(),
      PermanentProviderError,
      { providerStatus: 400, detail: { status: 'bad_prompt', promptSuggestion: 'An upbeat indie pop song about learning to surf' } },
    ],
    ['422 validation', ELEVENLABS_ERRORS.validation(), PermanentProviderError, { providerStatus: 422, detail: { status: 'validation_error' } }],
    ['401 quota_exceeded', ELEVENLABS_ERRORS.quotaExceeded(), ProviderAccountError, { providerStatus: 401, detail: { status: 'quota_exceeded' } }],
    ['401 invalid key', ELEVENLABS_ERRORS.invalidKey(), ProviderAccountError, { providerStatus: 401 }],
    ['500', ELEVENLABS_ERRORS.serverError(500), RetryableProviderError, { providerStatus: 500, outcomeUnknown: false }],
    ['503', ELEVENLABS_ERRORS.serverError(503), RetryableProviderError, { providerStatus: 503 }],
    ['a connection reset', { kind: 'reset' } as StubReply, RetryableProviderError, { outcomeUnknown: true }],
    ['a response slower than the attempt timeout', { kind: 'hang', ms: 3000 } as StubReply, RetryableProviderError, { outcomeUnknown: true }],
  ])('classifies %s', async (_name, reply, errorClass, fields) => {
    next = reply;
    const err = await provider()
      .generate(prompt, options)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errorClass);
    expect(err).toMatchObject(fields);
    if (errorClass === ProviderAccountError) expect(err).toBeInstanceOf(PermanentProviderError);
  });

  it('makes exactly one request per call: the SDK does not retry behind our back', async () => {
    const before = stub.calls.length;
    next = ELEVENLABS_ERRORS.serverError(503);
    await provider()
      .generate(prompt, options)
      .catch(() => {});
    expect(stub.calls.length - before).toBe(1);
  });

  it('stops when aborted', async () => {
    next = { kind: 'hang', ms: 3000 };
    const ac = new AbortController();
    const pending = provider().generate(prompt, { ...options, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(RetryableProviderError);
  });
});
