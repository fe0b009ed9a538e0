export { createSloMetrics } from './sloMetrics';
export { SloMetricsStore } from './SloMetricsStore';
