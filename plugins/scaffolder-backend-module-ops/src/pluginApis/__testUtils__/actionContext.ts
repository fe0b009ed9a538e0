import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/**
 * A scaffolder action context for tests, run by `user` (default
 * `user:default/amy`): collects outputs and what was logged.
 */
export function actionContext(
  input: Record<string, unknown>,
  options: { isDryRun?: boolean; user?: string } = {},
) {
  const user = options.user ?? 'user:default/amy';
  const output: Record<string, unknown> = {};
  const logger = mockServices.logger.mock();
  const logs = () =>
    (logger.info as jest.Mock).mock.calls.map(call => String(call[0]));
  const ctx = {
    input,
    isDryRun: options.isDryRun ?? false,
    logger,
    output: (name: string, value: unknown) => {
      output[name] = value;
    },
    getInitiatorCredentials: async () => mockCredentials.user(user),
    user: { ref: user },
    workspacePath: '/tmp',
    checkpoint: async ({ fn }: any) => fn(),
    createTemporaryDirectory: async () => '/tmp',
    task: { id: 't1' },
  } as any;
  return { ctx, output, logs };
}
