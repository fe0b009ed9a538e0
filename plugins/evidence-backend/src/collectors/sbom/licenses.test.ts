import { declaredLicense, isValidLicenseExpression } from './licenses';
import { npmPurl } from './purl';

describe('isValidLicenseExpression', () => {
  it.each([
    'MIT',
    'Apache-2.0',
    'MIT OR Apache-2.0',
    'GPL-2.0+',
    '(MIT OR Apache-2.0)',
    'MIT AND ISC AND BSD-3-Clause',
    '(MIT AND (BSD-2-Clause OR Zlib))',
    'GPL-2.0-or-later WITH Classpath-exception-2.0',
    'LicenseRef-x',
    'LicenseRef-Custom-1',
    'DocumentRef-other:LicenseRef-x',
  ])('accepts %s', expression => {
    expect(isValidLicenseExpression(expression)).toBe(true);
  });

  it.each([
    '',
    '   ',
    'UNLICENSED',
    'NONE',
    'NOASSERTION',
    'SEE LICENSE IN LICENSE.txt',
    'Remix Icon License 1.0',
    // Identifiers must be on the SPDX License List (or be a LicenseRef-).
    'BSD',
    'Apache2',
    'MIT OR Apache2',
    'mit',
    'MIT WITH Not-An-Exception',
    'GPL-2.0 WITH MIT',
    // Operators are matched case-sensitively (Annex D.2).
    'MIT or Apache-2.0',
    'GPL-2.0-or-later with Classpath-exception-2.0',
    'MIT OR',
    '(MIT',
    'MIT)',
    'MIT AND AND ISC',
    'MIT WITH',
    'MIT WITH (x)',
    'MIT/X11',
  ])('refuses %p', expression => {
    expect(isValidLicenseExpression(expression)).toBe(false);
  });
});

describe('declaredLicense', () => {
  it('reads the license field, the old object form and a single old licenses entry', () => {
    expect(declaredLicense({ license: ' MIT ' })).toBe('MIT');
    expect(declaredLicense({ license: { type: 'ISC' } })).toBe('ISC');
    expect(declaredLicense({ licenses: [{ type: 'BSD-2-Clause' }] })).toBe(
      'BSD-2-Clause',
    );
  });

  it('says NOASSERTION for none, several old entries or no SPDX expression', () => {
    expect(declaredLicense({})).toBe('NOASSERTION');
    expect(declaredLicense({ licenses: ['MIT', 'Apache2'] })).toBe(
      'NOASSERTION',
    );
    expect(declaredLicense({ license: 'UNLICENSED' })).toBe('NOASSERTION');
    expect(declaredLicense({ license: 42 })).toBe('NOASSERTION');
    expect(declaredLicense({ license: 'BSD' })).toBe('NOASSERTION');
    expect(declaredLicense({ license: { type: 'Apache 2.0' } })).toBe(
      'NOASSERTION',
    );
  });
});

describe('npmPurl', () => {
  it('writes the scope as the namespace with @ encoded', () => {
    expect(npmPurl('@babel/core', '7.28.0')).toBe(
      'pkg:npm/%40babel/core@7.28.0',
    );
    expect(npmPurl('left-pad', '1.3.0')).toBe('pkg:npm/left-pad@1.3.0');
    expect(npmPurl('x', '1.0.0+build.1')).toBe('pkg:npm/x@1.0.0%2Bbuild.1');
  });
});
