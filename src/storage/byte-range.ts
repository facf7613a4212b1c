/**
 * Parses a single-range `Range` header (RFC 9110 §14.1.2) against an object of
 * `size` bytes. Returns inclusive byte offsets, undefined when there is no
 * usable range (serve the whole object), or 'unsatisfiable' (416).
 * Multi-range requests are answered with the whole object, which RFC 9110 allows.
 */
export function parseRange(header: string | null, size: number): { start: number; end: number } | undefined | 'unsatisfiable' {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
