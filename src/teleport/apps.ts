import { BridgeError } from '../errors/catalogue';
import type { AuthClient } from './auth-client';
import type { AppServerV3, ListResourcesRequest } from './proto/messages';

/**
 * How an MCP app is served, from its URI scheme (lib/srv/mcp): Streamable HTTP is app traffic over HTTPS; stdio
 * (launched by the App Service per connection, or the demo server) and SSE apps are reached over ALPN teleport-mcp.
 */
export type McpTransport = 'streamable-http' | 'sse' | 'stdio';

export interface McpApp {
  name: string;
  description: string;
  labels: Record<string, string>;
  uri: string;
  publicAddr: string;
  transport: McpTransport;
}

/** The transport an `mcp+…` URI names, or undefined when the URI is not an MCP one. */
export function transportOfUri(uri: string): McpTransport | undefined {
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (!scheme?.startsWith('mcp+')) return undefined;
  if (scheme === 'mcp+http' || scheme === 'mcp+https') return 'streamable-http';
  if (scheme.startsWith('mcp+sse+')) return 'sse';
  if (scheme === 'mcp+stdio') return 'stdio';
  return undefined;
}

const PAGE_SIZE = 100;

/** The request tsh sends for one app by name (lib/client/mcp: the exact fields and values of a real lookup). */
function byNameRequest(name: string): ListResourcesRequest {
  return {
    ResourceType: 'app_server',
    Namespace: 'default',
    Limit: 1,
    PredicateExpression: `name == ${JSON.stringify(name)}`,
    SortBy: { IsDesc: false, Field: 'name' },
  };
}

function toApp(server: AppServerV3): { app: Omit<McpApp, 'transport'>; transport: McpTransport | undefined } | undefined {
  const app = server.Spec?.App;
  if (!app?.Metadata || !app.Spec) return undefined;
  const uri = app.Spec.URI;
  return {
    app: { name: app.Metadata.Name, description: app.Metadata.Description, labels: app.Metadata.Labels, uri, publicAddr: app.Spec.PublicAddr },
    transport: transportOfUri(uri),
  };
}

/** Finds the MCP app `name` that mcp-bridge will relay to. Throws APP_NOT_FOUND or APP_NOT_MCP (not an mcp+ URI). */
export async function findMcpApp(auth: AuthClient, name: string): Promise<McpApp> {
  const response = await auth.listResources(byNameRequest(name));
  const found = response.Resources.map((r) => (r.AppServer ? toApp(r.AppServer) : undefined)).find((a) => a?.app.name === name);
  if (!found) throw new BridgeError('APP_NOT_FOUND', `No app named "${name}" is visible to this identity.`, { data: { app: name } });
  const { app, transport } = found;
  if (!transport) {
    throw new BridgeError('APP_NOT_MCP', `app "${name}" is not a MCP server (its URI scheme is ${JSON.stringify(app.uri.split('://')[0])}).`, { data: { app: name } });
  }
  return { ...app, transport };
}

/** Every MCP app visible to the identity, one entry per app name (several App Services may serve one app), by name. */
export async function listMcpApps(auth: AuthClient): Promise<McpApp[]> {
  const apps = new Map<string, McpApp>();
  let startKey = '';
  do {
    const page = await auth.listResources({
      ResourceType: 'app_server',
      Namespace: 'default',
      Limit: PAGE_SIZE,
      StartKey: startKey,
      SortBy: { IsDesc: false, Field: 'name' },
    });
    for (const resource of page.Resources) {
      const found = resource.AppServer ? toApp(resource.AppServer) : undefined;
      if (!found?.transport || apps.has(found.app.name)) continue;
      apps.set(found.app.name, { ...found.app, transport: found.transport });
    }
    startKey = page.NextKey;
  } while (startKey);
  return [...apps.values()].sort((a, b) => a.name.localeCompare(b.name));
}
