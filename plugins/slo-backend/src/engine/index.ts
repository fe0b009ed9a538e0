/**
 * SLO evaluation math: burn rates, budgets, windows and alert tiers, as plain
 * functions with no database or server.
 */
export * from './burnRate';
export * from './windows';
export * from './tiers';
