import type { PauseStatus } from '../pause.js';
import type { TargetRef } from '../target.js';
import type { CallOptions } from './call-options.js';

/**
 * Where operators' pause marks are read (for instance annotations on the Deployment, or on a
 * control object for a global pause: the Kubernetes adapter's `healer.pauses`). The pipeline asks
 * before every decision; a source that cannot tell reports `unavailable`, and the target is then
 * held as if paused. Marks past their `until` may be reported: the pipeline ignores them.
 */
export interface PauseSource {
  readonly name: string;
  /** The pauses in force for `target` (target-level and global). Never throws for "not paused". */
  pauseOf(target: TargetRef, options?: CallOptions): Promise<PauseStatus>;
}
