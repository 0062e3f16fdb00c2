import { Migration } from '@mikro-orm/migrations';

/**
 * The reconciler walks ready rows in the bucket's (byte) order, whatever the database's collation:
 * a partial index on the key under collate "C". The statuses it needs (`missing` among them) came
 * with Migration20261130000000_life_cycle.
 */
export class Migration20261130120000_reconcile_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "documents_ready_object_key_c_index" on "documents" ("object_key" collate "C") where "status" = 'ready';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "documents_ready_object_key_c_index";`);
  }
}
