import type { Customization } from '../db/customizations';

/** ElevenLabs Music accepts prompts up to 2000 characters. */
export const MAX_PROMPT_CHARS = 2000;

/** What each variant does differently, so the three are worth choosing between. */
export const VARIANT_STYLES = [
  { name: 'signature', direction: 'a faithful take on the genre with a warm, full arrangement' },
  { name: 'uplifting', direction: 'a brighter, faster and more energetic arrangement with a big chorus' },
  { name: 'intimate', direction: 'a stripped-back, slower and more intimate arrangement' },
  { name: 'cinematic', direction: 'a cinematic arrangement that builds to a soaring final chorus' },
  { name: 'playful', direction: 'a playful, bouncy arrangement with a catchy hook' },
] as const;

export interface SongPrompt {
  /** Text sent to the music model; at most MAX_PROMPT_CHARS characters. */
  text: string;
  variantNumber: number;
  styleName: string;
  genre: string;
  mood: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are dropped from customer text
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** Collapses whitespace and drops control characters from customer text. */
function clean(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Builds the music-model prompt for one variant. Pure and deterministic.
 *
 * - Names and story go into lyrics guidance, not into style words.
 * - Never names an artist or band: ElevenLabs rejects prompts that reference
 *   real artists (`bad_prompt`), so the prompt asks for an original song.
 * - The story is shortened (on a word boundary) so the whole prompt fits in
 *   MAX_PROMPT_CHARS.
 *
 * @param variantNumber 1-based; selects the arrangement in VARIANT_STYLES.
 */
export function buildSongPrompt(
  c: Pick<Customization, 'recipientName' | 'occasion' | 'occasionDate' | 'genre' | 'mood' | 'story' | 'language'>,
  variantNumber: number,
): SongPrompt {
  const style = VARIANT_STYLES[(variantNumber - 1) % VARIANT_STYLES.length]!;
  const genre = clean(c.genre);
  const mood = clean(c.mood);
  const head = [
    `An original ${mood} ${genre} song for ${clean(c.occasion)} on ${c.occasionDate}.`,
    `Arrangement: ${style.direction}.`,
    `Lyrics in language "${clean(c.language)}", written for ${clean(c.recipientName)}; mention the name ${clean(c.recipientName)} in the chorus.`,
    'Do not imitate or name any real artist or band.',
    'Lyrics draw on this story:',
  ].join(' ');
  const budget = MAX_PROMPT_CHARS - head.length - 4; // space, two quotes, ellipsis
  let story = clean(c.story);
  if (story.length > budget) {
    story = story.slice(0, budget);
    const lastSpace = story.lastIndexOf(' ');
    story = `${lastSpace > budget * 0.8 ? story.slice(0, lastSpace) : story}…`;
  }
  return { text: `${head} "${story}"`.slice(0, MAX_PROMPT_CHARS), variantNumber, styleName: style.name, genre, mood };
}
