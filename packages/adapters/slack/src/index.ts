/**
 * @autoheal/adapter-slack: Notifier that posts DecisionRecords to a Slack incoming webhook, with a
 * severity filter, de-duplication and bounded retries.
 *
 * Only the public API (the README documents each export); the message builder and the delivery
 * helpers behind it are internal.
 */
export {
  createSlackNotifier,
  slackNotifierOptionsSchema,
  type SlackNotifier,
  type SlackNotifierOptions,
  type SlackNotifyResult,
} from './slack-notifier.js';
export { severityOf, type Severity, type SlackBlock, type SlackMessage } from './slack-message.js';
