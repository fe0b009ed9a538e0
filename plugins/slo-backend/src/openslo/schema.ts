import { z } from 'zod';

/**
 * Zod schemas for the OpenSLO v1 documents the portal reads. They check the
 * shape of one document on its own; references between documents and the
 * rules that need the referenced document (a threshold SLI needs `op` and
 * `value`) are checked when objectives are built.
 */

/** The duration shorthand, e.g. `5m`, `1h`, `28d`, `1w`, `1M`. */
export const DURATION_PATTERN = /^(\d+)([mhdwMQY])$/;

const duration = z
  .string()
  .regex(DURATION_PATTERN, 'expected a duration like 5m, 1h, 28d, 1w or 1M');
const positiveDuration = duration.refine(
  d => !/^0+[a-zA-Z]$/.test(d),
  'the duration must be longer than zero',
);
const text = z.string().max(1050).optional();
const op = z.enum(['lt', 'lte', 'gt', 'gte']);

const metadata = z.object({
  name: z.string().min(1),
  displayName: z.string().optional(),
  labels: z.record(z.union([z.string(), z.array(z.string())])).optional(),
  annotations: z.record(z.string()).optional(),
});

const metricSource = z.object({
  metricSourceRef: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  spec: z.record(z.unknown()).optional(),
});
const metric = z.object({ metricSource });

const ratioMetric = z
  .object({
    counter: z.boolean().optional(),
    good: metric.optional(),
    bad: metric.optional(),
    total: metric.optional(),
  })
  .superRefine((r, ctx) => {
    if (!r.total) {
      ctx.addIssue({
        code: 'custom',
        path: ['total'],
        message: 'total is required (precomputed raw ratios are not supported)',
      });
    }
    if (!!r.good === !!r.bad) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give exactly one of good or bad',
      });
    }
  });

const sliSpec = z
  .object({
    description: text,
    thresholdMetric: metric.optional(),
    ratioMetric: ratioMetric.optional(),
  })
  .superRefine((s, ctx) => {
    if (!!s.thresholdMetric === !!s.ratioMetric) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give exactly one of ratioMetric or thresholdMetric',
      });
    }
  });
export type SliSpec = z.infer<typeof sliSpec>;

const timeWindow = z
  .object({
    duration: positiveDuration,
    isRolling: z.boolean().optional(),
    calendar: z
      .object({
        startTime: z
          .string()
          .regex(
            /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/,
            'expected a local date and time like 2024-01-01 00:00:00',
          ),
        timeZone: z.string().refine(isTimeZone, 'unknown IANA time zone'),
      })
      .optional(),
  })
  .superRefine((w, ctx) => {
    const unit = DURATION_PATTERN.exec(w.duration)?.[2];
    if (w.isRolling === true) {
      if (w.calendar) {
        ctx.addIssue({
          code: 'custom',
          path: ['calendar'],
          message: 'a rolling window has no calendar',
        });
      }
      if (unit && 'MQY'.includes(unit)) {
        ctx.addIssue({
          code: 'custom',
          path: ['duration'],
          message: 'a rolling window needs a fixed length: use m, h, d or w',
        });
      }
    } else {
      if (!w.calendar) {
        ctx.addIssue({
          code: 'custom',
          path: ['calendar'],
          message: 'give calendar (startTime, timeZone) or isRolling: true',
        });
      }
      if (unit && 'mh'.includes(unit)) {
        ctx.addIssue({
          code: 'custom',
          path: ['duration'],
          message:
            'a calendar window lasts days, weeks, months, quarters or years',
        });
      }
    }
  });

const objective = z
  .object({
    displayName: z.string().optional(),
    op: op.optional(),
    value: z.number().optional(),
    target: z.number().gt(0).lt(1).optional(),
    targetPercent: z.number().gt(0).lt(100).optional(),
    timeSliceTarget: z.number().gt(0).lte(1).optional(),
    timeSliceWindow: z
      .union([z.number().int().positive(), positiveDuration])
      .optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.target === undefined) === (o.targetPercent === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['target'],
        message: 'give exactly one of target or targetPercent',
      });
    }
  });

const conditionSpec = z.object({
  description: text,
  severity: z.string().min(1),
  condition: z.object({
    kind: z.literal('burnrate').default('burnrate'),
    op: op.optional(),
    threshold: z.number().positive(),
    lookbackWindow: positiveDuration,
    alertAfter: duration.default('0m'),
  }),
});
export type AlertConditionSpec = z.infer<typeof conditionSpec>;

const targetSpec = z.object({
  description: text,
  target: z.string().min(1),
});
export type AlertNotificationTargetSpec = z.infer<typeof targetSpec>;

/** `{ <ref>: name }` or an inline `{ kind?, metadata, spec }`, one of the two. */
function refOrInline<
  R extends string,
  K extends string,
  S extends z.ZodTypeAny,
>(refKey: R, kind: K, spec: S) {
  const ref = { [refKey]: z.string().min(1).optional() } as Record<
    R,
    z.ZodOptional<z.ZodString>
  >;
  return z
    .object({
      ...ref,
      kind: z.literal(kind).optional(),
      metadata: metadata.optional(),
      spec: spec.optional(),
    })
    .superRefine((v, ctx) => {
      const isRef = (v as Record<string, unknown>)[refKey] !== undefined;
      const isInline = v.metadata !== undefined || v.spec !== undefined;
      if (isRef === isInline) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: `give either ${refKey} or an inline ${kind} (metadata and spec)`,
        });
      } else if (isInline) {
        for (const key of ['metadata', 'spec'] as const) {
          if (v[key] === undefined) {
            ctx.addIssue({ code: 'custom', path: [key], message: 'Required' });
          }
        }
      }
    });
}

const alertPolicySpec = z.object({
  description: text,
  alertWhenNoData: z.boolean().default(false),
  alertWhenResolved: z.boolean().default(false),
  alertWhenBreaching: z.boolean().default(true),
  conditions: z
    .array(refOrInline('conditionRef', 'AlertCondition', conditionSpec))
    .length(1, 'OpenSLO v1 allows exactly one condition'),
  notificationTargets: z.array(
    refOrInline('targetRef', 'AlertNotificationTarget', targetSpec),
  ),
});
export type AlertPolicySpec = z.infer<typeof alertPolicySpec>;

const sloSpec = z
  .object({
    description: text,
    service: z.string().min(1),
    indicator: z.object({ metadata, spec: sliSpec }).optional(),
    indicatorRef: z.string().min(1).optional(),
    timeWindow: z.array(timeWindow).length(1, 'give exactly one time window'),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices']),
    objectives: z.array(objective).min(1),
    alertPolicies: z
      .array(refOrInline('alertPolicyRef', 'AlertPolicy', alertPolicySpec))
      .default([]),
  })
  .superRefine((s, ctx) => {
    if (!!s.indicator === !!s.indicatorRef) {
      ctx.addIssue({
        code: 'custom',
        path: ['indicator'],
        message: 'give exactly one of indicator or indicatorRef',
      });
    }
    if (s.budgetingMethod === 'Timeslices') {
      s.objectives.forEach((o, i) => {
        for (const key of ['timeSliceTarget', 'timeSliceWindow'] as const) {
          if (o[key] === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['objectives', i, key],
              message: 'required with budgetingMethod: Timeslices',
            });
          }
        }
      });
    }
  });
export type SloSpec = z.infer<typeof sloSpec>;

const dataSourceSpec = z.object({
  description: text,
  type: z.string().min(1),
  connectionDetails: z.record(z.unknown()).default({}),
});
export type DataSourceSpec = z.infer<typeof dataSourceSpec>;

function doc<K extends string, S extends z.ZodTypeAny>(kind: K, spec: S) {
  return z.object({
    apiVersion: z.literal('openslo/v1'),
    kind: z.literal(kind),
    metadata,
    spec,
  });
}

/** One OpenSLO v1 document of any kind the portal reads (`Service` is accepted and ignored). */
export const openSloDocument = z.discriminatedUnion('kind', [
  doc('SLO', sloSpec),
  doc('SLI', sliSpec),
  doc('AlertPolicy', alertPolicySpec),
  doc('AlertCondition', conditionSpec),
  doc('AlertNotificationTarget', targetSpec),
  doc('DataSource', dataSourceSpec),
  doc('Service', z.object({ description: text }).passthrough()),
]);
export type OpenSloDocument = z.infer<typeof openSloDocument>;
export type OpenSloKind = OpenSloDocument['kind'];
export type OpenSloMetadata = z.infer<typeof metadata>;
export type MetricSource = z.infer<typeof metricSource>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone }); // eslint-disable-line no-new
    return true;
  } catch {
    return false;
  }
}
