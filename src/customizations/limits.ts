/**
 * Longest value of each free-text customization field, in characters (UTF-16
 * code units, as zod and the browser's `maxLength` count them). Shared by the
 * API's schema and the form, which must not pull zod into the browser bundle.
 */
export const CUSTOMIZATION_LIMITS = { recipientName: 100, occasion: 100, genre: 50, mood: 50, story: 2000 } as const;
