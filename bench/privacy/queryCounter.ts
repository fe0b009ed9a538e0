/*
 * With `--profile`: counts the SQL statements this process sends, by
 * database and statement shape, through pg's Client.query (which every
 * knex instance and connector here goes through). Prints how many of each
 * an export costs. Per call it only counts the statement's first 200
 * characters; the shapes are worked out once at the end.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg');

export function startQueryCounter(): () => Map<string, number> {
  const raw = new Map<string, number>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(
    this: any,
    config: any,
    ...rest: any[]
  ) {
    const text: string =
      typeof config === 'string' ? config : config?.text ?? '';
    const key = `${this.connectionParameters?.database ?? '?'}\n${text.slice(
      0,
      200,
    )}`;
    raw.set(key, (raw.get(key) ?? 0) + 1);
    return original.call(this, config, ...rest);
  };
  return () => {
    pg.Client.prototype.query = original;
    const counts = new Map<string, number>();
    for (const [key, n] of raw) {
      const [database, text] = key.split('\n', 2);
      const db = /_src\d+$/.test(database) ? 'source db' : 'privacy db';
      const shape = text
        .replace(/\s+/g, ' ')
        .replace(/\$\d+(, ?\$\d+)*/g, '$…')
        .replace(/\(\$…\)(, \(\$…\))+/g, '($…), …')
        .slice(0, 90);
      const k = `${db}: ${shape}`;
      counts.set(k, (counts.get(k) ?? 0) + n);
    }
    return counts;
  };
}
