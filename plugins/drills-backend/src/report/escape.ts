/**
 * Characters that make markdown structure wherever they stand: emphasis,
 * code, links and images (`[` and `]`), autolinks and raw HTML (`<`, `>`),
 * entities, strikethrough and table cells.
 */
const INLINE_SPECIAL = /[\\`*_[\]<>|~&]/g;

/**
 * What makes structure only at the start of a line: headings, list items
 * (`-`, `+`, `1.`, `1)`), setext underlines and thematic breaks.
 */
const LINE_START_SPECIAL = /^(?:[#+\-=]|\d+[.)])/;

/** Control characters other than tab and line breaks. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Text written by a user, made safe to put anywhere inline in markdown,
 * including a table cell: shown as typed, it cannot start a heading, list,
 * quote, table, link, image, code span or HTML. Line breaks and runs of
 * whitespace become one space, so a value stays on its line (and in its cell).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(CONTROL, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(INLINE_SPECIAL, c => `\\${c}`)
    .replace(LINE_START_SPECIAL, start =>
      // "1." becomes "1\\.": the backslash goes before the punctuation.
      `${start.slice(0, -1)}\\${start.slice(-1)}`,
    );
}

/**
 * Multi-line user text (a note) as escaped lines joined with hard line
 * breaks, each following line indented by `indent` so that it stays in the
 * list item it belongs to. Blank lines are dropped: they would end the item.
 */
export function escapeMarkdownLines(text: string, indent: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(escapeMarkdown)
    .filter(line => line.length > 0)
    .join(`\\\n${indent}`);
}

/** Text for an HTML text node or attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );
}

/**
 * A runbook step's text (markdown from the runbooks folder, reviewed like
 * code) as inline markdown on one line: code spans, emphasis and links stay
 * as the runbook wrote them; control characters go, line breaks become
 * spaces, and a leading block marker is escaped. Raw HTML stays text in the
 * HTML report (its renderer takes no HTML).
 */
export function runbookInline(text: string): string {
  return text
    .replace(CONTROL, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(LINE_START_SPECIAL, start =>
      `${start.slice(0, -1)}\\${start.slice(-1)}`,
    );
}
