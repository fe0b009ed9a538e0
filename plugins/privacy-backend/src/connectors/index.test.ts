import {
  HttpConnector,
  SqlConnector,
  connectionConfigSchema,
  createConnector,
} from '.';

describe('createConnector', () => {
  it('dispatches on the connection type', async () => {
    const sql = createConnector('checkout-eu', {
      type: 'sql',
      region: 'EU',
      client: 'better-sqlite3',
      connection: ':memory:',
      tables: [{ table: 'users', subjectColumn: 'id', erase: 'delete-row' }],
    });
    expect(sql).toBeInstanceOf(SqlConnector);
    expect(sql.connection).toBe('checkout-eu');
    await sql.close();

    const http = createConnector('crm-us', {
      type: 'http',
      region: 'US',
      url: 'https://crm.example.com/dsar',
      secret: 'a-shared-secret-of-32-characters',
    });
    expect(http).toBeInstanceOf(HttpConnector);
    expect(http.region).toBe('US');
  });

  it('names the connection in config errors', () => {
    expect(() =>
      createConnector('legacy', { type: 'ftp', region: 'EU' }),
    ).toThrow(/Invalid privacy connection config: legacy\.type/);
    expect(
      connectionConfigSchema.safeParse({ type: 'sql', region: 'EU' }).success,
    ).toBe(false);
  });
});
