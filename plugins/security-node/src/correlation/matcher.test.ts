import { compileMatch } from './matcher';
import type { EcsDocument } from './types';

describe('compileMatch', () => {
  const line = {
    '@timestamp': '2026-01-01T00:00:00Z',
    ecs: { version: '9.4.0' },
    event: { category: ['iam', 'authentication'], outcome: 'failure' },
    http: { response: { status_code: 401 } },
    labels: { ops_privileged: 'true' },
    'user.id': 'user:default/flat',
  };
  // A dotted key ('user.id') is outside the nested `Ecs` type, hence the cast.
  const event = line as unknown as EcsDocument;

  it('matches equals, in and exists on nested, array and dotted fields', () => {
    expect(
      compileMatch({ field: 'event.category', equals: 'iam' })(event),
    ).toBe(true);
    expect(
      compileMatch({ field: 'event.category', equals: 'web' })(event),
    ).toBe(false);
    expect(
      compileMatch({ field: 'http.response.status_code', in: ['401', 403] })(
        event,
      ),
    ).toBe(true);
    expect(
      compileMatch({ field: 'labels.ops_privileged', equals: true })(event),
    ).toBe(true);
    expect(
      compileMatch({ field: 'user.id', equals: 'user:default/flat' })(event),
    ).toBe(true);
    expect(compileMatch({ field: 'event.action', exists: false })(event)).toBe(
      true,
    );
    expect(compileMatch({ field: 'event.outcome', exists: true })(event)).toBe(
      true,
    );
  });

  it('combines with all and any', () => {
    const failedAuth = compileMatch({
      all: [
        { field: 'event.category', equals: 'authentication' },
        { field: 'event.outcome', equals: 'failure' },
      ],
    });
    expect(failedAuth(event)).toBe(true);
    expect(
      failedAuth({
        ...line,
        event: { ...line.event, outcome: 'success' },
      } as unknown as EcsDocument),
    ).toBe(false);
    expect(
      compileMatch({
        any: [
          { field: 'x.y', exists: true },
          { field: 'event.outcome', equals: 'failure' },
        ],
      })(event),
    ).toBe(true);
  });
});
