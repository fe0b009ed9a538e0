import { describeSchemaIssues, PRIORITY_NAMES } from '.';

describe('describeSchemaIssues', () => {
  const issues = [
    { path: ['sla', 'exportHours'], message: 'Expected number' },
    { path: [], message: 'Unrecognized key(s): x' },
  ];

  it('names each issue by its path', () => {
    expect(describeSchemaIssues(issues)).toEqual([
      'sla.exportHours: Expected number',
      'Unrecognized key(s): x',
    ]);
  });

  it('puts a prefix before the path', () => {
    expect(describeSchemaIssues(issues, 'privacy')).toEqual([
      'privacy.sla.exportHours: Expected number',
      'privacy: Unrecognized key(s): x',
    ]);
  });
});

describe('priority scale', () => {
  it('lists names lowest first', () => {
    expect(PRIORITY_NAMES).toEqual(['LOW', 'NORMAL', 'HIGH', 'URGENT']);
  });
});
