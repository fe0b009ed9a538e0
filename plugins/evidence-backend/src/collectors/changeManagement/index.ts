/**
 * The change-management collector (CC8.1): git history and, when configured,
 * GitHub reviews, workflow runs, deployments and approvals of catalog
 * components.
 */
export {
  CHANGE_MANAGEMENT_COLLECTOR_ID,
  GITHUB_EVIDENCE_TYPE,
  GIT_EVIDENCE_TYPE,
  createChangeManagementCollector,
  type ChangeManagementCollectorOptions,
} from './collector';
export {
  changeManagementOptionsFromConfig,
  githubOptionsFromConfig,
  readChangeManagementConfig,
  type ChangeManagementConfig,
} from './config';
export {
  GIT_DEFINITIONS,
  readGitHistory,
  type GitHistory,
  type GitHistorySummary,
  type Period,
  type SignatureStatus,
} from './gitHistory';
export {
  GitHubApiError,
  GitHubClient,
  type GitHubOptions,
} from './github/GitHubClient';
export {
  GITHUB_DEFINITIONS,
  readGitHubHistory,
  type GitHubHistory,
  type GitHubHistorySummary,
} from './github/githubHistory';
export {
  parseRepositoryUrl,
  repositoryLocationOf,
  type RepositoryLocation,
  type RepositorySetting,
} from './locations';
