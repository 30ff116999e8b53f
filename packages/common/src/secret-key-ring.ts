import { decryptSecret, encryptSecret, parseSecretKey, SecretBoxError } from './secret-box.js';

/** What opening a sealed value found: the plaintext, and whether the current key sealed it. */
export interface OpenedSecret {
  plaintext: string;
  /** False when a previous key opened it: the value should be sealed again with the current key. */
  current: boolean;
}

/**
 * The installation's key and the keys it replaced (config `secrets.previousKeys`), for key rotation:
 * values are sealed with the current key only; opening tries the current key, then each previous one.
 * A value a previous key opened is stale and is sealed again by the owner's re-encryption pass, after
 * which the previous keys are no longer needed. Pure: the keys come from config and the key file.
 */
export class SecretKeyRing {
  readonly previous: readonly Buffer[];

  constructor(
    readonly current: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    // The current key among the previous ones (a rotation half undone) is tried once.
    this.previous = previous.filter(
      (key, index) => !key.equals(current) && previous.findIndex((other) => other.equals(key)) === index,
    );
  }

  /** A ring from base64 texts (config): each must be a 32-byte key; the error names the one at fault. */
  static fromConfig(current: Buffer, previousBase64: readonly string[] = []): SecretKeyRing {
    return new SecretKeyRing(
      current,
      previousBase64.map((text, index) => parseSecretKey(text, `secrets.previousKeys[${index}]`)),
    );
  }

  seal(plaintext: string, context = ''): string {
    return encryptSecret(plaintext, this.current, context);
  }

  /** Throws SecretBoxError when no key of the ring opens the value for this context. */
  open(stored: string, context = ''): OpenedSecret {
    try {
      return { plaintext: decryptSecret(stored, this.current, context), current: true };
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      for (const key of this.previous) {
        try {
          return { plaintext: decryptSecret(stored, key, context), current: false };
        } catch {
          // the next key
        }
      }
      throw error;
    }
  }

  /**
   * The value sealed with the current key when a previous key sealed it, else undefined (already
   * current). Throws SecretBoxError when no key opens it.
   */
  reseal(stored: string, context = ''): string | undefined {
    const opened = this.open(stored, context);
    return opened.current ? undefined : this.seal(opened.plaintext, context);
  }
}
