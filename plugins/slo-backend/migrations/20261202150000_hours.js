// @ts-check

/**
 * Hourly sums of the per-minute SLI counts, kept with them by the sample
 * store, so a window of 30 days is 720 hours plus the minutes at its ends.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('slo_sli_hours', table => {
    table.comment(
      'Hourly sums of slo_sli_minutes per objective: written with the minutes, read for long windows',
    );
    table.string('objective_ref', 255).notNullable();
    table
      .timestamp('hour', { useTz: true })
      .notNullable()
      .comment('start of the hour, UTC');
    table.bigInteger('good').notNullable();
    table.bigInteger('total').notNullable();
    table.primary(['objective_ref', 'hour'], 'slo_sli_hours_pk');
  });
  // Minutes stored before this migration.
  const minutes = await knex('slo_sli_minutes').select(
    'objective_ref',
    'minute',
    'good',
    'total',
  );
  /** @type {Map<string, {objective_ref: string, hour: Date, good: number, total: number}>} */
  const hours = new Map();
  for (const row of minutes) {
    const ms = new Date(row.minute).getTime();
    const hour = new Date(Math.floor(ms / 3_600_000) * 3_600_000);
    const key = `${row.objective_ref}@${hour.getTime()}`;
    const sum = hours.get(key) ?? {
      objective_ref: row.objective_ref,
      hour,
      good: 0,
      total: 0,
    };
    sum.good += Number(row.good);
    sum.total += Number(row.total);
    hours.set(key, sum);
  }
  const rows = [...hours.values()];
  for (let i = 0; i < rows.length; i += 100) {
    await knex('slo_sli_hours').insert(rows.slice(i, i + 100));
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('slo_sli_hours');
};
