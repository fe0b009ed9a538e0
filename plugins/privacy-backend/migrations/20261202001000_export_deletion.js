// @ts-check

/**
 * Export bundles are deleted from storage when their subject is erased and
 * once their download link expired. The row stays (the request page and the
 * audit trail name it) and says when, why and, for an erasure, by which
 * request the bundle was deleted; a download of it answers 410 Gone.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('privacy_exports', table => {
    table
      .timestamp('deleted_at', { useTz: true })
      .nullable()
      .comment('when the bundle was deleted from storage');
    table
      .string('deleted_reason', 16)
      .nullable()
      .comment('erased (the subject was erased) | expired (link expired)');
    table
      .string('deleted_by', 36)
      .nullable()
      .comment('the erasure request that deleted the bundle');
    table.index(['expires_at'], 'privacy_exports_expires_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('privacy_exports', table => {
    table.dropIndex(['expires_at'], 'privacy_exports_expires_idx');
    table.dropColumn('deleted_by');
    table.dropColumn('deleted_reason');
    table.dropColumn('deleted_at');
  });
};
