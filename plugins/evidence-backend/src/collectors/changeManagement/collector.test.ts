import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import type { CollectorContext } from '@internal/plugin-evidence-node';
import { createChangeManagementCollector } from './collector';
import { GitFixture, run, scratchDir } from './testing/gitFixture';
import {
  ALICE,
  EXPECTED_SUMMARY,
  PERIOD,
  buildScenario,
  type Scenario,
} from './testing/scenario';

// Real git and gpg on a busy machine: generous limits, no timing asserted.
jest.setTimeout(60_000);

function component(name: string, sourceLocation?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: sourceLocation
        ? { 'backstage.io/source-location': sourceLocation }
        : {},
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

function context(overrides: Partial<CollectorContext> = {}) {
  const lines: string[] = [];
  const ctx: CollectorContext = {
    log: line => lines.push(line),
    signal: new AbortController().signal,
    now: PERIOD.end,
    previous: async () => undefined,
    ...overrides,
  };
  return { ctx, lines };
}

/** Resolves when `condition` holds, polling; rejects after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

describe('change-management collector on real git', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let scenario: Scenario;
  let remote: string;
  let cacheDir: string;

  beforeAll(async () => {
    scratch = await scratchDir('cm-collector-');
    scenario = await buildScenario(scratch.path);
    // A bare remote with every ref (refs/deploy too), cloned again via file://.
    remote = join(scratch.path, 'remote.git');
    await run('git', [
      'clone',
      '--quiet',
      '--mirror',
      scenario.repo.dir,
      remote,
    ]);
    cacheDir = join(scratch.path, 'cache');
  }, 60_000);

  afterAll(async () => {
    await scenario?.stop();
    await scratch?.cleanup();
  });

  function collectorFor(entities: Entity[], extra = {}) {
    return createChangeManagementCollector({
      loadEntities: async () => entities,
      repositories: {
        'component:default/mirror': { url: `file://${remote}`, clone: true },
      },
      cacheDir,
      since: PERIOD.start,
      signatures: {
        gnupgHome: scenario.env.GNUPGHOME,
        sshAllowedSignersFile: scenario.config['gpg.ssh.allowedSignersFile'],
      },
      ...extra,
    });
  }

  it('describes itself as the CC8.1 weekly, per-entity collector', () => {
    const collector = collectorFor([]);
    expect(collector).toMatchObject({
      id: 'change-management',
      points: ['CC8.1'],
      cadence: 'weekly',
      perEntity: true,
    });
  });

  it('files one git evidence per entity, read in place or from a clone, and logs the unreadable', async () => {
    const collector = collectorFor([
      component('portal', `url:file://${scenario.repo.dir}/`),
      component('mirror'),
      component('ghost', `url:file://${scratch.path}/no-such-repo/`),
      component('nothing'),
    ]);
    const { ctx, lines } = context();
    const evidence = await collector.collect(ctx);

    expect(evidence.map(e => e.entityRef)).toEqual([
      'component:default/portal',
      'component:default/mirror',
    ]);
    for (const item of evidence) {
      const name = item.entityRef!.split('/')[1];
      expect(item).toMatchObject({
        type: 'change-management.git',
        points: ['CC8.1'],
        fileName: `change-management-git-${name}.json`,
        mediaType: 'application/json',
        period: PERIOD,
        summary: EXPECTED_SUMMARY,
      });
      const document = JSON.parse(item.content as string);
      expect(document).toMatchObject({
        schema: 'change-management.git/v1',
        entityRef: item.entityRef,
        period: {
          start: PERIOD.start.toISOString(),
          end: PERIOD.end.toISOString(),
        },
        summary: EXPECTED_SUMMARY,
        repository: { ref: 'HEAD', head: scenario.commits.late },
      });
      expect(document.merges).toHaveLength(4);
      expect(document.definitions.reviewedMerges).toContain('Reviewed-by');
    }
    expect(JSON.parse(evidence[0].content as string).repository.location).toBe(
      scenario.repo.dir,
    );

    expect(
      lines.some(l =>
        l.startsWith(
          `component:default/ghost: the git history of ${scratch.path}/no-such-repo could not be read: `,
        ),
      ),
    ).toBe(true);
    expect(
      lines.some(l => l.startsWith('component:default/nothing: no repository')),
    ).toBe(true);
    expect(lines).toContain(
      'component:default/portal: 12 commits, 4 merges (2 reviewed), 2 signed, 3 tags, 3 deployments',
    );
    // Counts and places in the log, never people.
    expect(lines.join('\n')).not.toContain(ALICE.email);
    expect(lines.join('\n')).not.toContain(ALICE.name);
  });

  it('fetches new history into the cached clone on the next run', async () => {
    const collector = collectorFor([
      component('portal', `url:file://${scenario.repo.dir}/`),
      component('mirror'),
    ]);
    const only = { entityRef: 'component:default/mirror' };
    const before = await collector.collect(context(only).ctx);
    expect(before[0].summary).toMatchObject(EXPECTED_SUMMARY);

    const work = join(scratch.path, 'work');
    await run('git', ['clone', '--quiet', remote, work]);
    const fixture = await GitFixture.open(work);
    await fixture.commit('after the first run', ALICE, '2026-01-16T15:00:00Z');
    await fixture.git(['push', '--quiet', 'origin', 'main']);

    const { ctx, lines } = context(only);
    const evidence = await collector.collect(ctx);
    expect(evidence).toHaveLength(1);
    expect(evidence[0].entityRef).toBe('component:default/mirror');
    expect(evidence[0].summary).toMatchObject({
      ...EXPECTED_SUMMARY,
      commits: EXPECTED_SUMMARY.commits + 1,
    });
    expect(lines.some(l => l.includes('fetching into the cached clone'))).toBe(
      true,
    );
    const cached = await readdir(cacheDir);
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatch(/^[0-9a-f]{24}\.git$/);
  });

  it('fails the run when every entity fails, and for an entity it does not know', async () => {
    const collector = collectorFor([
      component('ghost', `url:file://${scratch.path}/no-such-repo/`),
      component('bad', 'url:ext::sh -c touch% /tmp/pwned'),
    ]);
    await expect(collector.collect(context().ctx)).rejects.toThrow(
      'no repository could be read for any of the 2 entities',
    );
    await expect(
      collector.collect(context({ entityRef: 'component:default/other' }).ctx),
    ).rejects.toThrow('component:default/other is not among the components');
  });

  describe('abort', () => {
    let server: Server;
    let url: string;
    const sockets = new Set<Socket>();
    let connections = 0;

    beforeAll(async () => {
      // A git server that never answers: clones hang until killed.
      server = createServer(() => {});
      server.on('connection', socket => {
        connections += 1;
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve),
      );
      url = `http://127.0.0.1:${
        (server.address() as AddressInfo).port
      }/repo.git`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    });

    it('kills the git it is running and stops', async () => {
      const abortCache = join(scratch.path, 'abort-cache');
      const collector = createChangeManagementCollector({
        loadEntities: async () => [
          component('hanging'),
          component('portal', `url:file://${scenario.repo.dir}/`),
        ],
        repositories: { hanging: url },
        cacheDir: abortCache,
        since: PERIOD.start,
      });
      const controller = new AbortController();
      const { ctx, lines } = context({ signal: controller.signal });
      const running = collector.collect(ctx);
      await waitFor(() => connections > 0 && sockets.size > 0);
      controller.abort();

      await expect(running).rejects.toMatchObject({ name: 'AbortError' });
      // git (and its http helper) are gone: the connection closes.
      await waitFor(() => sockets.size === 0);
      // Nothing after the abort: the second entity was never read.
      expect(lines.some(l => l.startsWith('component:default/portal'))).toBe(
        false,
      );
      // No half clone left behind.
      expect(await readdir(abortCache)).toEqual([]);
    });

    it('does not start when already aborted', async () => {
      const collector = collectorFor([
        component('portal', `url:file://${scenario.repo.dir}/`),
      ]);
      const controller = new AbortController();
      controller.abort();
      await expect(
        collector.collect(context({ signal: controller.signal }).ctx),
      ).rejects.toMatchObject({ name: 'AbortError' });
    });
  });
});
