import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '@docstore/devstack';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { readCompose } from '../support/compose.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const FILES = ['docker-compose.yml', 'docker-compose.distributed.yml'];

/**
 * No Docker engine runs here: the compose files are checked against the compose specification's
 * own JSON schema (deploy/compose-spec.schema.json), plus what the schema cannot say.
 */
describe('compose files', async () => {
  // Its `$schema` names draft-07 by an https URL that Ajv's draft-07 support does not know by that name.
  const { $schema: _draft07, ...schema } = JSON.parse(
    await readFile(`${repo}deploy/compose-spec.schema.json`, 'utf8'),
  );
  // The schema uses keywords of its own (e.g. `deprecated`); unknown ones are not errors.
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it.each(FILES)('%s is valid against the compose specification', async (file) => {
    const valid = validate(await readCompose(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check rejects what Compose rejects', () => {
    expect(validate({ services: { web: { image: 'nginx', restart: 'sometimes', prots: ['80:80'] } } })).toBe(
      false,
    );
    expect(validate({ services: { web: { image: 'nginx', healthcheck: { interval: 5 } } } })).toBe(false);
  });

  it('pins every image, and gives every long-running service a restart policy and a healthcheck', async () => {
    for (const file of FILES) {
      for (const [name, service] of Object.entries((await readCompose(file)).services)) {
        if (service.image !== undefined && service.build === undefined) {
          expect(service.image, `${file}: ${name}`).toMatch(/:[\w.-]+$/);
          expect(service.image, `${file}: ${name}`).not.toMatch(/:latest$/);
        }
      }
    }
    const { services } = await readCompose('docker-compose.yml');
    for (const name of ['postgres', 'minio', 'blob', 'metadata-1', 'metadata-2', 'proxy']) {
      expect(services[name]?.restart, name).toBe('unless-stopped');
      expect(services[name]?.healthcheck, name).toBeDefined();
    }
    expect(services['minio-setup']?.restart).toBe('on-failure');
  });

  it('starts each service with the same Node flags everywhere: image, compose, `pnpm start`, devstack', async () => {
    const { services } = await readCompose('docker-compose.yml');
    for (const [name, flags] of Object.entries(SERVICE_NODE_FLAGS)) {
      const command = ['node', ...flags, 'dist/main.js'];
      const dockerfile = await readFile(`${repo}services/${name}/Dockerfile`, 'utf8');
      const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
      expect(cmd && JSON.parse(cmd), `${name}: its Dockerfile's CMD`).toEqual(command);
      const { scripts } = JSON.parse(await readFile(`${repo}services/${name}/package.json`, 'utf8'));
      expect(scripts.start, `${name}: its package.json start`).toBe(command.join(' '));
      const composed = Object.entries(services).filter(([, service]) =>
        service.build?.dockerfile.startsWith(`services/${name}/`),
      );
      expect(composed.length, `${name}: in docker-compose.yml`).toBeGreaterThan(0);
      for (const [key, service] of composed) expect(service.command, key).toEqual(command);
    }
  });

  it('mounts and builds from files that exist', async () => {
    const { services } = await readCompose('docker-compose.yml');
    const mounts = Object.values(services).flatMap((service) => service.volumes ?? []);
    const files = mounts
      .map((mount) => mount.split(':')[0] ?? '')
      .filter((source) => source.startsWith('./'));
    for (const file of files) await access(repo + file);
    const dockerfiles = Object.values(services).flatMap((service) =>
      service.build?.dockerfile ? [service.build.dockerfile] : [],
    );
    expect(dockerfiles).toEqual(
      expect.arrayContaining(['services/metadata/Dockerfile', 'apps/web/Dockerfile']),
    );
    for (const file of dockerfiles) await access(repo + file);
    // The proxy carries nginx's configuration and the web app's files.
    const proxy = await readFile(`${repo}apps/web/Dockerfile`, 'utf8');
    expect(proxy).toContain('COPY deploy/nginx.conf /etc/nginx/nginx.conf');
    expect(proxy).toContain('/usr/share/nginx/html');
  });
});
