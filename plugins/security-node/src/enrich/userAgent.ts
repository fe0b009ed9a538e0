import { UAParser } from 'ua-parser-js';
import type { EcsDocument } from '../correlation/types';

type UserAgentFields = NonNullable<EcsDocument['user_agent']>;

/** Parsed user agents, by original string; bounded (cleared when full). */
const CACHE_LIMIT = 1000;

/**
 * Parses `user_agent.original` into `user_agent.name`, `.version`, `.os.*` and `.device.name`
 * with ua-parser-js. Logs repeat a few user agents, so parses are cached.
 */
export function createUserAgentEnricher() {
  const cache = new Map<string, UserAgentFields>();
  const parse = (original: string): UserAgentFields => {
    const hit = cache.get(original);
    if (hit) return hit;
    const { browser, os, device } = UAParser(original);
    const osFull = [os.name, os.version].filter(Boolean).join(' ');
    const fields: UserAgentFields = {
      name: browser.name,
      version: browser.version,
      os: os.name
        ? { name: os.name, version: os.version, full: osFull }
        : undefined,
      device: device.model ? { name: device.model } : undefined,
    };
    for (const key of Object.keys(fields) as Array<keyof UserAgentFields>) {
      if (fields[key] === undefined) delete fields[key];
    }
    if (fields.os && fields.os.version === undefined) delete fields.os.version;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(original, fields);
    return fields;
  };

  return (doc: EcsDocument): EcsDocument => {
    const original = doc.user_agent?.original;
    if (typeof original !== 'string' || original === '') return doc;
    return { ...doc, user_agent: { ...parse(original), original } };
  };
}
