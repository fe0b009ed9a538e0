import { mockServices } from '@backstage/backend-test-utils';

/**
 * A scheduler for test backends that keeps the plugin's tasks instead of
 * timing them: `run(id)` runs one turn now (the mock scheduler runs a task
 * once at startup only).
 */
export function detectorScheduler() {
  const tasks = new Map<string, () => Promise<void>>();
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: async task => {
      tasks.set(task.id, async () => {
        await task.fn(new AbortController().signal);
      });
    },
  });
  const run = async (id = 'security-detector') => {
    const task = tasks.get(id);
    if (!task) throw new Error(`No task ${id} scheduled`);
    await task();
  };
  return { factory: scheduler.factory, run };
}
