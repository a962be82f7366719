/**
 * The operator commands (`status`, `heal`, `rollback`, `reset`, `pause`, `resume`, `doctor`): the original project's
 * 3 a.m. playbook, from autoheal itself, with the automatic loop's safety rules.
 */
export { statusCommand, type TargetStatus } from './status-command.js';
export { healCommand, healExitCode } from './heal-command.js';
export { rollbackCommand, revisionTable } from './rollback-command.js';
export { resetCommand } from './reset-command.js';
export { pauseCommand, resumeCommand } from './pause-command.js';
export type { OperatorDeps } from './operator-context.js';
export { doctorCommand, type DoctorCheck } from './doctor-command.js';
