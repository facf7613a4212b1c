import { describe, expect, it } from 'vitest';
import { buildSongPrompt, genreStyleWords, MAX_PROMPT_CHARS, moodStyleWords, promptSha256, variantPrompt } from '../../src/generation/prompt';

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

/**
 * Real-world stories (written for this table) that mention artists, bands,
 * song titles and lyrics, in the story and in the free-text genre and mood.
 * For each: the style words the prompt asks for, and the artist mentions that
 * must not be among them. The story itself stays, word for word, in the lyrics
 * guidance: it is the customer's memory.
 */
const SNIPPETS: {
  name: string;
  genre: string;
  mood: string;
  story: string;
  /** What the prompt's opening sentence asks for. */
  style: string;
  /** Names that must not appear outside the quoted story. */
  names: string[];
}[] = [
  {
    name: 'first dance to a band',
    genre: 'pop rock',
    mood: 'romantic',
    story: 'Our first dance was to a Coldplay song, Yellow, in her parents’ garden.',
    style: 'An original song in the spirit of pop rock, romantic in mood',
    names: ['Coldplay', 'Yellow'],
  },
  {
    name: 'sings an artist in the car',
    genre: 'soul',
    mood: 'joyful',
    story: 'She sings Adele in the car at the top of her lungs, every single morning.',
    style: 'An original song in the spirit of soul, joyful in mood',
    names: ['Adele'],
  },
  {
    name: 'artist-style genre',
    genre: 'Coldplay-style indie rock',
    mood: 'uplifting',
    story: 'We met at a festival in the mud.',
    style: 'An original song in the spirit of indie rock, uplifting in mood',
    names: ['Coldplay'],
  },
  {
    name: '"like <artist>" genre',
    genre: 'folk like Bob Dylan',
    mood: 'nostalgic',
    story: 'Dad taught me guitar on a porch in Ohio.',
    style: 'An original song in the spirit of folk, nostalgic in mood',
    names: ['Bob', 'Dylan'],
  },
  {
    name: 'genre is only a band',
    genre: 'ABBA',
    mood: 'happy',
    story: 'Mum and her sisters dance to Dancing Queen at every wedding.',
    style: 'An original song in the spirit of contemporary pop, happy in mood',
    names: ['ABBA', 'Dancing Queen'],
  },
  {
    name: 'artist in the mood',
    genre: 'country',
    mood: 'Taylor Swift breakup energy',
    story: 'He finally moved out and she is thriving.',
    style: 'An original song in the spirit of country, breakup energy in mood',
    names: ['Taylor', 'Swift'],
  },
  {
    name: '"-esque" mood and a lyric quote',
    genre: 'jazz',
    mood: 'Sinatra-esque swagger',
    story: 'He always says "fly me to the moon" when he wants to travel.',
    style: 'An original song in the spirit of jazz, swagger in mood',
    names: ['Sinatra'],
  },
  {
    name: '"in the style of" genre, song title in story',
    genre: 'in the style of Queen',
    mood: 'epic',
    story: 'We scream Bohemian Rhapsody on every road trip.',
    style: 'An original song in the spirit of contemporary pop, epic in mood',
    names: ['Queen', 'Bohemian'],
  },
  {
    name: 'hip hop with a rapper',
    genre: 'hip hop, Kendrick vibes',
    mood: 'proud',
    story: 'He graduated first in his family; Kendrick Lamar got him through finals.',
    style: 'An original song in the spirit of hip hop, proud in mood',
    names: ['Kendrick', 'Lamar'],
  },
  {
    name: 'no artist at all (control)',
    genre: 'acoustic folk',
    mood: 'warm, gentle',
    story: 'Forty years of Sunday pancakes.',
    style: 'An original song in the spirit of acoustic folk, warm, gentle in mood',
    names: [],
  },
];

describe('buildSongPrompt with stories that mention artists, bands, song titles and lyrics', () => {
  it.each(SNIPPETS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const p = buildSongPrompt({ ...base, genre: s.genre, mood: s.mood, story: s.story }, 1);
    expect(p.text.startsWith(s.style)).toBe(true);
    // The story is kept whole, in the lyrics guidance only.
    const [outside, quoted] = [p.text.slice(0, p.text.indexOf('Lyrics draw on this story:')), p.text.slice(p.text.indexOf('Lyrics draw on this story:'))];
    expect(quoted).toContain(`"${s.story}"`);
    for (const name of s.names) expect(outside).not.toContain(name);
    expect(outside).toMatch(/any artist or song in the story is a memory, not a style/);
    expect(p.text.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
  });
});

describe('style words', () => {
  it.each([
    ['indie pop', 'indie pop'],
    ['Coldplay-style rock', 'rock'],
    ['R&B like Beyoncé', 'r&b'],
    ['lo-fi hip-hop', 'lo-fi hip-hop'],
    ['sea shanty', 'shanty'],
    ['Radiohead', 'contemporary pop'],
  ])('genre %j → %j', (genre, style) => {
    expect(genreStyleWords(genre)).toBe(style);
  });

  it.each([
    ['joyful', 'joyful'],
    ['Happy', 'happy'],
    ['like Adele after a breakup', 'heartfelt'],
    ['Beatles-esque whimsy', 'whimsy'],
    ['dreamy, Lana Del Rey sad', 'dreamy, sad'],
  ])('mood %j → %j', (mood, style) => {
    expect(moodStyleWords(mood)).toBe(style);
  });
});

describe('variantPrompt', () => {
  it('sends a revision as is, with its source; the original otherwise', () => {
    expect(variantPrompt(base, 2, undefined)).toEqual(buildSongPrompt(base, 2));
    const revised = variantPrompt(base, 2, { source: 'operator', prompt: 'An original song for Maya', compositionPlan: null });
    expect([revised.text, revised.source, revised.styleName]).toEqual(['An original song for Maya', 'operator', buildSongPrompt(base, 2).styleName]);
    expect(promptSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
