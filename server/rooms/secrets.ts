import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh 128-bit secret in base64url (22 characters): room ids, invite codes, seat keys. */
export function newSecret(): string {
  return randomBytes(16).toString('base64url');
}

/** The only form in which invite codes and seat keys are stored. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares two hashes in constant time, so a guess learns nothing from the timing. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
