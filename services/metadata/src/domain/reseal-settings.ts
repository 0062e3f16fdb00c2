import type { MikroORM } from '@mikro-orm/postgresql';
import type { SecretBox } from './secret-box.ts';

const BATCH = 100;

export interface ResealResult {
  /** Values sealed again with the current key. */
  resealed: number;
  /** Values no configured key opens (their key was dropped too early); left as they are. */
  unreadable: number;
}

/**
 * Seals every stored secret again with the current key, so the old keys can be dropped. Each row is
 * replaced only if it still holds what was read (compare-and-set), so several instances doing this
 * at once, or a user saving a new key meanwhile, lose nothing; it is idempotent and safe to re-run.
 */
export async function resealSettings(orm: MikroORM, secrets: SecretBox): Promise<ResealResult> {
  const connection = orm.em.fork().getConnection();
  const result: ResealResult = { resealed: 0, unreadable: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await connection.execute<Array<{ user_id: string; api_key_ciphertext: string }>>(
      `select user_id, api_key_ciphertext from user_settings
        where user_id > ? and api_key_ciphertext is not null and api_key_ciphertext not like ?
        order by user_id limit ${BATCH}`,
      [after, `v2:${secrets.currentKeyId}:%`],
    );
    for (const row of rows) {
      let plaintext: string;
      try {
        plaintext = secrets.open(row.api_key_ciphertext);
      } catch {
        result.unreadable += 1;
        continue;
      }
      const updated = await connection.execute(
        'update user_settings set api_key_ciphertext = ? where user_id = ? and api_key_ciphertext = ?',
        [secrets.seal(plaintext), row.user_id, row.api_key_ciphertext],
        'run',
      );
      result.resealed += (updated as { affectedRows?: number }).affectedRows ?? 0;
    }
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) return result;
    after = last.user_id;
  }
}
