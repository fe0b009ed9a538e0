// @ts-check

/**
 * Idempotency keys are scoped to the caller and the route (the stored key is
 * a hash of requester, request type and the client's key), and the body they
 * were first used with is remembered (a keyed hash), so the same key with
 * another body is refused rather than answered with the first request.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('privacy_requests', table => {
    table
      .string('idempotency_body_hash', 64)
      .nullable()
      .comment('Keyed hash of the intake body first sent with idempotency_key');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('privacy_requests', table => {
    table.dropColumn('idempotency_body_hash');
  });
};
