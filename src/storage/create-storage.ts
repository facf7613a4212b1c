import path from 'node:path';
import { appUrl, type Env } from '../config/env';
import { createLocalStorage } from './local-storage';

/** The configured storage driver (`STORAGE_DRIVER`; only `local` exists today). */
export function createStorage(e: Env) {
  return createLocalStorage({
    root: path.resolve(e.DATA_DIR, 'storage'),
    signingSecret: e.STORAGE_SIGNING_SECRET,
    baseUrl: appUrl(e),
  });
}
