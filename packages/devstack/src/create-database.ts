import pg from 'pg';

/**
 * Creates an empty database `name` on the server of `adminUrl` (dropping an old one of that
 * name first, connections and all) and returns its URL. Tests use one database per run.
 */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const url = new URL(adminUrl);
  if (url.pathname === `/${name}`) throw new Error(`createDatabase: ${name} is the admin database`);
  await withClient(adminUrl, async (client) => {
    const ident = client.escapeIdentifier(name);
    await client.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${ident}`);
  });
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

async function withClient(url: string, use: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}
