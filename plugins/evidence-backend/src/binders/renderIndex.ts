/**
 * index.html and index.md of a binder: the CC table (criterion → points with
 * their status, counts, and links to the binder's evidence files for each
 * point), then the list of evidence files. Everything shown comes from the
 * coverage report and the file rows; no external assets.
 */
import type {
  CoverageReport,
  PointCoverage,
  PointStatus,
} from '@internal/plugin-evidence-common';
import { compare } from './names';

export interface IndexFile {
  /** Relative to `binder/`. */
  path: string;
  id: string;
  type: string;
  title: string;
  points: string[];
  entityRef: string | null;
  periodStart: string;
  periodEnd: string;
  collectedAt: string;
  sha256: string;
  sizeBytes: number;
}

export interface IndexInput {
  periodStart: string;
  periodEnd: string;
  points: string[];
  generatedAt: string;
  coverage: CoverageReport;
  files: IndexFile[];
}

const STATUSES: PointStatus[] = ['fresh', 'stale', 'missing', 'exception'];

interface Row {
  point: PointCoverage;
  files: IndexFile[];
}

interface Section {
  id: string;
  title: string;
  rows: Row[];
  counts: Record<PointStatus, number>;
}

interface IndexModel {
  sections: Section[];
  counts: Record<PointStatus, number>;
  /** Points asked for that the coverage report does not know. */
  unknownPoints: string[];
  files: IndexFile[];
}

function countStatuses(rows: Row[]): Record<PointStatus, number> {
  const counts = { fresh: 0, stale: 0, missing: 0, exception: 0 };
  for (const row of rows) counts[row.point.status] += 1;
  return counts;
}

/** The table's content, shared by both renderings. */
export function indexModel(input: IndexInput): IndexModel {
  const wanted = input.points.length ? new Set(input.points) : null;
  const files = [...input.files].sort((a, b) => compare(a.path, b.path));
  const filesOf = (point: string) =>
    files
      .filter(f => f.points.includes(point))
      .sort(
        (a, b) =>
          compare(b.collectedAt, a.collectedAt) || compare(a.path, b.path),
      );
  const known = new Set<string>();
  const sections: Section[] = [];
  for (const criterion of input.coverage.criteria) {
    const rows = criterion.points
      .filter(p => !wanted || wanted.has(p.id))
      .map(point => {
        known.add(point.id);
        return { point, files: filesOf(point.id) };
      });
    if (rows.length === 0) continue;
    sections.push({
      id: criterion.id,
      title: criterion.title,
      rows,
      counts: countStatuses(rows),
    });
  }
  return {
    sections,
    counts: countStatuses(sections.flatMap(s => s.rows)),
    unknownPoints: wanted
      ? [...wanted].filter(p => !known.has(p)).sort(compare)
      : [],
    files,
  };
}

const countsText = (counts: Record<PointStatus, number>) =>
  STATUSES.map(s => `${counts[s]} ${s}`).join(', ');

// ---------------------------------------------------------------- HTML

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:0 0 1.5rem;width:100%}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:.85em}
.fresh{color:#0a6b2d}.stale{color:#9a6400}.missing{color:#b00020}.exception{color:#4b3ca7}
ul{margin:0;padding-left:1.1rem}`;

function htmlFileLinks(files: IndexFile[]): string {
  if (files.length === 0) return '—';
  const items = files.map(
    f =>
      `<li><a href="${escapeHtml(f.path)}">${escapeHtml(
        f.title,
      )}</a> (collected ${escapeHtml(f.collectedAt)})</li>`,
  );
  return `<ul>${items.join('')}</ul>`;
}

function htmlStatus(point: PointCoverage): string {
  const status = `<span class="${point.status}">${point.status}</span>`;
  const e = point.exception;
  if (point.status !== 'exception' || !e) return status;
  return `${status}<br>${escapeHtml(e.reason)} (approved by ${escapeHtml(
    e.approver,
  )}, until ${escapeHtml(e.expiresAt)})`;
}

export function renderIndexHtml(input: IndexInput): string {
  const model = indexModel(input);
  const out: string[] = [];
  const title = `Evidence binder ${input.periodStart} to ${input.periodEnd}`;
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>Generated ${escapeHtml(input.generatedAt)}; coverage as of ${escapeHtml(
      input.coverage.at,
    )}. Points: ${countsText(model.counts)}. Evidence files: ${
      model.files.length
    }.</p>`,
    '<p>Check the files with <code>sha256sum -c SHA256SUMS</code> and the manifest signature with <code>openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.json.sig</code>.</p>',
  );
  for (const section of model.sections) {
    out.push(
      `<h2>${escapeHtml(section.id)} ${escapeHtml(section.title)}</h2>`,
      `<p>${countsText(section.counts)}</p>`,
      '<table>',
      '<tr><th>Point</th><th>Title</th><th>Status</th><th>Items</th><th>Last collected</th><th>Evidence in this binder</th></tr>',
    );
    for (const { point, files } of section.rows) {
      out.push(
        `<tr id="${escapeHtml(point.id)}"><td>${escapeHtml(
          point.id,
        )}</td><td>${escapeHtml(point.title)}</td><td>${htmlStatus(
          point,
        )}</td><td>${point.itemCount}</td><td>${escapeHtml(
          point.lastCollectedAt ?? '—',
        )}</td><td>${htmlFileLinks(files)}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  if (model.unknownPoints.length) {
    out.push(
      '<h2>Points not in the coverage report</h2>',
      `<p>${model.unknownPoints.map(escapeHtml).join(', ')}</p>`,
    );
  }
  out.push(
    '<h2>Evidence files</h2>',
    '<table>',
    '<tr><th>File</th><th>Type</th><th>Title</th><th>Points</th><th>Entity</th><th>Period</th><th>Collected</th><th>SHA-256</th><th>Bytes</th></tr>',
  );
  for (const f of model.files) {
    out.push(
      `<tr><td><a href="${escapeHtml(f.path)}">${escapeHtml(
        f.path,
      )}</a></td><td>${escapeHtml(f.type)}</td><td>${escapeHtml(
        f.title,
      )}</td><td>${escapeHtml(f.points.join(', '))}</td><td>${escapeHtml(
        f.entityRef ?? '—',
      )}</td><td>${escapeHtml(f.periodStart)} to ${escapeHtml(
        f.periodEnd,
      )}</td><td>${escapeHtml(f.collectedAt)}</td><td><code>${escapeHtml(
        f.sha256,
      )}</code></td><td>${f.sizeBytes}</td></tr>`,
    );
  }
  out.push('</table>', '</body>', '</html>', '');
  return out.join('\n');
}

// ---------------------------------------------------------------- Markdown

/** Text safe inside a Markdown table cell: no line breaks, pipes or markup. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/([\\`*_[\]<>|#!~])/g, '\\$1')
    .replace(/&/g, '&amp;');
}

function mdFileLinks(files: IndexFile[]): string {
  if (files.length === 0) return '—';
  return files
    .map(
      f =>
        `[${escapeMarkdown(f.title)}](${f.path}) (collected ${escapeMarkdown(
          f.collectedAt,
        )})`,
    )
    .join('<br>');
}

function mdStatus(point: PointCoverage): string {
  const e = point.exception;
  if (point.status !== 'exception' || !e) return point.status;
  return `exception: ${escapeMarkdown(e.reason)} (approved by ${escapeMarkdown(
    e.approver,
  )}, until ${escapeMarkdown(e.expiresAt)})`;
}

export function renderIndexMarkdown(input: IndexInput): string {
  const model = indexModel(input);
  const out: string[] = [];
  out.push(
    `# Evidence binder ${escapeMarkdown(input.periodStart)} to ${escapeMarkdown(
      input.periodEnd,
    )}`,
    '',
    `Generated ${escapeMarkdown(
      input.generatedAt,
    )}; coverage as of ${escapeMarkdown(
      input.coverage.at,
    )}. Points: ${countsText(model.counts)}. Evidence files: ${
      model.files.length
    }.`,
    '',
    'Check the files with `sha256sum -c SHA256SUMS` and the manifest signature with `openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.json.sig`.',
    '',
  );
  for (const section of model.sections) {
    out.push(
      `## ${escapeMarkdown(section.id)} ${escapeMarkdown(section.title)}`,
      '',
      countsText(section.counts),
      '',
      '| Point | Title | Status | Items | Last collected | Evidence in this binder |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const { point, files } of section.rows) {
      out.push(
        `| ${escapeMarkdown(point.id)} | ${escapeMarkdown(
          point.title,
        )} | ${mdStatus(point)} | ${point.itemCount} | ${escapeMarkdown(
          point.lastCollectedAt ?? '—',
        )} | ${mdFileLinks(files)} |`,
      );
    }
    out.push('');
  }
  if (model.unknownPoints.length) {
    out.push(
      '## Points not in the coverage report',
      '',
      model.unknownPoints.map(escapeMarkdown).join(', '),
      '',
    );
  }
  out.push(
    '## Evidence files',
    '',
    '| File | Type | Title | Points | Entity | Period | Collected | SHA-256 | Bytes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const f of model.files) {
    out.push(
      `| [${escapeMarkdown(f.path)}](${f.path}) | ${escapeMarkdown(
        f.type,
      )} | ${escapeMarkdown(f.title)} | ${escapeMarkdown(
        f.points.join(', '),
      )} | ${escapeMarkdown(f.entityRef ?? '—')} | ${escapeMarkdown(
        f.periodStart,
      )} to ${escapeMarkdown(f.periodEnd)} | ${escapeMarkdown(
        f.collectedAt,
      )} | \`${f.sha256}\` | ${f.sizeBytes} |`,
    );
  }
  out.push('');
  return out.join('\n');
}
