import { NextResponse } from 'next/server';

/** Liveness: answers without touching the database (also the benchmark's no-op baseline). */
export function GET() {
  return NextResponse.json({ ok: true });
}
