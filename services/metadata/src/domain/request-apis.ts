import type { UserContext } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import { translatingDatabaseErrors } from '../adapters/database-errors.ts';
import { createAuditApi } from './audit-log.ts';
import type { Caller } from './caller.ts';
import { createDocumentsApi } from './documents.ts';
import type { SecretBox } from './secret-box.ts';
import { createSettingsApi } from './settings.ts';
import type { StatusBus } from './status/status-bus.ts';
import { createTopicsApi } from './topics.ts';

export interface MetadataDeps {
  orm: MikroORM;
  blob: BlobGateway;
  secrets: SecretBox;
  bus: StatusBus;
  logger: Logger;
  maxUploadBytes: number;
  uploadTtlSeconds: number;
}

/**
 * An API whose every call gets a fresh forked EntityManager (a WebSocket connection's context lives
 * as long as the connection, so a per-context fork would grow and go stale) and has its database
 * errors translated.
 */
function perCall<Api extends object>(orm: MikroORM, make: (em: EntityManager) => Api): Api {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(make(orm.em.fork()))) {
    if (typeof member !== 'function') continue;
    wrapped[name] = (...args: unknown[]) =>
      translatingDatabaseErrors(() =>
        (make(orm.em.fork()) as Record<string, (...a: unknown[]) => unknown>)[name]?.(...args),
      );
  }
  return wrapped as Api;
}

/** The APIs of one caller: every query scoped to `caller.userId`. */
export function createRequestApis(deps: MetadataDeps, caller: Caller): Omit<UserContext, 'sessionEnd'> {
  return {
    documents: perCall(deps.orm, (em) => createDocumentsApi({ ...deps, em, caller })),
    topics: perCall(deps.orm, (em) => createTopicsApi({ em, caller })),
    settings: perCall(deps.orm, (em) => createSettingsApi({ em, caller, secrets: deps.secrets })),
    audit: perCall(deps.orm, (em) => createAuditApi({ em, caller })),
  };
}
