export { runSiemCli } from './siemCli';
export type { SiemCliIo } from './siemCli';
