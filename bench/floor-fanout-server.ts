/**
 * The floor of the status fan-out scenario, a process of its own like the service: one LISTEN
 * connection, and each notification's payload sent as it is (one string, serialised once by
 * PostgreSQL) to every WebSocket connected to a bare `ws` server. No auth, no per-user routing, no
 * framework, no replay: what pushing one committed event to N sockets costs on this machine.
 *
 * Environment: DATABASE_URL, FANOUT_CHANNEL. Prints `{"message":"listening","port":N}` (127.0.0.1).
 */
import pg from 'pg';
import { WebSocketServer } from 'ws';

const databaseUrl = process.env.DATABASE_URL;
const channel = process.env.FANOUT_CHANNEL;
if (!databaseUrl || !channel || !/^[a-z_]+$/.test(channel)) {
  process.stderr.write('floor-fanout-server: DATABASE_URL and FANOUT_CHANNEL (a-z, _) are required\n');
  process.exit(1);
}

const listener = new pg.Client({ connectionString: databaseUrl });
await listener.connect();
await listener.query(`LISTEN ${channel}`);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
listener.on('notification', (message) => {
  if (message.channel !== channel || !message.payload) return;
  for (const client of wss.clients) client.send(message.payload);
});
const address = wss.address();
process.stdout.write(
  `${JSON.stringify({ message: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`,
);

const stop = () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  void listener.end().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
