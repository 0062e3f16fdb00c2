import { Migration } from '@mikro-orm/migrations';

/** The explicit document life cycle: `stored`, `deleting` and `missing` join the allowed states. */
export class Migration20261130000000_life_cycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "documents" drop constraint if exists "documents_status_check";`);
    this.addSql(
      `alter table "documents" add constraint "documents_status_check" check ("status" in ('pending', 'ready', 'failed', 'stored', 'deleting', 'missing'));`,
    );
    this.addSql(`alter table "status_events" drop constraint if exists "status_events_status_check";`);
    this.addSql(
      `alter table "status_events" add constraint "status_events_status_check" check ("status" in ('pending', 'receiving', 'stored', 'ready', 'failed', 'deleted', 'deleting', 'missing'));`,
    );
    // The sweeper's and the retention's scans: by status, oldest first.
    this.addSql(`create index "documents_status_updated_at_index" on "documents" ("status", "updated_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "documents_status_updated_at_index";`);
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
