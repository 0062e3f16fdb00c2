import { Migration } from '@mikro-orm/migrations';

export class Migration20261127000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_log" ("id" uuid not null, "user_id" uuid not null, "action" text not null, "target_type" text not null, "target_id" text null, "ip_address" inet null, "details" jsonb null, "at" timestamptz(3) not null, constraint "audit_log_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "audit_log_user_id_at_id_index" on "audit_log" ("user_id", "at", "id");`);

    this.addSql(
      `create table "documents" ("id" uuid not null, "user_id" uuid not null, "name" text not null, "mime_type" text not null, "declared_mime_type" text null, "size" bigint not null, "sha256" varchar(64) null, "object_key" text not null, "status" text check ("status" in ('pending', 'ready', 'failed')) not null, "failure_reason" text null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "documents_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "documents" add constraint "documents_object_key_unique" unique ("object_key");`,
    );
    this.addSql(
      `create index "documents_user_id_created_at_id_index" on "documents" ("user_id", "created_at", "id");`,
    );

    this.addSql(
      `create table "topics" ("id" uuid not null, "user_id" uuid not null, "name" text not null, "normalized_name" text not null, "description" text null, "color" varchar(7) null, "document_count" int not null default 0, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "topics_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "topics" add constraint "topics_user_id_normalized_name_unique" unique ("user_id", "normalized_name");`,
    );

    this.addSql(
      `create table "document_topics" ("document_id" uuid not null, "topic_id" uuid not null, constraint "document_topics_pkey" primary key ("document_id", "topic_id"));`,
    );
    this.addSql(`create index "document_topics_topic_id_index" on "document_topics" ("topic_id");`);

    this.addSql(
      `create table "user_settings" ("user_id" uuid not null, "ai_provider" text null, "ai_model" text null, "api_key_ciphertext" text null, "updated_at" timestamptz(3) not null, constraint "user_settings_pkey" primary key ("user_id"));`,
    );

    this.addSql(
      `alter table "document_topics" add constraint "document_topics_document_id_foreign" foreign key ("document_id") references "documents" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "document_topics" add constraint "document_topics_topic_id_foreign" foreign key ("topic_id") references "topics" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "document_topics" drop constraint "document_topics_document_id_foreign";`);

    this.addSql(`alter table "document_topics" drop constraint "document_topics_topic_id_foreign";`);

    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "documents" cascade;`);

    this.addSql(`drop table if exists "topics" cascade;`);

    this.addSql(`drop table if exists "document_topics" cascade;`);

    this.addSql(`drop table if exists "user_settings" cascade;`);
  }
}
