/**
 * @autoheal/adapter-slack: Notifier that posts DecisionRecords to a Slack incoming webhook, with a
 * severity filter, de-duplication and bounded retries.
 */
export {
  createSlackNotifier,
  parseRetryAfter,
  redactWebhookUrl,
  SLACK_WEBHOOK_URL_ENV,
  slackNotifierOptionsSchema,
  type SlackNotifier,
  type SlackNotifierOptions,
  type SlackNotifyResult,
} from './slack-notifier.js';
export {
  buildSlackMessage,
  escapeMrkdwn,
  formatFeatureValue,
  SEVERITY_ORDER,
  severityOf,
  titleOf,
  type Severity,
  type SlackBlock,
  type SlackMessage,
  type SlackMessageOptions,
} from './slack-message.js';
