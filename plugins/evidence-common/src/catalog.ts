/**
 * The Trust Services Criteria common criteria, CC1.1 to CC9.2, as data: ids
 * and short titles in our own words. Adopters add criteria (A1, C1, PI1, P)
 * in config (`evidence.criteria`); see {@link mergeCriteria}.
 */
export interface ControlPoint {
  /** e.g. `CC6.1`. */
  id: string;
  title: string;
}

export interface Criterion {
  /** e.g. `CC6`. */
  id: string;
  title: string;
  points: ControlPoint[];
}

export const COMMON_CRITERIA: Criterion[] = [
  {
    id: 'CC1',
    title: 'Control environment',
    points: [
      { id: 'CC1.1', title: 'Integrity and ethical values are committed to' },
      {
        id: 'CC1.2',
        title: 'The board oversees internal control independently',
      },
      {
        id: 'CC1.3',
        title: 'Structures, reporting lines and authority are set',
      },
      { id: 'CC1.4', title: 'Competent people are hired, grown and kept' },
      { id: 'CC1.5', title: 'People are held accountable for their controls' },
    ],
  },
  {
    id: 'CC2',
    title: 'Communication and information',
    points: [
      { id: 'CC2.1', title: 'Relevant, quality information supports control' },
      { id: 'CC2.2', title: 'Objectives and duties are communicated inside' },
      { id: 'CC2.3', title: 'Matters affecting control are shared outside' },
    ],
  },
  {
    id: 'CC3',
    title: 'Risk assessment',
    points: [
      { id: 'CC3.1', title: 'Objectives are clear enough to find risks' },
      { id: 'CC3.2', title: 'Risks are identified and analysed' },
      { id: 'CC3.3', title: 'Fraud is considered when assessing risk' },
      { id: 'CC3.4', title: 'Changes that affect control are spotted' },
    ],
  },
  {
    id: 'CC4',
    title: 'Monitoring activities',
    points: [
      { id: 'CC4.1', title: 'Controls are evaluated, continuously or apart' },
      { id: 'CC4.2', title: 'Deficiencies are reported and acted on' },
    ],
  },
  {
    id: 'CC5',
    title: 'Control activities',
    points: [
      { id: 'CC5.1', title: 'Controls are chosen to bring risks down' },
      { id: 'CC5.2', title: 'General controls over technology are chosen' },
      { id: 'CC5.3', title: 'Policies and procedures put controls in place' },
    ],
  },
  {
    id: 'CC6',
    title: 'Logical and physical access',
    points: [
      {
        id: 'CC6.1',
        title: 'Logical access is restricted to protected assets',
      },
      {
        id: 'CC6.2',
        title: 'Users are registered and authorised before access',
      },
      { id: 'CC6.3', title: 'Access is granted, changed and removed by role' },
      { id: 'CC6.4', title: 'Physical access to facilities is restricted' },
      { id: 'CC6.5', title: 'Assets are disposed of and data removed safely' },
      { id: 'CC6.6', title: 'Threats from outside the boundary are blocked' },
      { id: 'CC6.7', title: 'Data is protected in transit and when moved' },
      { id: 'CC6.8', title: 'Unauthorised or malicious software is prevented' },
    ],
  },
  {
    id: 'CC7',
    title: 'System operations',
    points: [
      {
        id: 'CC7.1',
        title: 'Configuration changes and weaknesses are detected',
      },
      { id: 'CC7.2', title: 'Systems are monitored for anomalies' },
      { id: 'CC7.3', title: 'Security events are evaluated' },
      { id: 'CC7.4', title: 'Incidents are responded to' },
      { id: 'CC7.5', title: 'The system recovers from incidents' },
    ],
  },
  {
    id: 'CC8',
    title: 'Change management',
    points: [
      { id: 'CC8.1', title: 'Changes are authorised, tested and approved' },
    ],
  },
  {
    id: 'CC9',
    title: 'Risk mitigation',
    points: [
      { id: 'CC9.1', title: 'Business disruption risks are mitigated' },
      { id: 'CC9.2', title: 'Vendor and partner risks are managed' },
    ],
  },
];

/** The criteria with those an adopter configured appended (same id replaces). */
export function mergeCriteria(extra: Criterion[]): Criterion[] {
  const byId = new Map(COMMON_CRITERIA.map(c => [c.id, c]));
  for (const criterion of extra) byId.set(criterion.id, criterion);
  return [...byId.values()];
}

/** Every point of the given criteria, in order. */
export function pointsOf(criteria: Criterion[]): ControlPoint[] {
  return criteria.flatMap(c => c.points);
}

/** How often a kind of evidence must be renewed to stay fresh. */
export const CADENCE_DAYS = {
  daily: 1,
  weekly: 7,
  monthly: 31,
  quarterly: 92,
  yearly: 366,
} as const;
export type EvidenceCadence = keyof typeof CADENCE_DAYS;
export const CADENCES = Object.keys(CADENCE_DAYS) as [
  EvidenceCadence,
  ...EvidenceCadence[],
];

/** The built-in evidence types: what each proves and how often it is renewed. */
export const EVIDENCE_TYPES: Record<
  string,
  { title: string; points: string[]; cadence: EvidenceCadence }
> = {
  'change-management.git': {
    title: 'Change history from git',
    points: ['CC8.1'],
    cadence: 'weekly',
  },
  'change-management.github': {
    title: 'Reviews, workflow runs and deployment approvals from GitHub',
    points: ['CC8.1'],
    cadence: 'weekly',
  },
  // Event-driven: filed when a rollback happens, never renewed. Freshness is
  // counted from the period end, so `daily` lets one rollback keep CC8.1
  // fresh for a day at most; the weekly git and GitHub evidence is what
  // shows the control operating.
  'change-management.rollback': {
    title: 'Rollbacks run from the portal',
    points: ['CC8.1'],
    cadence: 'daily',
  },
  sbom: {
    title: 'Software bill of materials (SPDX 2.3)',
    points: ['CC6.8', 'CC7.1'],
    cadence: 'weekly',
  },
  'access-review': {
    title: 'Access review of users, groups and permissions',
    points: ['CC6.1', 'CC6.2', 'CC6.3'],
    cadence: 'quarterly',
  },
  'access-review.sign-off': {
    title: 'Sign-off of an access review',
    points: ['CC6.1', 'CC6.2', 'CC6.3'],
    cadence: 'quarterly',
  },
  'incident-drill': {
    title: 'Finished incident drills',
    points: ['CC7.4', 'CC7.5', 'CC2.2'],
    cadence: 'quarterly',
  },
  monitoring: {
    title: 'Objectives and alert history',
    points: ['CC4.1', 'CC7.2'],
    cadence: 'weekly',
  },
  'privacy.sla': {
    title: 'DSAR SLA report',
    points: ['CC2.3'],
    cadence: 'monthly',
  },
  'privacy.audit-verification': {
    title: 'Privacy audit chain verification',
    points: ['CC4.1'],
    cadence: 'weekly',
  },
  'backup-restore': {
    title: 'Backup restore test',
    points: ['CC9.1'],
    cadence: 'monthly',
  },
  hardening: {
    title: 'Kubernetes manifest hardening check',
    points: ['CC6.8', 'CC7.1'],
    cadence: 'weekly',
  },
  manual: {
    title: 'Uploaded document',
    points: [],
    cadence: 'yearly',
  },
};
