import express from 'express';
import Router from 'express-promise-router';
import { verifyOpsSignature } from '../connectors/HttpConnector';
import { DEMO_SUBJECTS } from './demoStores';

/**
 * A stand-in for the accounts service's own DSAR endpoint (the demo's one
 * HTTP connector target), mounted under /api/privacy/demo/accounts-dsar when
 * the demo is on. It checks the connector's signature like a real service
 * would, and keeps its avatars in memory.
 */
export function createDemoAccountsService(secret: string): express.Router {
  const avatars = new Map(
    DEMO_SUBJECTS.map(s => [s, [{ file: `${s}/avatar.png`, bytes: 48213 }]]),
  );
  const router = Router();
  router.use(express.text({ type: 'application/json' }));
  router.use((req, res, next) => {
    const ok = verifyOpsSignature(
      secret,
      req.header('X-Ops-Timestamp'),
      req.body ?? '',
      req.header('X-Ops-Signature'),
    );
    if (!ok) {
      res.status(401).json({ error: 'bad signature' });
      return;
    }
    req.body = JSON.parse(req.body);
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
