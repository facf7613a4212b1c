import { magicLinkCallback } from '@/server/magic-link-callback';

/** The magic link's landing route (PKCE `?code=`); see magicLinkCallback. */
export const GET = magicLinkCallback('auth-callback');
