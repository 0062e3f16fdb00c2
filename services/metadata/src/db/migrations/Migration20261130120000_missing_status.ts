import { Migration } from '@mikro-orm/migrations';

/**
 * `missing`: a ready document whose object is gone, as the reconciler marks it (never deleted), and
 * the status event that says so. The partial index serves the reconciler's walk over ready rows in
 * the bucket's (byte) order, whatever the database's collation.
 */
export class Migration20261130120000_missing_status extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "documents" drop constraint if exists "documents_status_check";`);
    this.addSql(
      `alter table "documents" add constraint "documents_status_check" check ("status" in ('pending', 'ready', 'failed', 'missing'));`,
    );
    this.addSql(`alter table "status_events" drop constraint if exists "status_events_status_check";`);
    this.addSql(
      `alter table "status_events" add constraint "status_events_status_check" check ("status" in ('pending', 'receiving', 'stored', 'ready', 'failed', 'deleted', 'missing'));`,
    );
    this.addSql(
      `create index "documents_ready_object_key_c_index" on "documents" ("object_key" collate "C") where "status" = 'ready';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "documents_ready_object_key_c_index";`);
    this.addSql(`update "documents" set "status" = 'failed' where "status" = 'missing';`);
    this.addSql(`delete from "status_events" where "status" = 'missing';`);
    this.addSql(`alter table "documents" drop constraint if exists "documents_status_check";`);
    this.addSql(
      `alter table "documents" add constraint "documents_status_check" check ("status" in ('pending', 'ready', 'failed'));`,
    );
    this.addSql(`alter table "status_events" drop constraint if exists "status_events_status_check";`);
    this.addSql(
      `alter table "status_events" add constraint "status_events_status_check" check ("status" in ('pending', 'receiving', 'stored', 'ready', 'failed', 'deleted'));`,
    );
  }
}
