import type { MetadataContext } from '@docstore/contract';
import type { Logger } from '@docstore/server-kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { BlobGateway } from '../adapters/blob-gateway.ts';
import { withDatabaseErrors } from '../adapters/database-errors.ts';
import type { Caller } from './caller.ts';
import { createDocumentsApi } from './documents.ts';
import type { SecretBox } from './secret-box.ts';
import { createSettingsApi } from './settings.ts';
import { createTopicsApi } from './topics.ts';

export interface MetadataDeps {
  orm: MikroORM;
  blob: BlobGateway;
  secrets: SecretBox;
  logger: Logger;
}

/** The APIs of one request: one forked EntityManager, every query scoped to the caller. */
export function createRequestApis(
  deps: MetadataDeps,
  caller: Caller,
): Pick<MetadataContext, 'documents' | 'topics' | 'settings'> {
  const em = deps.orm.em.fork();
  return {
    documents: withDatabaseErrors(createDocumentsApi({ em, blob: deps.blob, caller, logger: deps.logger })),
    topics: withDatabaseErrors(createTopicsApi({ em, caller })),
    settings: withDatabaseErrors(createSettingsApi({ em, caller, secrets: deps.secrets })),
  };
}
