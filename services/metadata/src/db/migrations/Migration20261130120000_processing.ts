import { Migration } from '@mikro-orm/migrations';

/**
 * Document processing (issue 11): extracted text and its full-text index, processing state and
 * duplicates on documents, matching rules on topics, AI suggestions and their cache, and the
 * processing statuses of the live status feed. The design is in src/processing/WIRING.md.
 */
export class Migration20261130120000_processing extends Migration {
  override async up(): Promise<void> {
    // Trigram similarity for typo-tolerant names (contrib module shipped with embedded PostgreSQL).
    this.addSql(`create extension if not exists pg_trgm;`);
    // Text lives apart from `documents` so list queries never drag up to 1 MiB per row through the heap.
    // name A, content B; 'simple' keeps any language searchable. A tsvector must stay under 1 MiB,
    // so only a prefix of the content is indexed (a hostile file of unique tokens would fail otherwise).
    this.addSql(`create table "document_text" (
      "document_id" uuid not null primary key,
      "user_id" uuid not null,
      "content" text not null,
      "text_length" int not null,
      "pages" int null,
      "language" text null,
      "truncated" boolean not null default false,
      "ocr_pages" int not null default 0,
      "extracted_at" timestamptz(3) not null default now(),
      "document_name" text not null,
      "search" tsvector generated always as (
        setweight(to_tsvector('simple', coalesce("document_name", '')), 'A') ||
        setweight(to_tsvector('simple', left("content", 262144)), 'B')) stored);`);
    this.addSql(
      `alter table "document_text" add constraint "document_text_document_id_foreign" foreign key ("document_id") references "documents" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`create index "document_text_search_gin" on "document_text" using gin ("search");`);
    this.addSql(`create index "document_text_user_id_index" on "document_text" ("user_id");`);
    this.addSql(`create index "documents_name_trgm" on "documents" using gin ("name" gin_trgm_ops);`);

    this.addSql(`alter table "documents"
      add column "processing_status" text not null default 'none'
        check ("processing_status" in ('none', 'processing', 'processed', 'processing_failed')),
      add column "processing_failure" text null,
      add column "processing_version" int not null default 0,
      add column "duplicate_of" uuid null;`);
    this.addSql(
      `create index "documents_user_id_sha256_index" on "documents" ("user_id", "sha256") where "status" = 'ready';`,
    );

    this.addSql(`alter table "topics"
      add column "match_algorithm" text not null default 'none'
        check ("match_algorithm" in ('none', 'any', 'all', 'literal', 'regex', 'fuzzy')),
      add column "match_pattern" text not null default '',
      add column "match_case_sensitive" boolean not null default false;`);

    this.addSql(`create table "topic_suggestions" (
      "id" uuid not null primary key,
      "document_id" uuid not null,
      "user_id" uuid not null,
      "topic_id" uuid null,
      "new_topic_name" text null,
      "confidence" real not null,
      "model" text not null,
      "prompt_version" text not null,
      "prompt_tokens" int not null,
      "completion_tokens" int not null,
      "state" text not null default 'pending' check ("state" in ('pending', 'applied', 'dismissed')),
      "created_at" timestamptz(3) not null default now(),
      constraint "topic_suggestions_topic_or_name_check" check (("topic_id" is null) <> ("new_topic_name" is null)));`);
    this.addSql(
      `alter table "topic_suggestions" add constraint "topic_suggestions_document_id_foreign" foreign key ("document_id") references "documents" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "topic_suggestions" add constraint "topic_suggestions_topic_id_foreign" foreign key ("topic_id") references "topics" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`create index "topic_suggestions_document_id_index" on "topic_suggestions" ("document_id");`);
    this.addSql(
      `create index "topic_suggestions_user_pending_index" on "topic_suggestions" ("user_id") where "state" = 'pending';`,
    );

    // Per user: answers depend on the user's topic list and must not leak between users.
    this.addSql(`create table "ai_classification_cache" (
      "user_id" uuid not null,
      "content_sha256" char(64) not null,
      "model" text not null,
      "prompt_version" text not null,
      "topics_sha256" char(64) not null,
      "answer" jsonb not null,
      "usage" jsonb not null,
      "created_at" timestamptz(3) not null default now(),
      primary key ("user_id", "content_sha256", "model", "prompt_version"));`);

    this.addSql(`alter table "user_settings"
      add column "ai_base_url" text null,
      add column "ai_apply_mode" text not null default 'review' check ("ai_apply_mode" in ('review', 'auto')),
      add column "ai_new_topics" boolean not null default false;`);

    // The processing statuses join the live feed; `details` carries what processing found (topics).
    this.addSql(`alter table "status_events" drop constraint if exists "status_events_status_check";`);
    this.addSql(
      `alter table "status_events" add constraint "status_events_status_check" check ("status" in ('pending', 'receiving', 'stored', 'ready', 'failed', 'deleted', 'deleting', 'missing', 'processing', 'processed', 'processing_failed'));`,
    );
    this.addSql(`alter table "status_events" add column "details" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "status_events" drop column if exists "details";`);
    this.addSql(`alter table "status_events" drop constraint if exists "status_events_status_check";`);
    this.addSql(
      `alter table "status_events" add constraint "status_events_status_check" check ("status" in ('pending', 'receiving', 'stored', 'ready', 'failed', 'deleted', 'deleting', 'missing'));`,
    );
    this.addSql(
      `alter table "user_settings" drop column if exists "ai_base_url", drop column if exists "ai_apply_mode", drop column if exists "ai_new_topics";`,
    );
    this.addSql(`drop table if exists "ai_classification_cache";`);
    this.addSql(`drop table if exists "topic_suggestions";`);
    this.addSql(
      `alter table "topics" drop column if exists "match_algorithm", drop column if exists "match_pattern", drop column if exists "match_case_sensitive";`,
    );
    this.addSql(`drop index if exists "documents_user_id_sha256_index";`);
    this.addSql(
      `alter table "documents" drop column if exists "duplicate_of", drop column if exists "processing_version", drop column if exists "processing_failure", drop column if exists "processing_status";`,
    );
    this.addSql(`drop index if exists "documents_name_trgm";`);
    this.addSql(`drop table if exists "document_text";`);
  }
}
