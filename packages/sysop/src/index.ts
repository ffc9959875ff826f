export * from './protocol.js';
export { runConsole, nodeRow, NODE_HEADER, type ConsoleOptions } from './console/console.js';
export { SpyScreen } from './console/spy-screen.js';
export { runLocalConsole } from './console/local.js';
