export { createSecurityMetrics } from './securityMetrics';
