import type { JsonObject } from '@backstage/types';
import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { readPrivacyConfig } from '../config';
import { committedKeysIn } from './committedKeys';

/** The privacy section of the committed app-config.yaml, as the demo runs it. */
const committed = parse(
  readFileSync(resolve(__dirname, '../../../../app-config.yaml'), 'utf8'),
).privacy;

const key = () => randomBytes(32).toString('base64');
const freshKeys = {
  identifiers: { key: { id: 'prod-ids-1', key: key() }, pepper: key() },
  regions: {
    EU: {
      masterKey: { id: 'prod-eu-1', key: key() },
      storage: { directory: '/tmp/eu' },
    },
  },
};

const read = (privacy: JsonObject) =>
  readPrivacyConfig(new ConfigReader({ privacy }));

describe('committed demo keys', () => {
  it('knows every key and pepper committed in app-config.yaml', () => {
    const config = read(committed); // demo mode: accepted
    expect(committedKeysIn(config)).toEqual([
      'privacy.identifiers.key',
      'privacy.identifiers.pepper',
      ...Object.keys(committed.regions).map(
        region => `privacy.regions.${region}.masterKey`,
      ),
    ]);
  });

  it('stops start-up outside demo mode, naming each committed key', () => {
    // What app-config.production.yaml yields with no PRIVACY_* variables set:
    // every key falls back to the committed one.
    expect(() => read({ ...committed, demo: { enabled: false } })).toThrow(
      /Refusing to start on the demo keys.*privacy\.identifiers\.key, privacy\.identifiers\.pepper, privacy\.regions\.EU\.masterKey, privacy\.regions\.US\.masterKey, privacy\.regions\.UK\.masterKey, privacy\.regions\.APAC\.masterKey/,
    );
  });

  it('refuses a committed key under another id, and a committed id with another key', () => {
    const eu = freshKeys.regions.EU;
    expect(() =>
      read({
        ...freshKeys,
        regions: {
          EU: {
            ...eu,
            masterKey: {
              id: 'renamed',
              key: committed.regions.EU.masterKey.key,
            },
          },
        },
      }),
    ).toThrow(/privacy\.regions\.EU\.masterKey/);
    expect(() =>
      read({
        ...freshKeys,
        identifiers: {
          ...freshKeys.identifiers,
          key: { id: 'demo-ids-1', key: key() },
        },
      }),
    ).toThrow(/privacy\.identifiers\.key[^.]/);
  });

  it('starts on keys of its own', () => {
    expect(read(freshKeys).regions.EU?.masterKey.id).toBe('prod-eu-1');
  });
});
