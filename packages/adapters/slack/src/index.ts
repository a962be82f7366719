/** @autoheal/adapter-slack: Notifier that posts DecisionRecords to a Slack incoming webhook. */
export {};
