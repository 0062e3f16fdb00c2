import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyId } from './secret-box.ts';

/** A value as the service sealed it before key ids existed: `v1:` + base64(iv | tag | ciphertext). */
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
}

describe('secret box with key rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('seals with the current key, naming it, and opens what it sealed', () => {
    const box = createSecretBox(newKey);
    const sealed = box.seal('sk-secret-1234');
    expect(sealed.startsWith(`v2:${keyId(newKey)}:`)).toBe(true);
    expect(sealed).not.toContain('sk-secret');
    expect(box.open(sealed)).toBe('sk-secret-1234');
    expect(box.isCurrent(sealed)).toBe(true);
  });

  it('after a rotation: opens values of the old key, and says they need sealing again', () => {
    const before = createSecretBox(oldKey).seal('sk-old');
    const rotated = createSecretBox(newKey, [oldKey]);
    expect(rotated.open(before)).toBe('sk-old');
    expect(rotated.isCurrent(before)).toBe(false);
    const resealed = rotated.seal(rotated.open(before));
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(createSecretBox(newKey).open(resealed)).toBe('sk-old');
  });

  it('opens values sealed before key ids existed, with the current or an old key', () => {
    expect(createSecretBox(oldKey).open(sealV1(oldKey, 'legacy'))).toBe('legacy');
    expect(createSecretBox(newKey, [oldKey]).open(sealV1(oldKey, 'legacy'))).toBe('legacy');
    expect(createSecretBox(newKey, [oldKey]).isCurrent(sealV1(newKey, 'legacy'))).toBe(false);
  });

  it('refuses a value whose key was dropped, a tampered value and an unknown format', () => {
    const before = createSecretBox(oldKey).seal('sk-old');
    expect(() => createSecretBox(newKey).open(before)).toThrow(`sealed with key ${keyId(oldKey)}`);
    expect(() => createSecretBox(newKey).open(sealV1(oldKey, 'legacy'))).toThrow('no configured key');
    const bytes = Buffer.from(before.split(':')[2] ?? '', 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(() => createSecretBox(oldKey).open(`v2:${keyId(oldKey)}:${bytes.toString('base64')}`)).toThrow();
    expect(() => createSecretBox(oldKey).open('v3:abc')).toThrow('unknown sealed secret format');
  });

  it('refuses keys of the wrong size', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow('32-byte key');
    expect(() => createSecretBox(newKey, [randomBytes(31)])).toThrow('32-byte key');
  });
});
