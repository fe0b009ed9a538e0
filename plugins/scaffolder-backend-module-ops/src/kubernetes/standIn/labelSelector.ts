/**
 * Kubernetes label selectors as the API server accepts them in the
 * `labelSelector` query parameter: equality-based (`a=b`, `a==b`, `a!=b`) and
 * set-based (`a in (x,y)`, `a notin (x)`, `a`, `!a`), comma-separated (AND).
 */

type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

/** Thrown for a selector the API server would reject with 400 Bad Request. */
export class LabelSelectorError extends Error {}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p.length > 0);
}

const KEY = /^([a-z0-9A-Z.\-_/]+)$/;

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key)) {
    throw new LabelSelectorError(`unable to parse requirement: "${raw}"`);
  }
  return key;
}

function parseRequirement(raw: string): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(raw);
  if (setMatch) {
    return {
      key: checkKey(setMatch[1], raw),
      op: setMatch[2] as 'in' | 'notin',
      values: setMatch[3]
        .split(',')
        .map(v => v.trim())
        .filter(v => v.length > 0),
    };
  }
  const eqMatch = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(raw);
  if (eqMatch) {
    return {
      key: checkKey(eqMatch[1], raw),
      op: eqMatch[2] === '!=' ? 'neq' : 'eq',
      value: eqMatch[3],
    };
  }
  if (raw.startsWith('!')) {
    return { key: checkKey(raw.slice(1).trim(), raw), op: 'notexists' };
  }
  return { key: checkKey(raw, raw), op: 'exists' };
}

/** Parses a selector; the returned function tells whether labels match it. */
export function parseLabelSelector(
  selector: string | undefined,
): (labels: Record<string, string> | undefined) => boolean {
  if (!selector || !selector.trim()) {
    return () => true;
  }
  const requirements = splitTopLevel(selector).map(parseRequirement);
  return labels => {
    const l = labels ?? {};
    return requirements.every(r => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      switch (r.op) {
        case 'eq':
          return has && l[r.key] === r.value;
        case 'neq':
          return !has || l[r.key] !== r.value;
        case 'in':
          return has && r.values.includes(l[r.key]);
        case 'notin':
          return !has || !r.values.includes(l[r.key]);
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        default:
          return false;
      }
    });
  };
}

/** Whether labels match a structured `LabelSelector` (`matchLabels`, `matchExpressions`). */
export function matchesStructuredSelector(
  selector:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{
          key: string;
          operator: string;
          values?: string[];
        }>;
      }
    | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (l[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
