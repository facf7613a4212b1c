import path from 'node:path';
import { appUrl, supabaseServerKey, type Env } from '../config/env';
import { createLocalStorage, type LocalStorage } from './local-storage';
import type { Storage } from './storage';
import { createSupabaseStorage } from './supabase-storage';

/** The local driver as configured (`DATA_DIR/storage`, HMAC-signed URLs to `/api/storage`). */
export function createConfiguredLocalStorage(e: Env): LocalStorage {
  if (!e.STORAGE_SIGNING_SECRET) throw new Error('STORAGE_DRIVER=local needs STORAGE_SIGNING_SECRET');
  return createLocalStorage({
    root: path.resolve(e.DATA_DIR, 'storage'),
    signingSecret: e.STORAGE_SIGNING_SECRET,
    baseUrl: appUrl(e),
  });
}

/**
 * The configured storage driver (`STORAGE_DRIVER`): `local` files, or a private
 * Supabase Storage bucket (`SUPABASE_URL`, `SUPABASE_SECRET_KEY` or the legacy
 * `SUPABASE_SERVICE_ROLE_KEY`, `SUPABASE_STORAGE_BUCKET`; env.ts checks them at boot).
 */
export function createStorage(e: Env): Storage {
  if (e.STORAGE_DRIVER === 'local') return createConfiguredLocalStorage(e);
  const serverKey = supabaseServerKey(e);
  if (!e.SUPABASE_URL || !serverKey) throw new Error('STORAGE_DRIVER=supabase needs SUPABASE_URL and SUPABASE_SECRET_KEY');
  return createSupabaseStorage({ supabaseUrl: e.SUPABASE_URL, serverKey, bucket: e.SUPABASE_STORAGE_BUCKET });
}
