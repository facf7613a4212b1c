import { MPEGDecoder } from 'mpg123-decoder';

export interface DecodedAudio {
  sampleRate: number;
  channels: number;
  /** Decoded length, ms. */
  durationMs: number;
  /** Root-mean-square level of channel 0, 0..1 (silence is ~0). */
  rms: number;
}

/**
 * Decodes MP3 bytes with mpg123 (WebAssembly) to prove they are real audio.
 * @throws Error when nothing decodes or the decoder reports errors.
 */
export async function decodeMp3(bytes: Uint8Array): Promise<DecodedAudio> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const result = decoder.decode(bytes);
    if (result.errors.length > 0) throw new Error(`MP3 decode errors: ${result.errors.map((e) => e.message).join('; ')}`);
    if (result.samplesDecoded === 0) throw new Error('no audio frames decoded');
    const ch = result.channelData[0]!;
    let sum = 0;
    for (let i = 0; i < ch.length; i++) sum += ch[i]! * ch[i]!;
    return {
      sampleRate: result.sampleRate,
      channels: result.channelData.length,
      durationMs: Math.round((result.samplesDecoded / result.sampleRate) * 1000),
      rms: Math.sqrt(sum / ch.length),
    };
  } finally {
    decoder.free();
  }
}
