/**
 * Serves the web app (apps/web, built to static files) and forwards `/trpc` (HTTP and WebSocket) to
 * the metadata service, so that the page and its API share one origin: the metadata service needs no
 * CORS and the browser sends its token only to the origin that served the page.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = fileURLToPath(new URL('../../../apps/web', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The page is never framed, never sniffed, and sends no Referer to storage. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface WebServer {
  url: string;
  port: number;
  /** The page URL that signs a person in with `token`: it travels in the fragment, never to a server. */
  signInUrl(token: string): string;
  stop(): Promise<void>;
}

export interface WebServerOptions {
  /** The metadata service's base URL; `/trpc` requests go there. */
  metadataUrl: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The built app; default apps/web/dist, built first when missing. */
  root?: string;
}

/** Builds the app with Vite into `outDir` (default apps/web/dist). */
export async function buildWebApp(outDir = join(WEB_DIR, 'dist')): Promise<void> {
  const vite = join(WEB_DIR, 'node_modules/vite/bin/vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', outDir], {
    cwd: WEB_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`web app build failed (exit ${code})`);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const root = resolve(options.root ?? join(WEB_DIR, 'dist'));
  const hasBuild = await stat(join(root, 'index.html')).then(
    () => true,
    () => false,
  );
  if (!hasBuild && options.root === undefined) await buildWebApp(root);
  const api = new URL(options.metadataUrl);
  const apiPort = Number(api.port || 80);

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/trpc' || path.startsWith('/trpc/')) forward(req, res, api);
    else void serveFile(root, path, res);
  });
  // Upgraded sockets leave closeAllConnections' reach: stop() ends them itself.
  const tunnels = new Set<{ destroy(): void }>();
  // WebSocket upgrades for live status go to the metadata service as raw bytes, both ways.
  server.on('upgrade', (req, socket, head) => {
    const upstream = connect(apiPort, api.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      socket.destroy();
      tunnels.delete(socket);
    };
    tunnels.add(socket);
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
  });

  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('web server: no TCP address');
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url,
    port: address.port,
    signInUrl: (token) => `${url}/#token=${encodeURIComponent(token)}`,
    stop: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      for (const tunnel of tunnels) tunnel.destroy();
      await closed;
    },
  };
}

function forward(req: IncomingMessage, res: ServerResponse, api: URL): void {
  const upstream = request(
    { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  // A page that goes away mid-call (a reload during an upload) ends the forwarded call too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('the metadata service is unreachable');
  });
  req.pipe(upstream);
}

async function serveFile(root: string, path: string, res: ServerResponse): Promise<void> {
  // A path without a file extension is the app itself (it has a single page); nothing outside root.
  let file = join(root, 'index.html');
  try {
    const wanted = resolve(root, `.${decodeURIComponent(path)}`);
    if (wanted.startsWith(root + sep)) file = wanted;
  } catch {
    // A malformed escape: the page itself.
  }
  let size = await fileSize(file);
  if (size === undefined && extname(file) === '') {
    file = join(root, 'index.html');
    size = await fileSize(file);
  }
  if (size === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const hashed = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    // Built assets carry a content hash in their names; the page itself must always be fresh.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(res);
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}
