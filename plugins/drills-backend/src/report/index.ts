export {
  renderReportMarkdown,
  type ReportOptions,
} from './renderReportMarkdown';
export { renderReportHtml } from './renderReportHtml';
export { escapeMarkdown, escapeHtml } from './escape';
