import { magicLinkCallback } from '@/server/magic-link-callback';

/** An email template's `{{ .SiteURL }}/auth/confirm?token_hash={{ .TokenHash }}&type=email` link; see magicLinkCallback. */
export const GET = magicLinkCallback('auth-confirm');
