import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import type { AuditEntry } from '@internal/plugin-ops-node';

/** An error's message for the record: short, without URLs. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .slice(0, 300);
}

/**
 * The action with an audit event for every real run (`scaffolder.action`,
 * about the task): who ran it, which action and step, the entity it acted
 * on and whether it succeeded, with the error's message when it did not.
 * Inputs are not recorded (a reason may name people); the task keeps them.
 * Dry runs change nothing and are not audited.
 */
export function auditedAction<A extends TemplateAction<any, any, any>>(
  action: A,
  audit: (entry: AuditEntry) => Promise<void>,
): A {
  return {
    ...action,
    async handler(ctx) {
      if (ctx.isDryRun) {
        await action.handler(ctx);
        return;
      }
      const entityRef =
        typeof ctx.input?.entityRef === 'string'
          ? ctx.input.entityRef
          : undefined;
      const base = {
        type: 'scaffolder.action',
        actor: ctx.user?.ref ?? 'unknown',
        recordId: ctx.task.id,
      };
      const data = {
        action: action.id,
        step: ctx.step?.id ?? null,
        entityRef: entityRef ?? null,
        template: ctx.templateInfo?.entityRef ?? null,
      };
      try {
        await action.handler(ctx);
      } catch (error) {
        await audit({
          ...base,
          data: { ...data, outcome: 'failed', error: describeError(error) },
        });
        throw error;
      }
      await audit({ ...base, data: { ...data, outcome: 'succeeded' } });
    },
  };
}
