'use client';

import { type FormEvent, type ReactNode, useState } from 'react';
import { CUSTOMIZATION_LIMITS } from '../../../customizations/limits';
import { readApiError } from '../../client/api-error';

export interface SongFormValues {
  recipientName: string;
  occasion: string;
  /** YYYY-MM-DD exactly as the date input gives it: never turned into a Date, so no time zone can shift the day. */
  occasionDate: string;
  genre: string;
  mood: string;
  story: string;
  language: string;
}

const EMPTY: SongFormValues = { recipientName: '', occasion: '', occasionDate: '', genre: 'Pop', mood: 'Joyful', story: '', language: 'en' };
const GENRES = ['Pop', 'Indie pop', 'Rock', 'Folk', 'Acoustic', 'Jazz', 'Soul', 'Hip hop', 'Country', 'Electronic', 'Classical', 'Lullaby'];
const MOODS = ['Joyful', 'Romantic', 'Tender', 'Nostalgic', 'Funny', 'Energetic', 'Calm', 'Bittersweet'];
const LANGUAGES: [string, string][] = [
  ['en', 'English'],
  ['es', 'Spanish'],
  ['fr', 'French'],
  ['de', 'German'],
  ['it', 'Italian'],
  ['pt-BR', 'Portuguese (Brazil)'],
  ['nl', 'Dutch'],
];

/** Keeps a value the API stored (e.g. an earlier genre) selectable even if it is not in the list. */
const withValue = (options: string[], value: string) => (value && !options.includes(value) ? [value, ...options] : options);

type FieldName = keyof SongFormValues;

/**
 * The customization form: creates the customization (`POST /api/customizations`),
 * then the checkout (`POST /api/checkout`), then follows the checkout URL.
 * The API's per-field errors appear beside their fields.
 */
export function SongForm({ initial }: { initial: Partial<SongFormValues> }) {
  const [values, setValues] = useState<SongFormValues>({ ...EMPTY, ...initial });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: FieldName) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: e.target.value }));

  function field(name: FieldName, label: string, control: (a11y: Record<string, unknown>) => ReactNode, hint?: ReactNode) {
    const error = errors[name];
    const describedBy = [hint && `${name}-hint`, error && `${name}-error`].filter(Boolean).join(' ') || undefined;
    return (
      <div className="field">
        <label htmlFor={name}>{label}</label>
        {control({ id: name, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
        {hint && (
          <span id={`${name}-hint`} className="hint">
            {hint}
          </span>
        )}
        {error && (
          <p id={`${name}-error`} className="error" data-testid={`error-${name}`}>
            {error}
          </p>
        )}
      </div>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const created = await fetch('/api/customizations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(values),
      });
      if (!created.ok) {
        const { message, fields } = await readApiError(created);
        const byField = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, `${labelOf(k)} ${v[0]}`]));
        setErrors(byField);
        setFormError(Object.keys(byField).length ? 'Please correct the fields marked below.' : message);
        setBusy(false);
        const first = Object.keys(byField)[0];
        if (first) document.getElementById(first)?.focus();
        return;
      }
      const { id } = (await created.json()) as { id: string };
      const checkout = await fetch('/api/checkout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customizationId: id }),
      });
      if (!checkout.ok) {
        setFormError((await readApiError(checkout)).message);
        setBusy(false);
        return;
      }
      window.location.assign(((await checkout.json()) as { url: string }).url);
    } catch {
      setFormError('Could not reach SongSwipe. Check your connection and try again.');
      setBusy(false);
    }
  }

  const storyLeft = CUSTOMIZATION_LIMITS.story - values.story.length;
  return (
    <form onSubmit={submit} noValidate>
      <div role="alert">{formError && <p className="alert">{formError}</p>}</div>
      <div className="row">
        {field('recipientName', 'Recipient', (a) => (
          <input
            {...a}
            type="text"
            autoComplete="off"
            maxLength={CUSTOMIZATION_LIMITS.recipientName}
            value={values.recipientName}
            onChange={set('recipientName')}
          />
        ))}
        {field('occasion', 'Occasion', (a) => (
          <input {...a} type="text" list="occasions" maxLength={CUSTOMIZATION_LIMITS.occasion} value={values.occasion} onChange={set('occasion')} />
        ))}
      </div>
      <datalist id="occasions">
        {['Birthday', 'Anniversary', 'Wedding', 'Graduation', 'Thank you', 'Get well soon'].map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
      <div className="row">
        {field('occasionDate', 'Occasion date', (a) => (
          <input {...a} type="date" min="2000-01-01" max="2100-12-31" value={values.occasionDate} onChange={set('occasionDate')} />
        ))}
        {field('language', 'Language', (a) => (
          <select {...a} value={values.language} onChange={set('language')}>
            {(LANGUAGES.some(([code]) => code === values.language) ? LANGUAGES : [[values.language, values.language] as [string, string], ...LANGUAGES]).map(
              ([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ),
            )}
          </select>
        ))}
      </div>
      <div className="row">
        {field('genre', 'Genre', (a) => (
          <select {...a} value={values.genre} onChange={set('genre')}>
            {withValue(GENRES, values.genre).map((g) => (
              <option key={g}>{g}</option>
            ))}
          </select>
        ))}
        {field('mood', 'Mood', (a) => (
          <select {...a} value={values.mood} onChange={set('mood')}>
            {withValue(MOODS, values.mood).map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        ))}
      </div>
      {field(
        'story',
        'Story',
        (a) => (
          <textarea {...a} maxLength={CUSTOMIZATION_LIMITS.story} value={values.story} onChange={set('story')} />
        ),
        <span data-testid="story-counter">
          {values.story.length} / {CUSTOMIZATION_LIMITS.story} characters{storyLeft < 100 ? ` (${storyLeft} left)` : ''}
        </span>,
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Opening checkout…' : 'Continue to payment'}
      </button>
    </form>
  );
}

const LABELS: Record<string, string> = {
  recipientName: 'Recipient',
  occasion: 'Occasion',
  occasionDate: 'Occasion date',
  genre: 'Genre',
  mood: 'Mood',
  story: 'Story',
  language: 'Language',
};
const labelOf = (name: string) => LABELS[name] ?? name;
