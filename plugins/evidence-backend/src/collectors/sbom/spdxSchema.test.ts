import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import schema from './spdx-2.3.schema.json';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

type Json = Record<string, any>;

/** A small document in the shape the collector writes, valid as it is. */
function document(): Json {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'app workspace',
    documentNamespace: 'https://ops.portal/spdxdocs/app-0123abcd',
    creationInfo: {
      created: '2026-12-03T10:00:00Z',
      creators: ['Tool: ops-portal-evidence-sbom-collector'],
    },
    packages: [
      {
        SPDXID: 'SPDXRef-Package-app-1.0.0-0a1b2c3d',
        name: 'app',
        versionInfo: '1.0.0',
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        primaryPackagePurpose: 'APPLICATION',
      },
      {
        SPDXID: 'SPDXRef-Package-left-pad-1.3.0-4e5f6a7b',
        name: 'left-pad',
        versionInfo: '1.3.0',
        downloadLocation:
          'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
        filesAnalyzed: false,
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'WTFPL',
        copyrightText: 'NOASSERTION',
        checksums: [
          { algorithm: 'SHA1', checksumValue: 'a'.repeat(40) },
          { algorithm: 'SHA512', checksumValue: 'b'.repeat(128) },
        ],
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: 'pkg:npm/left-pad@1.3.0',
          },
        ],
      },
    ],
    relationships: [
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: 'SPDXRef-Package-app-1.0.0-0a1b2c3d',
      },
      {
        spdxElementId: 'SPDXRef-Package-app-1.0.0-0a1b2c3d',
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: 'SPDXRef-Package-left-pad-1.3.0-4e5f6a7b',
      },
    ],
  };
}

/** The instance paths and keywords the schema refuses `value` for. */
function refusals(value: Json): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(e => `${e.instancePath} ${e.keyword}`);
}

describe('spdx-2.3.schema.json', () => {
  it('accepts a document in the shape the collector writes', () => {
    expect(refusals(document())).toEqual([]);
  });

  it('accepts what SPDX 2.3 allows beyond that', () => {
    const doc = document();
    doc.creationInfo.creators.push(
      'Organization: Example Org ()',
      'Person: Jane Doe',
    );
    doc.creationInfo.licenseListVersion = '3.21';
    doc.packages[0].downloadLocation =
      'git+https://git.example.test/app.git@refs/tags/v1.0.0#packages/app';
    doc.packages[0].supplier = 'Organization: Example Org';
    doc.packages[1].externalRefs.push(
      {
        referenceCategory: 'SECURITY',
        referenceType: 'cpe23Type',
        referenceLocator: 'cpe:2.3:a:left-pad:left-pad:1.3.0:*:*:*:*:*:*:*',
      },
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'npm',
        referenceLocator: 'left-pad@1.3.0',
      },
      {
        referenceCategory: 'OTHER',
        referenceType: 'LocationRef-acmeforge',
        referenceLocator: 'acme/left-pad/1.3.0',
      },
    );
    doc.relationships.push(
      {
        spdxElementId: 'SPDXRef-Package-left-pad-1.3.0-4e5f6a7b',
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: 'NONE',
      },
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'AMENDS',
        relatedSpdxElement: 'DocumentRef-previous:SPDXRef-DOCUMENT',
      },
    );
    expect(refusals(doc)).toEqual([]);
  });

  it('refuses a document without dataLicense', () => {
    const doc = document();
    delete doc.dataLicense;
    expect(refusals(doc)).toEqual([' required']);
  });

  it('refuses a data license other than CC0-1.0 and another SPDX version', () => {
    const doc = document();
    doc.dataLicense = 'MIT';
    doc.spdxVersion = 'SPDX-2.2';
    expect(refusals(doc)).toEqual(['/spdxVersion const', '/dataLicense const']);
  });

  it.each([
    ['a package SPDXID without the SPDXRef- prefix', 'Package-app'],
    [
      'a package SPDXID with a character SPDX ids do not allow',
      'SPDXRef-@app/x',
    ],
    ['an empty package SPDXID', 'SPDXRef-'],
  ])('refuses %s', (_, id) => {
    const doc = document();
    doc.packages[0].SPDXID = id;
    expect(refusals(doc)).toEqual(['/packages/0/SPDXID pattern']);
  });

  it('refuses a document SPDXID other than SPDXRef-DOCUMENT', () => {
    const doc = document();
    doc.SPDXID = 'SPDXRef-Document';
    expect(refusals(doc)).toEqual(['/SPDXID const']);
  });

  it('refuses a relationship type SPDX 2.3 does not define', () => {
    const doc = document();
    doc.relationships[1].relationshipType = 'REQUIRES';
    expect(refusals(doc)).toEqual(['/relationships/1/relationshipType enum']);
  });

  it('refuses NONE on the left of a relationship and a bad element id', () => {
    const doc = document();
    doc.relationships[1].spdxElementId = 'NONE';
    doc.relationships[0].relatedSpdxElement = 'Package-app';
    expect(refusals(doc)).toEqual([
      '/relationships/0/relatedSpdxElement pattern',
      '/relationships/0/relatedSpdxElement enum',
      '/relationships/0/relatedSpdxElement anyOf',
      '/relationships/1/spdxElementId pattern',
    ]);
  });

  it.each([
    'left-pad@1.3.0',
    'somewhere on npm',
    'registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
    'noassertion',
    '',
  ])('refuses the download location %p', location => {
    const doc = document();
    doc.packages[1].downloadLocation = location;
    expect(refusals(doc)).toContain('/packages/1/downloadLocation anyOf');
  });

  it('refuses a namespace with a # part or without a scheme', () => {
    const doc = document();
    doc.documentNamespace = 'https://ops.portal/spdxdocs/app#v1';
    expect(refusals(doc)).toEqual(['/documentNamespace pattern']);
    doc.documentNamespace = 'ops.portal/spdxdocs/app';
    expect(refusals(doc)).toContain('/documentNamespace format');
  });

  it('refuses creators without a Person:, Organization: or Tool: prefix, and none at all', () => {
    const doc = document();
    doc.creationInfo.creators = ['ops-portal-evidence-sbom-collector'];
    expect(refusals(doc)).toEqual(['/creationInfo/creators/0 pattern']);
    doc.creationInfo.creators = [];
    expect(refusals(doc)).toEqual(['/creationInfo/creators minItems']);
  });

  it('refuses a created time that is not YYYY-MM-DDThh:mm:ssZ', () => {
    const doc = document();
    doc.creationInfo.created = '2026-12-03T10:00:00.123Z';
    expect(refusals(doc)).toEqual(['/creationInfo/created pattern']);
    doc.creationInfo.created = '2026-13-03T10:00:00Z';
    expect(refusals(doc)).toEqual(['/creationInfo/created format']);
  });

  it('refuses a package without a name or download location', () => {
    const doc = document();
    delete doc.packages[0].name;
    delete doc.packages[1].downloadLocation;
    expect(refusals(doc)).toEqual([
      '/packages/0 required',
      '/packages/1 required',
    ]);
  });

  it('refuses unknown external reference categories and types outside Annex F', () => {
    const doc = document();
    for (const category of ['PACKAGE MANAGER', 'PACKAGE_MANAGER']) {
      doc.packages[1].externalRefs[0].referenceCategory = category;
      expect(refusals(doc)).toEqual([
        '/packages/1/externalRefs/0/referenceCategory enum',
      ]);
    }
    doc.packages[1].externalRefs[0].referenceCategory = 'PACKAGE-MANAGER';
    doc.packages[1].externalRefs[0].referenceType = 'yarn';
    expect(refusals(doc)).toEqual([
      '/packages/1/externalRefs/0/referenceType enum',
      '/packages/1/externalRefs/0 if',
    ]);
    doc.packages[1].externalRefs[0].referenceType = 'purl';
    doc.packages[1].externalRefs[0].referenceLocator = 'npm/left-pad@1.3.0';
    expect(refusals(doc)).toEqual([
      '/packages/1/externalRefs/0/referenceLocator pattern',
      '/packages/1/externalRefs/0 if',
    ]);
  });

  it('refuses checksums with an unknown algorithm, upper-case hex or the wrong length', () => {
    const doc = document();
    doc.packages[1].checksums = [
      { algorithm: 'SHA-256', checksumValue: 'c'.repeat(64) },
      { algorithm: 'SHA256', checksumValue: 'C'.repeat(64) },
      { algorithm: 'SHA256', checksumValue: 'c'.repeat(40) },
    ];
    const found = refusals(doc);
    expect(found).toContain('/packages/1/checksums/0/algorithm enum');
    expect(found).toContain('/packages/1/checksums/1/checksumValue pattern');
    expect(found).toContain('/packages/1/checksums/2/checksumValue minLength');
    expect(found.filter(f => f.includes('/checksums/1/'))).not.toContain(
      '/packages/1/checksums/1/checksumValue minLength',
    );
  });

  it('refuses a verification code on a package whose files were not analyzed', () => {
    const doc = document();
    doc.packages[0].packageVerificationCode = {
      packageVerificationCodeValue: 'd'.repeat(40),
    };
    expect(refusals(doc)).toContain(
      '/packages/0/packageVerificationCode false schema',
    );
    doc.packages[0].filesAnalyzed = true;
    expect(refusals(doc)).toEqual([]);
  });

  it('refuses members SPDX does not define', () => {
    const doc = document();
    doc.packages[0].licence = 'MIT';
    doc.relationships[0].type = 'DESCRIBES';
    doc.extra = true;
    expect(refusals(doc)).toEqual([
      ' additionalProperties',
      '/packages/0 additionalProperties',
      '/relationships/0 additionalProperties',
    ]);
  });

  it('refuses filesAnalyzed that is not a boolean', () => {
    const doc = document();
    doc.packages[0].filesAnalyzed = 'false';
    expect(refusals(doc)).toContain('/packages/0/filesAnalyzed type');
  });
});
