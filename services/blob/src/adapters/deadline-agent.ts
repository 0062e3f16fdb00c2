import { Agent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Deadlines of every S3 call: the SDK's and our own signed requests share one agent per protocol. */
export interface S3Timeouts {
  /** Opening a TCP connection to S3. */
  connectMs: number;
  /** Silence allowed on an open connection: waiting for an answer, or between chunks either way. */
  idleMs: number;
}

function timedOut(message: string): Error {
  // ETIMEDOUT is what the S3 error table already maps to SERVICE_UNAVAILABLE.
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/**
 * Bounds a new socket's connect and every idle stretch after it; a frozen S3 then fails, not hangs.
 * Each deadline is confirmed one turn of the event loop later (setImmediate runs after the poll
 * phase): after a stall of our own process, expired timers run before the pending socket events, and
 * a connect or data that had in fact arrived must not count as a timeout.
 */
function withDeadlines(socket: Socket, timeouts: S3Timeouts): Socket {
  let connected = false;
  const connectTimer = setTimeout(
    () =>
      setImmediate(() => {
        if (!connected)
          socket.destroy(timedOut(`S3 did not accept a connection in ${timeouts.connectMs} ms`));
      }),
    timeouts.connectMs,
  );
  const onConnected = () => {
    connected = true;
    clearTimeout(connectTimer);
  };
  socket.once('connect', onConnected);
  socket.once('secureConnect', onConnected);
  socket.once('close', () => clearTimeout(connectTimer));
  // The agent re-arms this idle timeout (its `timeout` option) whenever the socket goes back to the pool.
  const moved = () => socket.bytesRead + socket.bytesWritten;
  socket.on('timeout', () => {
    const before = moved();
    setImmediate(() => {
      if (moved() === before) socket.destroy(timedOut(`S3 was silent for ${timeouts.idleMs} ms`));
    });
  });
  return socket;
}

/**
 * A keep-alive agent whose sockets time out: used by the minio SDK (`transportAgent`) and by
 * `signedRequest`, so that no S3 call, whichever path it takes, can wait forever.
 */
export function createDeadlineAgent(secure: boolean, timeouts: S3Timeouts): Agent {
  const options: AgentOptions = { keepAlive: true, timeout: timeouts.idleMs };
  const Base = secure ? HttpsAgent : Agent;
  const agent = new Base(options) as Agent & {
    createConnection(...args: unknown[]): Duplex;
  };
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (...args: unknown[]) => withDeadlines(create(...args) as Socket, timeouts);
  return agent;
}
