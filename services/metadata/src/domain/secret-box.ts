import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets at rest. A value is sealed as `v2:<key id>:` + base64(iv | tag | ciphertext),
 * the key id naming the key that sealed it, so keys can be rotated: seal with the current key, open
 * with whichever key the value names. Values sealed before key ids existed (`v1:` + base64) are opened
 * by trying each key in turn (GCM's tag says which one fits).
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** Whether the value is sealed with the current key; if not, seal it again to retire the old one. */
  isCurrent(sealed: string): boolean;
  /** The current key's id: values sealed with it start with `v2:<id>:`. */
  readonly currentKeyId: string;
}

/**
 * A key's id: the first 8 hex digits of its SHA-256. It is derived (nothing for an operator to number
 * or keep in order) and reveals nothing usable about a random 256-bit key.
 */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function openWith(key: Buffer, payload: string): string {
  const bytes = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}

/** `current` seals; `previous` keys (SETTINGS_ENCRYPTION_KEYS_OLD) only open what they sealed. */
export function createSecretBox(current: Buffer, previous: readonly Buffer[] = []): SecretBox {
  const keys = [current, ...previous];
  for (const key of keys) if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  const byId = new Map<string, Buffer>();
  for (const key of keys) {
    const id = keyId(key);
    const known = byId.get(id);
    if (known && !known.equals(key)) throw new Error(`two settings keys share the id ${id}: replace one`);
    byId.set(id, key);
  }
  const currentKeyId = keyId(current);
  return {
    currentKeyId,
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const payload = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
      return `v2:${currentKeyId}:${payload}`;
    },
    open(sealed) {
      const parts = sealed.split(':');
      if (parts[0] === 'v2' && parts.length === 3 && parts[1] !== undefined && parts[2] !== undefined) {
        const key = byId.get(parts[1]);
        if (!key) throw new Error(`sealed with key ${parts[1]}, which is not configured`);
        return openWith(key, parts[2]);
      }
      if (parts[0] === 'v1' && parts.length === 2 && parts[1] !== undefined) {
        for (const key of keys) {
          try {
            return openWith(key, parts[1]);
          } catch {
            // Not this key: GCM's tag did not match; try the next.
          }
        }
        throw new Error('no configured key opens this sealed value');
      }
      throw new Error('unknown sealed secret format');
    },
    isCurrent: (sealed) => sealed.startsWith(`v2:${currentKeyId}:`),
  };
}

/**
 * What a response may show of a secret: a fixed-width mask and at most its last 4 characters, fewer
 * for short secrets so that most of the secret always stays hidden.
 */
export function maskSecret(secret: string): string {
  const characters = [...secret];
  const visible = characters.length >= 12 ? 4 : characters.length >= 8 ? 2 : 0;
  return `••••••••${characters.slice(characters.length - visible).join('')}`;
}
