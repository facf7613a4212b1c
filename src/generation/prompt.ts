import { createHash } from 'node:crypto';
import type { Customization } from '../db/customizations';
import type { PromptRevision, PromptSource } from '../db/variant-attempt-reads';

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
  /** Text sent to the music model; at most MAX_PROMPT_CHARS characters. Customer text: never log it. */
  text: string;
  /** `original` (built here) or the revision it came from (provider suggestion, operator). */
  source: PromptSource;
  /**
   * Sent instead of `text` when set: a composition plan in ElevenLabs' wire
   * shape (snake_case), from a `composition_plan_suggestion`.
   */
  compositionPlan?: Record<string, unknown>;
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
 * Genre words a style may be built from. A customer's genre field is free text
 * ("Coldplay-style indie rock", "like Adele"), and ElevenLabs Music rejects a
 * prompt that names a real artist (400 `bad_prompt`; docs: "Copyrighted
 * material", https://elevenlabs.io/docs/cookbooks/music/quickstart). Only these
 * words, as the customer wrote them, become style words; multi-word terms first.
 */
const GENRE_TERMS = [
  'drum and bass',
  'singer-songwriter',
  'musical theatre',
  'bossa nova',
  'hip hop',
  'hip-hop',
  'soft rock',
  'synth-pop',
  'lo-fi',
  'k-pop',
  'r&b',
  'indie',
  'pop',
  'rock',
  'folk',
  'jazz',
  'country',
  'soul',
  'blues',
  'funk',
  'disco',
  'electronic',
  'edm',
  'house',
  'techno',
  'classical',
  'orchestral',
  'reggae',
  'reggaeton',
  'punk',
  'metal',
  'gospel',
  'latin',
  'salsa',
  'samba',
  'acoustic',
  'ballad',
  'rap',
  'afrobeat',
  'afrobeats',
  'dance',
  'ambient',
  'synthpop',
  'swing',
  'bluegrass',
  'celtic',
  'opera',
  'lullaby',
  'chanson',
  'flamenco',
  'grunge',
  'emo',
  'trap',
  'britpop',
  'shanty',
  'polka',
  'waltz',
  'tango',
  'cumbia',
  'americana',
  'motown',
  'doo-wop',
  'big band',
  'piano',
  'guitar',
];
const GENRE_PATTERN = new RegExp(`(?<![\\w-])(${GENRE_TERMS.map((t) => t.replace(/[.*+?^${}()|[\]\\&]/g, '\\$&')).join('|')})(?![\\w-])`, 'gi');

/** "like Adele", "in the style of Queen", "inspired by ABBA", "à la Elvis": everything from the cue on is an artist reference. */
const ARTIST_CUE =
  /\b(?:like|in the (?:style|vein|spirit) of|style of|inspired by|influenced by|a la|à la|similar to|sounds? like|think|ala|vibes? of|reminiscent of|by)\b.*$/i;
/** "Coldplay-style", "Beatles-esque", "Adele-like", "Swift-inspired": a name glued to a style suffix. */
const ARTIST_SUFFIX = /\S+-(?:style|styled|esque|like|inspired|type|vibes?)\b/gi;

/**
 * The style words of a free-text genre: the known genre terms it contains, in
 * its order, lower-cased; never a name. Without one, `fallback`.
 */
export function genreStyleWords(genre: string, fallback = 'contemporary pop'): string {
  const cleaned = clean(genre).replace(ARTIST_SUFFIX, ' ').replace(ARTIST_CUE, ' ');
  const terms = [...new Set([...cleaned.matchAll(GENRE_PATTERN)].map((m) => m[1]!.toLowerCase()))];
  return terms.length ? terms.join(' ') : fallback;
}

/**
 * The style words of a free-text mood: artist cues and "X-style" words dropped,
 * then every word with a capital letter (a name, "Adele", "ABBA"), lower-cased.
 * Without any left, `fallback`.
 */
export function moodStyleWords(mood: string, fallback = 'heartfelt'): string {
  const words = clean(mood)
    .replace(ARTIST_SUFFIX, ' ')
    .replace(ARTIST_CUE, ' ')
    .split(' ')
    .filter((w) => w && (!/\p{Lu}/u.test(w) || isMoodWord(w)));
  const text = words
    .join(' ')
    .toLowerCase()
    .replace(/^[\s,;:.!-]+|[\s,;:.!-]+$/g, '');
  return text || fallback;
}

/** Common mood adjectives a customer may capitalise ("Happy"): words, not names. */
function isMoodWord(word: string): boolean {
  return /^(?:happy|warm|joyful|romantic|nostalgic|sad|upbeat|calm|playful|tender|epic|dreamy|energetic|gentle|bittersweet|hopeful|grateful|fun|funny|sweet|emotional|peaceful|celebratory|loving|melancholic|chill|cheerful|heartfelt|proud|uplifting)[,.!]?$/i.test(
    word,
  );
}

/** sha256 of a prompt's text (hex): what audit rows and logs carry instead of the text. */
export function promptSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 (hex) of what a prompt sends: its composition plan (as JSON) when it has one, else its text. */
export function sentPromptSha256(prompt: Pick<SongPrompt, 'text' | 'compositionPlan'>): string {
  return promptSha256(prompt.compositionPlan ? JSON.stringify(prompt.compositionPlan) : prompt.text);
}

/**
 * Builds the music-model prompt for one variant. Pure and deterministic.
 *
 * - Names and story go into lyrics guidance, not into style words.
 * - Style words come only from known genre terms and name-free mood words
 *   (`genreStyleWords`, `moodStyleWords`): "Coldplay-style rock" is asked for
 *   as an original song "in the spirit of rock". An artist the story mentions
 *   stays in the story (it is the customer's memory), marked as not a style.
 * - Never names an artist or band itself: ElevenLabs rejects prompts that
 *   reference real artists (`bad_prompt`), so the prompt asks for an original song.
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
  const genre = genreStyleWords(c.genre);
  const mood = moodStyleWords(c.mood);
  const head = [
    `An original song in the spirit of ${genre}, ${mood} in mood, for ${clean(c.occasion)} on ${c.occasionDate}.`,
    `Arrangement: ${style.direction}.`,
    `Lyrics in language "${clean(c.language)}", written for ${clean(c.recipientName)}; mention the name ${clean(c.recipientName)} in the chorus.`,
    'Do not imitate or name any real artist or band, and quote no existing lyrics; any artist or song in the story is a memory, not a style.',
    'Lyrics draw on this story:',
  ].join(' ');
  const budget = MAX_PROMPT_CHARS - head.length - 4; // space, two quotes, ellipsis
  let story = clean(c.story);
  if (story.length > budget) {
    story = story.slice(0, budget);
    const lastSpace = story.lastIndexOf(' ');
    story = `${lastSpace > budget * 0.8 ? story.slice(0, lastSpace) : story}…`;
  }
  return { text: `${head} "${story}"`.slice(0, MAX_PROMPT_CHARS), source: 'original', variantNumber, styleName: style.name, genre, mood };
}

/**
 * The prompt a variant's attempt sends: its revision's text (a provider
 * suggestion or an operator's replacement) when it has one, else the built one.
 */
export function variantPrompt(
  c: Parameters<typeof buildSongPrompt>[0],
  variantNumber: number,
  revision: Pick<PromptRevision, 'source' | 'prompt' | 'compositionPlan'> | undefined,
): SongPrompt {
  const built = buildSongPrompt(c, variantNumber);
  if (!revision) return built;
  if (revision.compositionPlan) return { ...built, source: revision.source, compositionPlan: revision.compositionPlan };
  return { ...built, text: (revision.prompt ?? built.text).slice(0, MAX_PROMPT_CHARS), source: revision.source };
}
