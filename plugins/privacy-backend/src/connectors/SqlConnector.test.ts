import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlConnector, type SqlConnectionConfig } from './SqlConnector';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const SUBJECT = 'customer-42';
const OTHERS = ['customer-7', 'customer-420', 'CUSTOMER-42'];

const sha256 = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer, text: string) =>
  createHmac('sha256', key).update(text, 'utf8').digest('hex');

/**
 * An `erasureKey` option that records each key it hands out: `copies` keeps
 * the bytes (to compute the expected hashes), `given` the buffers the
 * connector received (to see them zeroed afterwards).
 */
function watchedKeys() {
  const copies: Buffer[] = [];
  const given: Buffer[] = [];
  return {
    copies,
    given,
    erasureKey: () => {
      const key = randomBytes(32);
      copies.push(Buffer.from(key));
      given.push(key);
      return key;
    },
  };
}

/**
 * `orders` (30 rows of the subject, some sharing an email, some without one)
 * and `sessions` (20 rows of the subject), plus 4 + 3 rows of each other subject.
 */
async function seed(knex: Knex) {
  await knex.schema.createTable('orders', table => {
    table.increments('id');
    table.string('customer_id').notNullable();
    table.string('email');
    table.string('address');
    table.string('note');
    table.integer('total').notNullable();
  });
  await knex.schema.createTable('sessions', table => {
    table.increments('id');
    table.string('user_id').notNullable();
    table.string('ip');
  });

  const orders = [];
  const sessions = [];
  for (let i = 0; i < 30; i++) {
    orders.push({
      customer_id: SUBJECT,
      email: i % 5 === 0 ? null : `subject-${i % 3}@example.com`,
      address: `${i} Subject Street`,
      note: `note ${i}`,
      total: i * 10,
    });
  }
  for (let i = 0; i < 20; i++) {
    sessions.push({ user_id: SUBJECT, ip: `10.0.0.${i}` });
  }
  for (const other of OTHERS) {
    for (let i = 0; i < 4; i++) {
      orders.push({
        customer_id: other,
        // Shares an email with the subject: must not be hashed.
        email: i === 0 ? 'subject-1@example.com' : `${other}-${i}@example.com`,
        address: `${i} Other Road`,
        note: null,
        total: i,
      });
    }
    for (let i = 0; i < 3; i++) {
      sessions.push({ user_id: other, ip: `192.168.0.${i}` });
    }
  }
  await knex('orders').insert(orders);
  await knex('sessions').insert(sessions);
}

async function othersRows(knex: Knex) {
  return {
    orders: await knex('orders').whereIn('customer_id', OTHERS).orderBy('id'),
    sessions: await knex('sessions').whereIn('user_id', OTHERS).orderBy('id'),
  };
}

function config(
  orders: SqlConnectionConfig['tables'][number],
): SqlConnectionConfig {
  return {
    type: 'sql',
    region: 'EU',
    client: 'better-sqlite3',
    connection: ':memory:',
    tables: [
      orders,
      { table: 'sessions', subjectColumn: 'user_id', erase: 'delete-row' },
    ],
  };
}

const ordersByColumns = {
  table: 'orders',
  subjectColumn: 'customer_id',
  erase: 'columns' as const,
  columns: { email: 'hash', address: 'redact', note: 'null' } as const,
};

describe.each(databases.eachSupportedId())('SqlConnector on %p', databaseId => {
  async function setup(orders: SqlConnectionConfig['tables'][number]) {
    const knex = await databases.init(databaseId as TestDatabaseId);
    await seed(knex);
    const keys = watchedKeys();
    const connector = new SqlConnector('checkout-eu', config(orders), {
      knex,
      erasureKey: keys.erasureKey,
    });
    /** The expected hash of `text` under the key of erasure `n` (0 = first). */
    const hashed = (text: string, n = 0) => hmac(keys.copies[n], text);
    return { knex, connector, keys, hashed };
  }

  it('exports exactly the subject rows, all columns, by table', async () => {
    const { knex, connector } = await setup(ordersByColumns);
    const exported = await connector.exportSubject(SUBJECT);

    expect(Object.keys(exported)).toEqual(['orders', 'sessions']);
    expect(exported.orders).toHaveLength(30);
    expect(exported.sessions).toHaveLength(20);
    const byId = (a: any, b: any) => a.id - b.id;
    expect([...exported.orders].sort(byId)).toEqual(
      await knex('orders').where('customer_id', SUBJECT).orderBy('id'),
    );
    expect(exported.orders.find((row: any) => row.id === 2)).toEqual({
      id: 2,
      customer_id: SUBJECT,
      email: 'subject-1@example.com',
      address: '1 Subject Street',
      note: 'note 1',
      total: 10,
    });
    expect(await connector.countRemaining(SUBJECT)).toBe(50);
    expect(await connector.exportSubject('nobody')).toEqual({
      orders: [],
      sessions: [],
    });
  });

  it('gives each of many exports at once only its own subject rows', async () => {
    const { knex, connector } = await setup(ordersByColumns);
    const subjects = [SUBJECT, ...OTHERS, 'nobody'];
    // Started together, so their reads share queries (see the readers).
    const exports = await Promise.all(
      subjects.map(subject => connector.exportSubject(subject)),
    );
    for (const [i, subject] of subjects.entries()) {
      expect(exports[i].orders.map((row: any) => row.id).sort()).toEqual(
        (await knex('orders').where('customer_id', subject))
          .map(row => row.id)
          .sort(),
      );
      expect(exports[i].sessions).toHaveLength(
        (await knex('sessions').where('user_id', subject)).length,
      );
    }
  });

  it('erases with hash, redact and null columns and deleted rows', async () => {
    const { knex, connector, hashed } = await setup(ordersByColumns);
    const before = await knex('orders')
      .where('customer_id', SUBJECT)
      .orderBy('id');
    const others = await othersRows(knex);

    expect(await connector.eraseSubject(SUBJECT)).toEqual({ affected: 50 });
    expect(await connector.countRemaining(SUBJECT)).toBe(0);
    expect(await othersRows(knex)).toEqual(others);

    const ids = before.map(row => row.id);
    const after = await knex('orders').whereIn('id', ids).orderBy('id');
    expect(after).toEqual(
      before.map(row => ({
        ...row,
        customer_id: hashed(SUBJECT),
        email: row.email === null ? null : hashed(row.email),
        address: '[redacted]',
        note: null,
      })),
    );
    expect(await knex('sessions').where('user_id', SUBJECT)).toEqual([]);

    // A second erasure finds nothing left.
    expect(await connector.eraseSubject(SUBJECT)).toEqual({ affected: 0 });
  });

  it.each(['null', 'hash', 'redact'] as const)(
    'erases a column with %p and leaves other subjects untouched',
    async strategy => {
      const { knex, connector, hashed } = await setup({
        table: 'orders',
        subjectColumn: 'customer_id',
        erase: 'columns',
        columns: { email: strategy },
      });
      const before = await knex('orders')
        .where('customer_id', SUBJECT)
        .orderBy('id');
      const others = await othersRows(knex);

      await connector.eraseSubject(SUBJECT);

      expect(await connector.countRemaining(SUBJECT)).toBe(0);
      expect(await othersRows(knex)).toEqual(others);
      const after = await knex('orders')
        .whereIn(
          'id',
          before.map(row => row.id),
        )
        .orderBy('id');
      const erased = (email: string | null) => {
        if (strategy === 'null' || email === null) {
          return strategy === 'redact' ? '[redacted]' : null;
        }
        return strategy === 'hash' ? hashed(email) : '[redacted]';
      };
      expect(after).toEqual(
        before.map(row => ({
          ...row,
          customer_id: hashed(SUBJECT),
          email: erased(row.email),
        })),
      );
    },
  );

  it('deletes rows of every table with delete-row', async () => {
    const { knex, connector } = await setup({
      table: 'orders',
      subjectColumn: 'customer_id',
      erase: 'delete-row',
    });
    const others = await othersRows(knex);

    expect(await connector.eraseSubject(SUBJECT)).toEqual({ affected: 50 });
    expect(await connector.countRemaining(SUBJECT)).toBe(0);
    expect(await othersRows(knex)).toEqual(others);
    const [{ n }] = await knex('orders').count({ n: '*' });
    expect(Number(n)).toBe(12);
  });

  it('hashes every row once, even when a value equals the hash of another', async () => {
    const keys = watchedKeys();
    const key = randomBytes(32);
    keys.erasureKey = () => Buffer.from(key); // a key known in advance
    const knex = await databases.init(databaseId as TestDatabaseId);
    await seed(knex);
    const connector = new SqlConnector(
      'checkout-eu',
      config({
        table: 'orders',
        subjectColumn: 'customer_id',
        erase: 'columns',
        columns: { email: 'hash' },
      }),
      { knex, erasureKey: keys.erasureKey },
    );
    const plain = 'subject-0@example.com';
    await knex('orders')
      .where({ customer_id: SUBJECT, email: 'subject-2@example.com' })
      .update({ email: hmac(key, plain) });

    await connector.eraseSubject(SUBJECT);

    const emails = (
      await knex('orders').where('customer_id', hmac(key, SUBJECT))
    )
      .map(row => row.email)
      .filter(email => email !== null);
    expect(new Set(emails)).toEqual(
      new Set([
        hmac(key, plain),
        hmac(key, 'subject-1@example.com'),
        hmac(key, hmac(key, plain)),
      ]),
    );
  });

  it('hashes with a key of its own per erasure: not sha256, unlinkable across stores and erasures, the key zeroed and stored nowhere', async () => {
    const knex = await databases.init(databaseId as TestDatabaseId);
    await seed(knex);
    // A second store holding the same subject, under the same column names.
    await knex.schema.createTable('crm_contacts', table => {
      table.increments('id');
      table.string('customer_id').notNullable();
      table.string('email');
    });
    await knex('crm_contacts').insert([
      { customer_id: SUBJECT, email: 'subject-1@example.com' },
    ]);
    const keys = watchedKeys();
    const hashedTable = (table: string) => ({
      table,
      subjectColumn: 'customer_id',
      erase: 'columns' as const,
      columns: { email: 'hash' as const },
    });
    const checkout = new SqlConnector(
      'checkout-eu',
      { ...config(hashedTable('orders')), tables: [hashedTable('orders')] },
      { knex, erasureKey: keys.erasureKey },
    );
    const crm = new SqlConnector(
      'crm-eu',
      {
        ...config(hashedTable('crm_contacts')),
        tables: [hashedTable('crm_contacts')],
      },
      { knex, erasureKey: keys.erasureKey },
    );

    await checkout.eraseSubject(SUBJECT);
    await crm.eraseSubject(SUBJECT);
    // The subject comes back (a new order) and is erased a second time.
    await knex('orders').insert({
      customer_id: SUBJECT,
      email: 'subject-1@example.com',
      total: 1,
    });
    await checkout.eraseSubject(SUBJECT);
    expect(keys.copies).toHaveLength(3);

    const erasedRow = async (table: string, n: number) => {
      const key = keys.copies[n];
      const rows = await knex(table).where('customer_id', hmac(key, SUBJECT));
      expect(rows.length).toBeGreaterThan(0);
      return rows.find(row => row.email === hmac(key, 'subject-1@example.com'));
    };
    const first = await erasedRow('orders', 0);
    const other = await erasedRow('crm_contacts', 1);
    const second = await erasedRow('orders', 2);
    const values = [first, other, second].flatMap(row => [
      row.customer_id,
      row.email,
    ]);
    // Six different values: nothing links the three erasures of one subject.
    expect(new Set(values).size).toBe(6);
    // None is the plain SHA-256 a guess of the id or email would reproduce.
    for (const guess of [SUBJECT, 'subject-1@example.com']) {
      expect(values).not.toContain(sha256(guess));
    }

    // Each key was zeroed when its erasure ended ...
    for (const key of keys.given) {
      expect(key.equals(Buffer.alloc(32))).toBe(true);
    }
    // ... and is in no table, in hex or base64.
    const everything = JSON.stringify([
      await knex('orders'),
      await knex('sessions'),
      await knex('crm_contacts'),
    ]);
    for (const key of keys.copies) {
      expect(everything).not.toContain(key.toString('hex'));
      expect(everything).not.toContain(key.toString('base64'));
    }
  });

  it('reads back every declared column, and erases the subject id found in one', async () => {
    const { knex, connector, hashed } = await setup(ordersByColumns);
    // Another customer's order quotes the subject id in two declared columns.
    const [{ id }] = await knex('orders')
      .insert({
        customer_id: 'customer-7',
        email: SUBJECT,
        note: `${SUBJECT}`,
        address: 'Elsewhere',
        total: 3,
      })
      .returning('id');
    // The subject key matches 50 rows; the declared columns one more.
    expect(await connector.countRemaining(SUBJECT)).toBe(51);

    expect(await connector.eraseSubject(SUBJECT)).toEqual({ affected: 51 });
    expect(await connector.countRemaining(SUBJECT)).toBe(0);
    expect(await knex('orders').where({ id })).toEqual([
      {
        id,
        customer_id: 'customer-7',
        email: hashed(SUBJECT),
        note: null,
        address: 'Elsewhere',
        total: 3,
      },
    ]);
  });

  it('reports an erased row whose declared column still holds the subject id', async () => {
    const { knex, connector } = await setup(ordersByColumns);
    await connector.eraseSubject(SUBJECT);
    expect(await connector.countRemaining(SUBJECT)).toBe(0);
    // Written back behind the erasure's back, in a column that is not the key.
    await knex('orders').where('id', 1).update({ address: SUBJECT });
    expect(await connector.countRemaining(SUBJECT)).toBe(1);
  });

  it('binds the subject id: SQL in it matches nothing', async () => {
    const { knex, connector } = await setup(ordersByColumns);
    const others = await othersRows(knex);
    const injection = "x' OR '1'='1";
    expect(await connector.exportSubject(injection)).toEqual({
      orders: [],
      sessions: [],
    });
    expect(await connector.eraseSubject(injection)).toEqual({ affected: 0 });
    expect(await connector.countRemaining(injection)).toBe(0);
    expect(await connector.countRemaining(SUBJECT)).toBe(50);
    expect(await othersRows(knex)).toEqual(others);
  });

  it('rolls back every table when one fails', async () => {
    const knex = await databases.init(databaseId as TestDatabaseId);
    await seed(knex);
    const connector = new SqlConnector(
      'checkout-eu',
      {
        ...config({
          table: 'orders',
          subjectColumn: 'customer_id',
          erase: 'delete-row',
        }),
        tables: [
          {
            table: 'orders',
            subjectColumn: 'customer_id',
            erase: 'delete-row',
          },
          {
            table: 'missing_table',
            subjectColumn: 'user_id',
            erase: 'delete-row',
          },
        ],
      },
      { knex },
    );
    await expect(connector.eraseSubject(SUBJECT)).rejects.toThrow();
    const [{ n }] = await knex('orders')
      .where('customer_id', SUBJECT)
      .count({ n: '*' });
    expect(Number(n)).toBe(30);
  });
});

describe('SqlConnector config', () => {
  const base = config(ordersByColumns);

  it.each([
    ['a table name with SQL in it', { table: 'orders; drop table x' }],
    ['a quoted column', { subjectColumn: 'customer_id"' }],
    ['a column list for delete-row', { erase: 'delete-row' }],
    ['columns mode without columns', { columns: {} }],
    ['a bad column name', { columns: { 'email--': 'hash' } }],
    ['an unknown strategy', { columns: { email: 'shred' } }],
  ])('rejects %s', (_, change) => {
    expect(
      () =>
        new SqlConnector('checkout-eu', {
          ...base,
          tables: [{ ...ordersByColumns, ...change }],
        }),
    ).toThrow(/Invalid privacy connection config: checkout-eu\.tables\.0/);
  });

  it('accepts schema-qualified tables and rejects unknown regions', () => {
    expect(
      () =>
        new SqlConnector('x', {
          ...base,
          tables: [{ ...ordersByColumns, table: 'public.orders' }],
        }),
    ).not.toThrow();
    expect(() => new SqlConnector('x', { ...base, region: 'MARS' })).toThrow(
      /x\.region/,
    );
  });

  it('opens and closes its own SQLite database from config', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'privacy-sql-'));
    try {
      const filename = join(directory, 'checkout.sqlite');
      const setup = knexFactory({
        client: 'better-sqlite3',
        connection: { filename },
        useNullAsDefault: true,
      });
      await seed(setup);
      await setup.destroy();

      const connector = new SqlConnector('checkout-eu', {
        ...base,
        connection: filename,
      });
      expect(connector.region).toBe('EU');
      expect(await connector.countRemaining(SUBJECT)).toBe(50);
      await connector.eraseSubject(SUBJECT);
      expect(await connector.countRemaining(SUBJECT)).toBe(0);
      await connector.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
