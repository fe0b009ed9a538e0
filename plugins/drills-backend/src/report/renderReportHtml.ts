import MarkdownIt from 'markdown-it';
import { escapeHtml } from './escape';

/**
 * Raw HTML in the markdown is shown as text, never passed through; links,
 * images and autolinks are off too, so even a value that escaped escaping
 * could not become one.
 */
const markdown = new MarkdownIt({
  html: false,
  linkify: false,
  typographer: false,
}).disable(['link', 'image', 'autolink']);

const STYLE = `
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
ul { padding-left: 1.5rem; }
`;

/**
 * The report as a whole HTML5 document, from its markdown. It loads
 * nothing: the style is inline and a content security policy forbids
 * scripts and any outside resource.
 */
export function renderReportHtml(
  reportMarkdown: string,
  title: string,
): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    markdown.render(reportMarkdown).trimEnd(),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
