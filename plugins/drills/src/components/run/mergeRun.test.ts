import { applyPending, mergeRun, mergeStep } from './mergeRun';
import { BOB, makeRun, makeStep } from '../__testUtils__/fakeApi';

const respond = (run: ReturnType<typeof makeRun>) => run.phases[1].steps[0];

describe('mergeRun', () => {
  it('takes the newer version of each step', () => {
    const current = mergeStep(
      makeRun(),
      makeStep('respond', 1, 'Page the database owner', {
        checked: true,
        version: 1,
      }),
    );
    const staleRead = makeRun({ title: 'Renamed' });
    const merged = mergeRun(current, staleRead);
    expect(respond(merged)).toMatchObject({ checked: true, version: 1 });
    expect(merged.title).toBe('Renamed');

    const newerRead = makeRun();
    newerRead.phases[1].steps[0] = makeStep('respond', 1, 'x', {
      checked: false,
      version: 2,
      updatedBy: BOB,
    });
    expect(respond(mergeRun(merged, newerRead))).toMatchObject({
      checked: false,
      version: 2,
    });
  });

  it('never brings an ended run back to running', () => {
    const finished = makeRun({ state: 'finished' });
    expect(mergeRun(finished, makeRun()).state).toBe('finished');
  });

  it('ignores an older step answer', () => {
    const run = mergeStep(
      makeRun(),
      makeStep('respond', 1, 't', { checked: true, version: 3 }),
    );
    expect(
      respond(mergeStep(run, makeStep('respond', 1, 't', { version: 2 }))),
    ).toMatchObject({ checked: true, version: 3 });
  });
});

describe('applyPending', () => {
  it('shows an unanswered change on the version it was made on', () => {
    const run = makeRun();
    expect(
      respond(applyPending(run, { 'respond-1': { checked: true, version: 0 } }))
        .checked,
    ).toBe(true);
  });

  it('lets a newer server version win over the unanswered change', () => {
    const run = mergeStep(
      makeRun(),
      makeStep('respond', 1, 't', { checked: false, version: 1 }),
    );
    expect(
      respond(applyPending(run, { 'respond-1': { checked: true, version: 0 } }))
        .checked,
    ).toBe(false);
  });
});
