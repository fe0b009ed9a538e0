import { compareFingerprints, describeMismatch } from './compare';

const fp = (rows: number, checksum: string) => ({ rows, checksum });

describe('compareFingerprints', () => {
  it('finds nothing when both sides agree', () => {
    const source = new Map([
      ['b', fp(2, 'x')],
      ['a', fp(0, 'y')],
    ]);
    const result = compareFingerprints(source, new Map(source));
    expect(result.mismatches).toEqual([]);
    expect(result.tables.map(t => t.table)).toEqual(['a', 'b']);
  });

  it('lists rows, checksum, missing and extra tables', () => {
    const result = compareFingerprints(
      new Map([
        ['rows', fp(3, 'a')],
        ['sum', fp(3, 'a')],
        ['gone', fp(1, 'g')],
      ]),
      new Map([
        ['rows', fp(2, 'a')],
        ['sum', fp(3, 'b')],
        ['new', fp(1, 'n')],
      ]),
    );
    expect(result.mismatches.map(m => [m.table, m.kind])).toEqual([
      ['gone', 'missing-in-restore'],
      ['new', 'extra-in-restore'],
      ['rows', 'rows'],
      ['sum', 'checksum'],
    ]);
    expect(result.tables.find(t => t.table === 'gone')?.restored).toBeNull();
    expect(result.mismatches.map(describeMismatch)).toEqual([
      'table gone is missing from the restored copy',
      'table new exists only in the restored copy',
      'table rows has 2 rows restored, 3 in the source',
      'table sum checksum differs (source a, restored b)',
    ]);
  });
});
