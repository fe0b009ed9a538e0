import path from 'node:path';

/** The deploy/ folder (this package runs from source, never bundled). */
// eslint-disable-next-line no-restricted-syntax
export const DEPLOY_DIR = path.resolve(__dirname, '..');

/** The one rule set: the evidence collector's hardening rules. */
export const HARDENING_RULES_PATH = path.resolve(
  DEPLOY_DIR,
  '../plugins/evidence-backend/hardening-rules.yaml',
);

/** What the admission policies are generated from besides the rules. */
export const POLICY_SETTINGS_PATH = path.join(
  DEPLOY_DIR,
  'policy-settings.yaml',
);

/** Where the generated admission policies are checked in. */
export const ADMISSION_DIR = path.join(DEPLOY_DIR, 'admission');
