/** The Teleport side of mcp-bridge: nothing outside this folder knows Teleport exists. */
export { createTeleportUpstream, type TeleportUpstreamOptions } from './app-upstream';
export { pingProxy, DEFAULT_CONNECT_TIMEOUT_MS, type ProxyPing, type WebTrust } from './ping';
export { parseProxyAddress, type ProxyAddress } from './proxy-address';
export { AuthClient, authClientForIdentity, type AuthClientOptions, type AuthCredentials } from './auth-client';
export { findMcpApp, listMcpApps, transportOfUri, type McpApp, type McpTransport } from './apps';
export { obtainAppCert, type AppCert } from './app-cert';
export { routesToApp } from './app-route';
export { describeSseLineLimit } from './sse-line-limits';
export { summarizeAppCertCache, type AppCertCacheSummary } from './app-cert-cache';
