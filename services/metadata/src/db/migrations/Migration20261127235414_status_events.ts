import { Migration } from '@mikro-orm/migrations';

export class Migration20261127235414_status_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "status_events" ("id" bigserial primary key, "user_id" uuid not null, "document_id" uuid not null, "status" text check ("status" in ('pending', 'receiving', 'stored', 'ready', 'failed', 'deleted')) not null, "received_bytes" bigint not null, "total_bytes" bigint null, "error" text null, "at" timestamptz(3) not null);`,
    );
    this.addSql(`create index "status_events_user_id_id_index" on "status_events" ("user_id", "id");`);
    this.addSql(`create index "status_events_at_index" on "status_events" ("at");`);

    this.addSql(`alter table "documents" alter column "object_key" type text using ("object_key"::text);`);
    this.addSql(`alter table "documents" alter column "object_key" drop not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "status_events" cascade;`);

    this.addSql(`alter table "documents" alter column "object_key" type text using ("object_key"::text);`);
    this.addSql(`alter table "documents" alter column "object_key" set not null;`);
  }
}
