import express from 'express';
import Router from 'express-promise-router';
import {
  NONCE_HEADER,
  NonceCache,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyOpsRequest,
} from '../connectors/HttpConnector';
import { DEMO_SUBJECTS } from './demoStores';

/**
 * A stand-in for the accounts service's own DSAR endpoint (the demo's one
 * HTTP connector target), mounted under /api/privacy/demo/accounts-dsar when
 * the demo is on. It checks each call as a real service should: the
 * signature over the method, the path it was sent to, the timestamp, the
 * nonce and the body; a timestamp within 5 minutes; a nonce not seen before
 * (remembered, bounded, while its timestamp is fresh). So a captured call
 * can be replayed neither as it is nor to another endpoint (an `/export`
 * sent again to `/erase`). It keeps its avatars in memory.
 */
export function createDemoAccountsService(
  secret: string,
  options: { nonces?: NonceCache; now?: () => number } = {},
): express.Router {
  const nonces = options.nonces ?? new NonceCache({ maxEntries: 10_000 });
  const avatars = new Map(
    DEMO_SUBJECTS.map(s => [s, [{ file: `${s}/avatar.png`, bytes: 48213 }]]),
  );
  const router = Router();
  router.use(express.text({ type: 'application/json' }));
  router.use((req, res, next) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const verdict = verifyOpsRequest(
      secret,
      {
        method: req.method,
        // The path as the client sent it, mount points included.
        path: req.originalUrl,
        body,
        timestamp: req.header(TIMESTAMP_HEADER),
        nonce: req.header(NONCE_HEADER),
        signature: req.header(SIGNATURE_HEADER),
      },
      { nonces, now: options.now },
    );
    if (!verdict.ok) {
      res.status(401).json({ error: `refused: ${verdict.reason}` });
      return;
    }
    let subjectId: unknown;
    try {
      subjectId = JSON.parse(body)?.subjectId;
    } catch {
      subjectId = undefined;
    }
    if (typeof subjectId !== 'string' || subjectId.length === 0) {
      res.status(400).json({ error: 'body must be { subjectId }' });
      return;
    }
    req.body = { subjectId };
    next();
  });
  router.post('/export', (req, res) => {
    res.json({ records: { avatars: avatars.get(req.body.subjectId) ?? [] } });
  });
  router.post('/erase', (req, res) => {
    const affected = avatars.get(req.body.subjectId)?.length ?? 0;
    avatars.delete(req.body.subjectId);
    res.json({ affected });
  });
  router.post('/remaining', (req, res) => {
    res.json({ remaining: avatars.get(req.body.subjectId)?.length ?? 0 });
  });
  return router;
}
