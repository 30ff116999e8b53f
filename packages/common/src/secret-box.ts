import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (webhook secrets, later others): AES-256-GCM with a 32-byte key, a random 12-byte
 * IV per value and the 16-byte authentication tag, stored as `v1:<base64(iv ‖ tag ‖ ciphertext)>`.
 * An optional context (the owning row's id) is bound as associated data, so a value copied to
 * another row does not decrypt there. Pure: the key comes from `secret-key-file.ts` or config.
 */
export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1:';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** A key from its base64 text (44 characters, as `openssl rand -base64 32` prints). */
export function parseSecretKey(base64: string, origin = 'the secret key'): Buffer {
  const text = base64.trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== SECRET_KEY_BYTES || key.toString('base64') !== text) {
    throw new SecretBoxError(
      `${origin} must be ${SECRET_KEY_BYTES} bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

export function generateSecretKey(): Buffer {
  return randomBytes(SECRET_KEY_BYTES);
}

export function encryptSecret(plaintext: string, key: Buffer, context = ''): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** Throws SecretBoxError when the value is not a v1 secret, or was changed, or the key or context differ. */
export function decryptSecret(stored: string, key: Buffer, context = ''): string {
  checkKey(key);
  if (!stored.startsWith(PREFIX)) throw new SecretBoxError('not an encrypted secret (expected the v1: format)');
  const body = stored.slice(PREFIX.length);
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES || bytes.toString('base64') !== body) {
    throw new SecretBoxError('the encrypted secret is damaged (bad base64 or too short)');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('the encrypted secret does not open: another key, another owner, or it was changed');
  }
}

export function isEncryptedSecret(value: string): boolean {
  return value.startsWith(PREFIX);
}

function checkKey(key: Buffer): void {
  if (key.length !== SECRET_KEY_BYTES) throw new SecretBoxError(`the secret key must be ${SECRET_KEY_BYTES} bytes`);
}
