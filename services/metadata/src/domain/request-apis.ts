import type { UserContext } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import { withDatabaseErrors } from '../adapters/database-errors.ts';
import { createStore } from '../store/store.ts';
import { createAuditApi } from './audit-log.ts';
import type { Caller } from './caller.ts';
import { createDocumentsApi } from './documents.ts';
import type { SecretBox } from './secret-box.ts';
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
}

type UserApis = Omit<UserContext, 'sessionEnd'>;

/** The APIs of one caller on one EntityManager: every query scoped to `caller.userId`. */
function apisOn(deps: MetadataDeps, caller: Caller, em: EntityManager): UserApis {
  const store = createStore(em);
  return {
    documents: withDatabaseErrors(createDocumentsApi({ ...deps, store, caller })),
    topics: withDatabaseErrors(createTopicsApi({ em, caller })),
    settings: withDatabaseErrors(createSettingsApi({ store, caller, secrets: deps.secrets })),
    audit: withDatabaseErrors(createAuditApi({ store, caller })),
  };
}

/** The caller's APIs for one HTTP request: one forked EntityManager for the request. */
export function createRequestApis(deps: MetadataDeps, caller: Caller): UserApis {
  return apisOn(deps, caller, deps.orm.em.fork());
}

/**
 * The caller's APIs for a WebSocket connection, which lives much longer than a request: every call
 * gets a fresh fork, so nothing grows or goes stale over the connection's life.
 */
export function createConnectionApis(deps: MetadataDeps, caller: Caller): UserApis {
  const perCall = <Name extends keyof UserApis>(name: Name): UserApis[Name] =>
    new Proxy({} as UserApis[Name], {
      get:
        (_, method: string) =>
        (...args: unknown[]) =>
          (
            apisOn(deps, caller, deps.orm.em.fork())[name] as unknown as Record<
              string,
              (...a: unknown[]) => unknown
            >
          )[method]?.(...args),
    });
  return {
    documents: perCall('documents'),
    topics: perCall('topics'),
    settings: perCall('settings'),
    audit: perCall('audit'),
  };
}
