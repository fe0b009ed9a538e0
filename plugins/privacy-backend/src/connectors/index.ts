import { z } from 'zod';
import {
  HttpConnector,
  type HttpConnectorOptions,
  httpConnectionSchema,
} from './HttpConnector';
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
  DEFAULT_MAX_RESPONSE_BYTES,
  HttpConnector,
  type HttpConnectionConfig,
  type HttpConnectorOptions,
  HTTPS_ONLY_MESSAGE,
  NONCE_HEADER,
  NonceCache,
  type OpsRequestParts,
  type OpsVerification,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  httpConnectionSchema,
  newNonce,
  signOpsRequest,
  verifyOpsRequest,
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
  options: SqlConnectorOptions & HttpConnectorOptions = {},
): DataSourceConnector {
  const parsed = parseConnectionConfig(name, connectionConfigSchema, config);
  switch (parsed.type) {
    case 'sql':
      return new SqlConnector(name, parsed, options);
    case 'http':
      return new HttpConnector(name, parsed, options);
    default:
      throw new Error(`Unknown connection type of "${name}"`);
  }
}
