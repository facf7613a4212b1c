import { describe, expect, it } from 'vitest';
import { decodeMp3 } from '../../src/demo/decode-audio';
import { buildSongPrompt } from '../../src/generation/prompt';
import { planSong } from '../../src/generation/providers/synth-music';
import { createSynthProvider } from '../../src/generation/providers/synth-provider';

const c = { recipientName: 'Ada', occasion: 'birthday', occasionDate: '2026-12-24', genre: 'folk', mood: 'warm', story: 's', language: 'en' };
const orderId = '6f2a1c3e-0000-4000-8000-000000000001';

describe('synth provider', () => {
  const provider = createSynthProvider();

  it('produces MP3 audio that decodes to the requested length', async () => {
    const song = await provider.generate(buildSongPrompt(c, 1), { orderId, variantNumber: 1, lengthMs: 5000 });
    expect(song.contentType).toBe('audio/mpeg');
    const audio = await decodeMp3(song.audio);
    expect(audio.durationMs).toBeGreaterThan(4900);
    expect(audio.durationMs).toBeLessThan(5200);
    expect(audio.rms).toBeGreaterThan(0.02); // not silence
  });

  it('is deterministic for the same order and variant', async () => {
    const a = await provider.generate(buildSongPrompt(c, 2), { orderId, variantNumber: 2, lengthMs: 3000 });
    const b = await provider.generate(buildSongPrompt(c, 2), { orderId, variantNumber: 2, lengthMs: 3000 });
    expect(Buffer.from(a.audio).equals(Buffer.from(b.audio))).toBe(true);
  });

  it('differs audibly per variant: tempo bands never overlap, audio bytes differ', async () => {
    const plans = [1, 2, 3].map((n) => planSong(orderId, 'warm', n));
    const bpms = plans.map((p) => p.bpm).sort((x, y) => x - y);
    expect(bpms[1]! - bpms[0]!).toBeGreaterThanOrEqual(6);
    expect(bpms[2]! - bpms[1]!).toBeGreaterThanOrEqual(6);
    const songs = await Promise.all([1, 2, 3].map((n) => provider.generate(buildSongPrompt(c, n), { orderId, variantNumber: n, lengthMs: 3000 })));
    expect(new Set(songs.map((s) => Buffer.from(s.audio).toString('base64'))).size).toBe(3);
  });

  it('honours an abort signal during simulated latency', async () => {
    const slow = createSynthProvider({ latencyMs: 5000 });
    const ac = new AbortController();
    const p = slow.generate(buildSongPrompt(c, 1), { orderId, variantNumber: 1, lengthMs: 3000, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow(/abort/i);
  });
});
