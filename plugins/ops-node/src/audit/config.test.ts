import { ConfigReader } from '@backstage/config';
import { committedAuditKeyPaths, readAuditKeyring } from './config';

const DEMO_KEY = {
  id: 'demo-audit-1',
  key: 'pjFKhToWq9alU5rHFoVR8oMMT2POQVlJnjEAIC3PbmU=',
};
const OWN_KEY = {
  id: 'prod-1',
  key: 'a key of our own, long enough: 0123456789',
};

const config = (audit: unknown) => new ConfigReader({ ops: { audit } } as any);

describe('readAuditKeyring', () => {
  it('refuses the committed demo key outside demo mode, naming it', () => {
    expect(() =>
      readAuditKeyring(config({ signingKey: DEMO_KEY }), {
        allowCommittedKeys: false,
      }),
    ).toThrow(/demo key committed.*ops\.audit\.signingKey/);
    // The same secret under another id is refused too.
    expect(
      committedAuditKeyPaths(
        config({
          signingKey: OWN_KEY,
          previousKeys: [{ ...DEMO_KEY, id: 'renamed' }],
        }),
      ),
    ).toEqual(['ops.audit.previousKeys.0']);
  });

  it('takes the demo key in demo mode and its own keys anywhere', () => {
    expect(
      readAuditKeyring(config({ signingKey: DEMO_KEY }), {
        allowCommittedKeys: true,
      }).signingKeyId,
    ).toBe('demo-audit-1');
    const keyring = readAuditKeyring(
      config({
        signingKey: OWN_KEY,
        previousKeys: [{ ...OWN_KEY, id: 'old' }],
      }),
      { allowCommittedKeys: false },
    );
    expect(keyring.signingKeyId).toBe('prod-1');
    expect(keyring.has('old')).toBe(true);
  });

  it('names a missing or short key', () => {
    expect(() =>
      readAuditKeyring(config(undefined), { allowCommittedKeys: true }),
    ).toThrow(/ops\.audit/);
    expect(() =>
      readAuditKeyring(config({ signingKey: { id: 'x', key: 'short' } }), {
        allowCommittedKeys: true,
      }),
    ).toThrow(/ops\.audit\.signingKey\.key.*32 characters/);
  });
});
