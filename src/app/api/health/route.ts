import { NextResponse } from 'next/server';
import { env } from '../../../config/env';

/**
 * Liveness: `{ok: true, mode: 'local' | 'deployment'}`, without touching the
 * database (also the benchmark's no-op baseline). The env was parsed at boot.
 */
export function GET() {
  return NextResponse.json({ ok: true, mode: env().mode });
}
