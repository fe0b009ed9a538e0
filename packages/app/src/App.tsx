import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import privacyPlugin from '@internal/plugin-privacy/alpha';
import sloPlugin from '@internal/plugin-slo/alpha';
import evidencePlugin from '@internal/plugin-evidence/alpha';
import drillsPlugin from '@internal/plugin-drills/alpha';
import securityPlugin from '@internal/plugin-security/alpha';
import { navModule } from './modules/nav';

export default createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    orgPlugin,
    notificationsPlugin,
    // Live updates (drill runs); pages fall back to polling without it.
    signalsPlugin,
    userSettingsPlugin,
    privacyPlugin,
    sloPlugin,
    evidencePlugin,
    drillsPlugin,
    securityPlugin,
    navModule,
  ],
});
