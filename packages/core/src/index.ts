export * from './errors.js';
export * from './limits.js';
export * from './escape.js';
export * from './log.js';
export * from './encoding.js';
export * from './connection.js';
export * from './base-server.js';
