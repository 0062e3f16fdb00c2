export * from './drain.ts';
export * from './env.ts';
export * from './http-server.ts';
export * from './lifecycle.ts';
export * from './logger.ts';
export * from './request-context.ts';
export * from './timeout.ts';
export * from './websocket.ts';
