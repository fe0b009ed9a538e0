export { seedDemoAlerts } from './seedDemoAlerts';
