// @ts-check

/**
 * The live evaluation reads, for every objective at once, the minutes
 * entering and leaving each window (by minute) and the rows written since
 * its last run (by updated_at).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('slo_sli_minutes', table => {
    table.index(['minute'], 'slo_sli_minutes_minute_idx');
    table.index(['updated_at'], 'slo_sli_minutes_updated_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('slo_sli_minutes', table => {
    table.dropIndex(['minute'], 'slo_sli_minutes_minute_idx');
    table.dropIndex(['updated_at'], 'slo_sli_minutes_updated_idx');
  });
};
