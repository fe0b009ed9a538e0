export { parseRunbook } from './parseRunbook';
export { loadRunbooks } from './loadRunbooks';
export { frontMatterSchema } from './frontMatter';
export * from './types';
export { scenarioSnapshot } from './scenarioSnapshot';
