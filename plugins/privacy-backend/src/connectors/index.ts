import { z } from 'zod';
import { HttpConnector, httpConnectionSchema } from './HttpConnector';
import {
  SqlConnector,
  type SqlConnectorOptions,
  sqlConnectionSchema,
} from './SqlConnector';
import type { DataSourceConnector } from './types';
import { parseConnectionConfig } from './validation';

export * from './types';
export {
  ConnectorRequestError,
  HttpConnector,
  type HttpConnectionConfig,
  httpConnectionSchema,
  signOpsRequest,
  verifyOpsSignature,
} from './HttpConnector';
export {
  SqlConnector,
  type SqlConnectionConfig,
  type SqlConnectorOptions,
  sqlConnectionSchema,
} from './SqlConnector';

/** The config of one named connection, e.g. `privacy.connections.checkout-eu`. */
export const connectionConfigSchema = z.discriminatedUnion('type', [
  sqlConnectionSchema,
  httpConnectionSchema,
]);

export type ConnectionConfig = z.input<typeof connectionConfigSchema>;

/** Creates the connector of a named connection, dispatching on its `type`. */
export function createConnector(
  name: string,
  config: ConnectionConfig | unknown,
  options: SqlConnectorOptions = {},
): DataSourceConnector {
  const parsed = parseConnectionConfig(name, connectionConfigSchema, config);
  switch (parsed.type) {
    case 'sql':
      return new SqlConnector(name, parsed, options);
    case 'http':
      return new HttpConnector(name, parsed);
    default:
      throw new Error(`Unknown connection type of "${name}"`);
  }
}
