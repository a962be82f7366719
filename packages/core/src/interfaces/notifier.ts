import type { DecisionRecord } from '../decision.js';
import type { CallOptions } from './call-options.js';

/** Tells people about decisions (Slack, ...). Its failures never block healing. */
export interface Notifier {
  readonly name: string;
  /** Sends (or deliberately skips, by its own severity/dedup rules) one decision. */
  notify(record: DecisionRecord, options?: CallOptions): Promise<void>;
  close?(): Promise<void>;
}
