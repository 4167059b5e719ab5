import type { RollbackAction } from '../config.ts';
import type { RetryResult } from '../retry.ts';
import { describeCommand, runCommand } from './command.ts';
import type { ExecContext } from './context.ts';
import { describeGithub, runGithub } from './github.ts';
import { describeWebhook, runWebhook } from './webhook.ts';

export type { ExecContext } from './context.ts';

export function actionName(action: RollbackAction, index: number): string {
  return action.name ?? `${action.type}-${index + 1}`;
}

/** One line saying what the action does (used for dry runs and records). */
export function describeAction(action: RollbackAction, ctx: ExecContext): string {
  switch (action.type) {
    case 'command':
      return describeCommand(action, ctx);
    case 'webhook':
      return describeWebhook(action, ctx);
    case 'github':
      return describeGithub(action, ctx);
  }
}

export function executeAction(action: RollbackAction, ctx: ExecContext): Promise<RetryResult> {
  switch (action.type) {
    case 'command':
      return runCommand(action, ctx);
    case 'webhook':
      return runWebhook(action, ctx);
    case 'github':
      return runGithub(action, ctx);
  }
}
