export { createDrillsMetrics } from './drillsMetrics';
export { DrillsMetricsStore } from './DrillsMetricsStore';
