import { renderInTestApp } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import {
  InlineMarkdown,
  asInlineMarkdown,
  safeLinkUri,
} from './InlineMarkdown';

async function renderLine(text: string) {
  const { container } = await renderInTestApp(
    <InlineMarkdown id="line" text={text} />,
  );
  // The markdown renderer loads lazily: wait until the line has its text.
  await waitFor(() =>
    expect(container.querySelector('#line')?.firstChild).toBeTruthy(),
  );
  return container.querySelector('#line') as HTMLElement;
}

describe('InlineMarkdown', () => {
  it('renders code, bold, emphasis and links of a runbook step', async () => {
    const line = await renderLine(
      'Roll back and wait until `kubectl rollout status` reports **success**, *then* read [the guide](https://runbooks.example/rollback).',
    );
    await screen.findByText('kubectl rollout status');
    expect(line.querySelector('code')).toHaveTextContent(
      'kubectl rollout status',
    );
    expect(line.querySelector('strong')).toHaveTextContent('success');
    expect(line.querySelector('em')).toHaveTextContent('then');
    expect(screen.getByRole('link', { name: /the guide/ })).toHaveAttribute(
      'href',
      'https://runbooks.example/rollback',
    );
    // (Backstage's Link adds "Opens in a new window" for screen readers.)
    expect(line).toHaveTextContent(
      /^Roll back and wait until kubectl rollout status reports success, then read the guide/,
    );
    expect(line).not.toHaveTextContent('`');
  });

  it('shows raw HTML as text, never as elements', async () => {
    const line = await renderLine(
      'Check <script>alert("x")</script> and <img src=x onerror=alert(1)> <b>here</b>',
    );
    await screen.findByText(/Check/);
    expect(line.querySelector('script, img, b')).toBeNull();
    expect(line).toHaveTextContent(
      'Check <script>alert("x")</script> and <img src=x onerror=alert(1)> <b>here</b>',
    );
  });

  it('links only to http(s) or within the portal; other links are plain text', async () => {
    const line = await renderLine(
      '[in the catalog](/catalog/default/component/checkout) [bad](javascript:alert(1)) [tabbed](<java\tscript:alert(1)>) [mail](mailto:a@example.com)',
    );
    await screen.findByRole('link', { name: 'in the catalog' });
    expect(
      screen.getByRole('link', { name: 'in the catalog' }),
    ).toHaveAttribute('href', '/catalog/default/component/checkout');
    expect(screen.queryByRole('link', { name: 'bad' })).toBeNull();
    // The tab stays in the target, percent-encoded: a path in the portal.
    expect(
      screen.queryByRole('link', { name: 'tabbed' })?.getAttribute('href'),
    ).toMatch(/^\/java%/);
    expect(screen.queryByRole('link', { name: 'mail' })).toBeNull();
    expect(line).toHaveTextContent('bad tabbed mail');
  });

  it.each([
    '# Not a heading',
    '1. Not a list',
    '- Not a list',
    '> Not a quote',
  ])('keeps a line a line: %p is text', async text => {
    const line = await renderLine(text);
    expect(line.querySelector('h1, ol, ul, li, blockquote, hr')).toBeNull();
    expect(line).toHaveTextContent(text);
  });

  it('loads no image', async () => {
    const line = await renderLine(
      'See ![a chart](https://tracker.example/p.png)',
    );
    expect(line.querySelector('img')?.getAttribute('src') ?? '').toBe('');
  });
});

describe('asInlineMarkdown', () => {
  it('escapes only what would open a block, and joins lines', () => {
    expect(asInlineMarkdown('## Heading')).toBe('\\## Heading');
    expect(asInlineMarkdown('12) twelve')).toBe('12\\) twelve');
    expect(asInlineMarkdown('* item')).toBe('\\* item');
    expect(asInlineMarkdown('___')).toBe('\\___');
    expect(asInlineMarkdown('[ref]: https://x')).toBe('\\[ref]: https://x');
    expect(asInlineMarkdown('```sh')).toBe('\\```sh');
    expect(asInlineMarkdown('```inline``` code')).toBe('```inline``` code');
    expect(asInlineMarkdown('**bold** start')).toBe('**bold** start');
    expect(asInlineMarkdown('#hashtag and `-x`')).toBe('#hashtag and `-x`');
    expect(asInlineMarkdown('one\n\ntwo  \n three')).toBe('one two three');
  });
});

describe('safeLinkUri', () => {
  it('answers http(s) and relative targets, and nothing for other schemes', () => {
    expect(safeLinkUri('https://x.example/a?b#c')).toBe(
      'https://x.example/a?b#c',
    );
    expect(safeLinkUri('HTTP://x.example')).toBe('HTTP://x.example');
    expect(safeLinkUri('/catalog')).toBe('/catalog');
    expect(safeLinkUri('#part')).toBe('#part');
    expect(safeLinkUri('../x?y=a:b')).toBe('../x?y=a:b');
    // eslint-disable-next-line no-script-url
    expect(safeLinkUri('javascript:alert(1)')).toBe('');
    expect(safeLinkUri(' java\tscript:alert(1)')).toBe('');
    expect(safeLinkUri('data:text/html,<b>')).toBe('');
    expect(safeLinkUri('vbscript:x')).toBe('');
  });
});
