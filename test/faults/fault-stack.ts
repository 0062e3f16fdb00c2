import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import {
  createDatabase,
  type ServiceProcess,
  scratchDir,
  startEmbeddedPostgres,
  startService,
} from '@docstore/devstack';
import { blobEnv, metadataEnv, type S3Settings, testSecrets } from '../support/stack.ts';

export type TargetName = 'postgres' | 's3' | 'blob' | 'metadata';

/** A real process (or PostgreSQL's process tree) the harness can kill, freeze and bring back. */
export interface FaultTarget {
  readonly name: TargetName;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGSTOP: it keeps its sockets open and answers nothing. */
  freeze(): Promise<void>;
  /** SIGCONT after a freeze. */
  thaw(): void;
  /** Starts it again, on the same port with the same data, when it is not running. */
  heal(): Promise<void>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Whether a pid is a live (not zombie) process. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

async function childrenOf(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parent) pids.push(Number(entry));
  }
  return pids;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function waitGone(pids: number[]): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (!(await Promise.all(pids.map(alive))).some(Boolean)) return;
    await sleep(25);
  }
  throw new Error(`processes ${pids.join(', ')} did not exit`);
}

/** A docstore service (or the S3 server) as a child process that can be restarted on its port. */
function serviceTarget(
  name: 'blob' | 'metadata' | 's3',
  start: (port: number) => Promise<ServiceProcess>,
  first: ServiceProcess,
): FaultTarget & { current(): ServiceProcess } {
  let process_ = first;
  let frozen = false;
  const running = () => process_.child.exitCode === null && process_.child.signalCode === null;
  return {
    name,
    current: () => process_,
    async kill() {
      if (!running()) return;
      const pid = process_.child.pid ?? -1;
      process_.child.kill('SIGKILL');
      await waitGone([pid]);
      frozen = false;
    },
    async freeze() {
      if (running()) process_.child.kill('SIGSTOP');
      frozen = true;
    },
    thaw() {
      if (frozen && running()) process_.child.kill('SIGCONT');
      frozen = false;
    },
    async heal() {
      this.thaw();
      if (running()) return;
      process_ = await start(first.port);
    },
  };
}

/** PostgreSQL: the postmaster and every backend, found through postmaster.pid and /proc. */
async function postgresTarget(dataDir: string) {
  const postgres = await startEmbeddedPostgres({ dataDir });
  let frozen: number[] = [];
  const postmaster = async () => Number((await readFile(`${dataDir}/postmaster.pid`, 'utf8')).split('\n')[0]);
  const tree = async () => {
    const pid = await postmaster().catch(() => Number.NaN);
    if (Number.isNaN(pid) || !(await alive(pid))) return [];
    return [pid, ...(await childrenOf(pid))];
  };
  const target: FaultTarget = {
    name: 'postgres',
    async kill() {
      const pids = await tree();
      for (const pid of pids) signal(pid, 'SIGKILL');
      await waitGone(pids);
      frozen = [];
    },
    async freeze() {
      frozen = await tree();
      for (const pid of frozen) signal(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen) signal(pid, 'SIGCONT');
      frozen = [];
    },
    async heal() {
      target.thaw();
      if ((await tree()).length > 0) return;
      // The embedded server object notices its process is gone and starts a new one (crash recovery).
      await postgres.restart();
    },
  };
  return { postgres, target };
}

export interface FaultStack {
  targets: Record<TargetName, FaultTarget>;
  databaseUrl: string;
  s3: S3Settings;
  bucket: string;
  blobUrl: string;
  metadataUrl: string;
  /** Logs of a service process, for a failure report. */
  logs(name: 'blob' | 'metadata' | 's3'): string[];
  stop(): Promise<void>;
}

/**
 * PostgreSQL, the S3 server, the blob service and the metadata service, each a process of its own
 * (s3rver too, unlike the shared test stack), so that each can be killed or frozen.
 */
export async function startFaultStack(metadataOverrides: Record<string, string>): Promise<FaultStack> {
  const dir = await scratchDir('faults');
  const stops: Array<() => Promise<void>> = [() => dir.remove()];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
  };
  try {
    const { postgres, target: pgTarget } = await postgresTarget(`${dir.path}/postgres`);
    stops.push(async () => {
      pgTarget.thaw();
      await postgres.stop();
    });
    const s3Env = { DOCSTORE_S3_DIR: `${dir.path}/s3` };
    const startS3 = (port: number) => startService('s3', { ...s3Env, DOCSTORE_S3_PORT: String(port) });
    const s3Process = await startS3(0);
    const s3 = serviceTarget('s3', startS3, s3Process);
    stops.push(async () => {
      s3.thaw();
      await s3.current().stop();
    });
    const s3Settings = { endpoint: s3Process.url, accessKey: 'S3RVER', secretKey: 'S3RVER' };
    const bucket = 'faults';
    const secrets = testSecrets();
    const startBlob = (port: number) =>
      startService('blob', blobEnv(s3Settings, bucket, secrets, { BLOB_PORT: String(port) }));
    const blobProcess = await startBlob(0);
    const blob = serviceTarget('blob', startBlob, blobProcess);
    stops.push(async () => {
      blob.thaw();
      await blob.current().stop();
    });
    const databaseUrl = await createDatabase(postgres.url, 'faults');
    // One settings key for every restart: the service must read back what it wrote.
    const settingsKey = randomBytes(32).toString('hex');
    const startMetadata = (port: number) =>
      startService(
        'metadata',
        metadataEnv(databaseUrl, blobProcess.url, secrets, {
          SETTINGS_ENCRYPTION_KEY: settingsKey,
          ...metadataOverrides,
          METADATA_PORT: String(port),
        }),
      );
    const metadataProcess = await startMetadata(0);
    const metadata = serviceTarget('metadata', startMetadata, metadataProcess);
    stops.push(async () => {
      metadata.thaw();
      await metadata.current().stop();
    });
    return {
      targets: { postgres: pgTarget, s3, blob, metadata },
      databaseUrl,
      s3: s3Settings,
      bucket,
      blobUrl: blobProcess.url,
      metadataUrl: metadataProcess.url,
      logs: (name) => ({ blob, metadata, s3 })[name].current().logs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
