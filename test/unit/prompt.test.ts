import { describe, expect, it } from 'vitest';
import { buildSongPrompt, MAX_PROMPT_CHARS } from '../../src/generation/prompt';

const base = {
  recipientName: 'Maya',
  occasion: 'birthday',
  occasionDate: '2026-12-24',
  genre: 'indie pop',
  mood: 'joyful',
  story: 'She learned to surf this summer.',
  language: 'en',
};

describe('buildSongPrompt', () => {
  it('puts the name, occasion, date, genre, mood and story into the prompt', () => {
    const p = buildSongPrompt(base, 1);
    for (const part of ['Maya', 'birthday', '2026-12-24', 'indie pop', 'joyful', 'learned to surf']) {
      expect(p.text).toContain(part);
    }
    expect(p.text).toMatch(/do not imitate or name any real artist/i);
  });

  it('gives each of the three variants a different arrangement', () => {
    const texts = [1, 2, 3].map((n) => buildSongPrompt(base, n));
    expect(new Set(texts.map((t) => t.styleName)).size).toBe(3);
    expect(new Set(texts.map((t) => t.text)).size).toBe(3);
  });

  it('is deterministic', () => {
    expect(buildSongPrompt(base, 2)).toEqual(buildSongPrompt(base, 2));
  });

  it('keeps under the 2000-character limit with a maximal story, cut on a word boundary', () => {
    const story = 'word '.repeat(400).trim(); // 1999 chars
    const p = buildSongPrompt({ ...base, story, recipientName: 'N'.repeat(100), occasion: 'O'.repeat(100) }, 3);
    expect(p.text.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
    expect(p.text).toMatch(/word…"$/);
  });

  it('strips control characters and collapses whitespace from customer text', () => {
    const p = buildSongPrompt({ ...base, story: 'line one\n\n\tline\u0000two' }, 1);
    expect(p.text).toContain('"line one line two"');
  });
});
