/**
 * Every ASCII character that can start or end markdown structure (emphasis,
 * code, links, images, autolinks, raw HTML, entities, headings, lists,
 * block quotes, tables, setext underlines). CommonMark lets any ASCII
 * punctuation be escaped with a backslash, so escaping too much is harmless.
 */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&:@=^$"']/g;

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
    .replace(MARKDOWN_SPECIAL, c => `\\${c}`);
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
