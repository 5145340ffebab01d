import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { badInput } from '../../shared/errors.ts';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** Wrong PINs in a row before checks lock. */
export const MAX_PIN_ATTEMPTS = 5;
/** How long checks stay locked, ms. */
export const PIN_LOCK_MS = 15 * 60_000;

/** A kiosk PIN: exactly 4 digits; BAD_USER_INPUT naming `field` otherwise. */
export function requirePin(field: string, pin: string): string {
  if (!/^\d{4}$/.test(pin)) throw badInput(field, 'INVALID_FORMAT', 'must be exactly 4 digits');
  return pin;
}

/** The stored form of a PIN: `salt:hash` (scrypt, base64url). The PIN itself is never stored. */
export async function hashPin(pin: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(pin, salt, 32);
  return `${salt.toString('base64url')}:${hash.toString('base64url')}`;
}

/** Whether `pin` matches the stored hash (constant-time comparison). */
export async function pinMatches(pin: string, stored: string): Promise<boolean> {
  const [salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(pin, Buffer.from(salt, 'base64url'), expected.length);
  return crypto.timingSafeEqual(expected, actual);
}
