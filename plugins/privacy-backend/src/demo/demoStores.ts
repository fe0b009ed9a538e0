import knexFactory, { Knex } from 'knex';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The demo subjects: the same customer ids in every demo store. */
export const DEMO_SUBJECTS = Array.from(
  { length: 12 },
  (_, i) => `customer-${1001 + i}`,
);

type Row = Record<string, string | number>;
interface DemoTable {
  name: string;
  columns: string[];
  rows: (subject: string, index: number) => Row[];
}

const names = [
  'Ana Silva',
  'Ben Okafor',
  'Chloé Martin',
  'Dara Kim',
  'Eero Virtanen',
  'Fatima Zahra',
  'Gus Moreau',
  'Hana Sato',
  'Ivan Petrov',
  'Jo Byrne',
  'Kai Müller',
  'Lena Novak',
];

/**
 * Tables of the demo data stores, by connection name (app-config
 * privacy.connections). Each subject has a handful of rows in each store.
 */
export const DEMO_STORES: Record<string, DemoTable[]> = {
  'checkout-eu': [
    {
      name: 'customers',
      columns: ['customer_id', 'name', 'email', 'address'],
      rows: (s, i) => [
        {
          customer_id: s,
          name: names[i],
          email: `${s}@example.com`,
          address: `${i + 1} Demo Street, Dublin`,
        },
      ],
    },
    {
      name: 'orders',
      columns: [
        'id',
        'customer_id',
        'total_cents',
        'shipping_address',
        'email',
      ],
      rows: (s, i) =>
        Array.from({ length: 4 }, (_, n) => ({
          id: `${s}-order-${n}`,
          customer_id: s,
          total_cents: 1999 + n * 500,
          shipping_address: `${i + 1} Demo Street, Dublin`,
          email: `${s}@example.com`,
        })),
    },
  ],
  'payments-eu': [
    {
      name: 'payment_methods',
      columns: ['id', 'customer_id', 'card_last4', 'billing_name'],
      rows: (s, i) => [
        {
          id: `${s}-card`,
          customer_id: s,
          card_last4: String(4000 + i),
          billing_name: names[i],
        },
      ],
    },
  ],
  'accounts-us': [
    {
      name: 'users',
      columns: ['user_id', 'username', 'email', 'phone'],
      rows: (s, i) => [
        {
          user_id: s,
          username: names[i].split(' ')[0].toLowerCase(),
          email: `${s}@example.com`,
          phone: `+1-555-01${String(i).padStart(2, '0')}`,
        },
      ],
    },
    {
      name: 'sessions',
      columns: ['id', 'user_id', 'ip'],
      rows: s =>
        Array.from({ length: 3 }, (_, n) => ({
          id: `${s}-session-${n}`,
          user_id: s,
          ip: `198.51.100.${n + 10}`,
        })),
    },
  ],
  'notifications-us': [
    {
      name: 'deliveries',
      columns: ['id', 'recipient_id', 'channel', 'address'],
      rows: s =>
        Array.from({ length: 5 }, (_, n) => ({
          id: `${s}-delivery-${n}`,
          recipient_id: s,
          channel: n % 2 ? 'sms' : 'email',
          address: `${s}@example.com`,
        })),
    },
  ],
  'analytics-apac': [
    {
      name: 'events',
      columns: ['id', 'customer_id', 'event'],
      rows: s =>
        Array.from({ length: 6 }, (_, n) => ({
          id: `${s}-event-${n}`,
          customer_id: s,
          event: n % 3 ? 'page_view' : 'search',
        })),
    },
  ],
};

/**
 * Creates the demo data stores (SQLite files named by the connections'
 * config) with rows for every demo subject, unless they exist already.
 */
export async function createDemoStores(
  connections: Record<string, Record<string, unknown>>,
) {
  for (const [name, tables] of Object.entries(DEMO_STORES)) {
    const config = connections[name];
    if (
      !config ||
      config.client !== 'better-sqlite3' ||
      typeof config.connection !== 'string'
    )
      continue;
    const filename = resolve(config.connection);
    await mkdir(dirname(filename), { recursive: true });
    const db: Knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
    });
    try {
      for (const table of tables) {
        if (await db.schema.hasTable(table.name)) continue;
        await db.schema.createTable(table.name, t => {
          for (const column of table.columns) t.string(column);
        });
        const rows = DEMO_SUBJECTS.flatMap((subject, i) =>
          table.rows(subject, i),
        );
        await db.batchInsert(table.name, rows, 100);
      }
    } finally {
      await db.destroy();
    }
  }
}
