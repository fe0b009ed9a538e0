import { MarkdownContent } from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({
  inline: {
    display: 'inline',
    '& p': { display: 'inline', margin: 0 },
    '& code': { fontSize: '0.9em' },
    // Images are not for a line of text: never loaded (no source), never shown.
    '& img': { display: 'none' },
  },
});

/** ASCII control characters and spaces: browsers drop them from a URL. */
// eslint-disable-next-line no-control-regex
const URL_NOISE = /[\u0000-\u0020\u007f]/g;

/**
 * A link target as it may be followed: http(s), or relative to the portal
 * (`/catalog`, `#part`, `../x`). Anything else (`javascript:`, `data:`,
 * `mailto:`, ...) answers '' and the link shows as its plain text.
 */
export function safeLinkUri(href: string): string {
  const url = href.replace(URL_NOISE, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!scheme) return url;
  return /^https?$/i.test(scheme[1]) ? url : '';
}

const noImage = () => '';

/**
 * A line of markdown made to parse as one paragraph, nothing else: line
 * breaks become spaces, and what would open a block at its start (a
 * heading, quote, list item, rule, fence or link definition) is escaped
 * and shown as written.
 */
export function asInlineMarkdown(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line
    .replace(/^(\d{1,9})([.)])(?= |$)/, '$1\\$2')
    .replace(
      /^(?:#{1,6}(?= |$)|[>+]|[-*_](?= |$|[-*_ ]*$)|`{3,}(?=[^`]*$)|~{3}|\[(?=[^\]]*\]:))/,
      '\\$&',
    );
}

/**
 * Inline markdown of a runbook (a step's text): code, emphasis and links,
 * through Backstage's MarkdownContent in its CommonMark dialect, where raw
 * HTML is shown as text. Links go only to http(s) or within the portal;
 * block elements cannot appear. The markdown renderer loads lazily: the
 * text shows once it has (in tests, use `findBy*`).
 */
export function InlineMarkdown(props: { text: string; id?: string }) {
  const classes = useStyles();
  return (
    <span id={props.id} className={classes.inline}>
      <MarkdownContent
        content={asInlineMarkdown(props.text)}
        dialect="common-mark"
        className={classes.inline}
        transformLinkUri={safeLinkUri}
        transformImageUri={noImage}
      />
    </span>
  );
}
