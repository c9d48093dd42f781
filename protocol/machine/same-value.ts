/**
 * Deep equality of JSON-shaped values (plain objects, arrays, strings, numbers, booleans,
 * null), without serializing either: it stops at the first difference and allocates nothing.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in left) {
    if (!Object.hasOwn(left, key)) continue;
    // A key holding undefined is absent in JSON, as JSON.stringify would have it.
    if (left[key] === undefined) continue;
    count += 1;
    if (!sameValue(left[key], right[key])) return false;
  }
  for (const key in right) {
    if (Object.hasOwn(right, key) && right[key] !== undefined) count -= 1;
  }
  return count === 0;
}
