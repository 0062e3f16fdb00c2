import { createServer, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** What the proxy did with one request: which upstream (index) got it. */
export interface ProxiedRequest {
  upstream: number;
  method: string;
  path: string;
  /** A WebSocket (or other) upgrade, piped through as raw bytes. */
  upgrade: boolean;
}

export interface RoundRobinProxy {
  url: string;
  /** Every request in arrival order. */
  served: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A tiny stand-in for the compose file's nginx: each request and each upgrade goes to the next
 * upstream in turn, bodies stream both ways, and X-Forwarded-For is appended as nginx does.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const targets = upstreams.map((upstream) => new URL(upstream));
  const served: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  let next = 0;

  const pick = (req: IncomingMessage, upgrade: boolean): URL => {
    const upstream = next;
    next = (next + 1) % targets.length;
    served.push({ upstream, method: req.method ?? 'GET', path: req.url ?? '/', upgrade });
    return targets[upstream] as URL;
  };
  const forwarded = (req: IncomingMessage): IncomingHttpHeaders => {
    const before = req.headers['x-forwarded-for'];
    const client = req.socket.remoteAddress ?? '';
    return { ...req.headers, 'x-forwarded-for': before ? `${before}, ${client}` : client };
  };

  const server = createServer((req, res) => {
    const target = pick(req, false);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: forwarded(req),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = pick(req, true);
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(forwarded(req)).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value ?? '']).map((one) => `${name}: ${one}`),
      );
      upstream.write([`${req.method} ${req.url} HTTP/1.1`, ...headers, '', ''].join('\r\n'));
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
