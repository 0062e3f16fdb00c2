import { Migration } from '@mikro-orm/migrations';

/** The request an audit row was written by: the id a client sees in `x-request-id` and in both services' logs. */
export class Migration20261130120000_audit_request_id extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "audit_log" add column "request_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_log" drop column "request_id";`);
  }
}
