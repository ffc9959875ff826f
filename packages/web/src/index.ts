export { WebServer, WEB_DEFAULTS, type WebServerOptions, type RouteHandler } from './web-server.js';
export { WebConnection, terminalFromQuery, MAX_CONTROL_MESSAGE, type PageTerminal } from './web-connection.js';
export { ForwardedResolver } from './forwarded.js';
