import type { UserContext } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import { withDatabaseErrors } from '../adapters/database-errors.ts';
import { createStore, type Store } from '../store/store.ts';
import { createAuditApi } from './audit-log.ts';
import { defineBuiltWhenUsed } from './built-when-used.ts';
import type { Caller } from './caller.ts';
import { createDocumentsApi } from './documents.ts';
import type { SecretBox } from './secret-box.ts';
import { REQUEST_SESSION } from './session-end.ts';
import { createSettingsApi } from './settings.ts';
import type { StatusBus } from './status/status-bus.ts';
import { createTopicsApi } from './topics.ts';
import type { ProxiedUploadRoute } from './uploads/upload-deps.ts';

export interface MetadataDeps {
  orm: MikroORM;
  blob: BlobGateway;
  secrets: SecretBox;
  bus: StatusBus;
  logger: Logger;
  maxUploadBytes: number;
  uploadTtlSeconds: number;
  proxiedUploadRoute: ProxiedUploadRoute;
  /** Told the size of every chunk an upload streams through this process (main.ts: `collectEvery`). */
  onBytesStreamed?: (bytes: number) => void;
}

type UserApis = Omit<UserContext, 'sessionEnd'>;

const API_NAMES = ['documents', 'topics', 'settings', 'audit'] as const satisfies ReadonlyArray<
  keyof UserApis
>;

/**
 * The APIs of one caller, every query scoped to `caller.userId`: reads of plain rows on the ORM's
 * pool, entity work on EntityManager forks made by the first such call (the store's, shared by three
 * APIs, and the topics API's). Each API is built when first used: a call uses one, and building all
 * four for every request cost more than a small query.
 */
function apisOn(deps: MetadataDeps, caller: Caller, sessionEnd: AbortSignal): UserContext {
  let store: Store | undefined;
  const storeOf = () => {
    store ??= createStore(deps.orm.em);
    return store;
  };
  return defineBuiltWhenUsed({ sessionEnd } as UserContext, {
    documents: () => withDatabaseErrors(createDocumentsApi({ ...deps, store: storeOf(), caller })),
    topics: () => withDatabaseErrors(createTopicsApi({ root: deps.orm.em, caller })),
    settings: () =>
      withDatabaseErrors(createSettingsApi({ store: storeOf(), caller, secrets: deps.secrets })),
    audit: () => withDatabaseErrors(createAuditApi({ store: storeOf(), caller })),
  });
}

/** The caller's APIs for one HTTP request. */
export function createRequestApis(deps: MetadataDeps, caller: Caller): UserContext {
  return apisOn(deps, caller, REQUEST_SESSION);
}

/**
 * The caller's APIs for a WebSocket connection, which lives much longer than a request: each access
 * to an API (`ctx.user.documents`, once per call) builds it afresh on a fresh fork, so nothing grows
 * or goes stale over the connection's life, and an idle connection holds no API at all. `sessionEnd`
 * aborts when the connection's token expires.
 */
export function createConnectionApis(
  deps: MetadataDeps,
  caller: Caller,
  sessionEnd: AbortSignal,
): UserContext {
  const user = { sessionEnd } as UserContext;
  for (const name of API_NAMES) {
    Object.defineProperty(user, name, {
      enumerable: true,
      get: () => apisOn(deps, caller, sessionEnd)[name],
    });
  }
  return user;
}
