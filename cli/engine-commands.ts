import type { Command } from 'commander';
import { systemClock } from '../shared/clock.ts';
import type { Task } from '../shared/tasks/task.ts';
import type { LedgerEntry } from '../shared/store/message-store.ts';
import { CliError, openStores, type TargetOptions } from './target.ts';

type Target = () => TargetOptions;

function formatTask(task: Task): string {
  const attempts = task.attempts ? `  attempts ${task.attempts}` : '';
  const error = task.lastError ? `  last error: ${task.lastError}` : '';
  const note = task.note ? `  (${task.note})` : '';
  return `  ${task.dueAt}  ${task.status.padEnd(9)} ${task.kind.padEnd(14)} ${task.taskKey}${attempts}${note}${error}`;
}

function formatMessage(entry: LedgerEntry): string {
  const what = entry.status === 'sent' ? `sent by ${entry.channel}${entry.segments ? `, ${entry.segments} segment(s)` : ''}` : `${entry.status}${entry.reason ? `: ${entry.reason.replaceAll('_', ' ')}` : ''}`;
  const until = entry.deferredUntil ? ` until ${entry.deferredUntil}` : '';
  return `  ${entry.at}  ${entry.kind.padEnd(20)} ${what}${until}${entry.localTime ? `  (local ${entry.localTime})` : ''}  [${entry.messageKey}]`;
}

export function registerEngineCommands(program: Command, target: Target): void {
  const tasks = program
    .command('tasks')
    .description("a shop's scheduled tasks (waiting by default)")
    .argument('[shopId]')
    .option('--due', 'only tasks whose due time has come')
    .option('--dead', 'only dead tasks (failed too often; see `tasks retry`)')
    .option('--all', 'every task, finished ones included')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  careline tasks demo\n  careline tasks demo --dead\n  careline tasks retry demo msg:payment_reminder:1001:1')
    .action(async (shopId: string | undefined, options: { due?: boolean; dead?: boolean; all?: boolean; json?: boolean }) => {
      if (!shopId) throw new CliError('Which shop? e.g. `careline tasks demo`');
      const { tasks: store } = await openStores(target());
      const now = systemClock.now().toISOString();
      let list = options.dead ? await store.listDead(shopId) : await store.listTasks(shopId, options.all ? undefined : 'pending');
      if (options.due) list = list.filter((task) => task.dueAt <= now);
      if (!options.dead && !options.all) list = [...list, ...(await store.listTasks(shopId, 'leased'))];
      if (options.json) return console.log(JSON.stringify(list, null, 2));
      console.log(list.length ? list.map(formatTask).join('\n') : '  (no tasks)');
    });

  tasks
    .command('retry <shopId> <taskKey>')
    .description('put a dead task back in line, due now')
    .addHelpText('after', '\nExample:\n  careline tasks retry demo msg:payment_reminder:1001:1')
    .action(async (shopId: string, taskKey: string) => {
      const { tasks: store } = await openStores(target());
      if (!(await store.retryDead(shopId, taskKey, systemClock.now()))) {
        throw new CliError(`No dead task ${taskKey} in ${shopId}: list them with \`careline tasks ${shopId} --dead\`.`);
      }
      console.log(`Task ${taskKey} is due again now; the dispatcher takes it within a minute.`);
    });

  program
    .command('messages <shopId> <customerId>')
    .description('messages to a customer: sent, and not sent with the reason')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  careline messages demo 7012345678901234567')
    .action(async (shopId: string, customerId: string, options: { json?: boolean }) => {
      const { messages } = await openStores(target());
      const list = await messages.listMessages(shopId, customerId);
      if (options.json) return console.log(JSON.stringify(list, null, 2));
      console.log(list.length ? list.map(formatMessage).join('\n') : `  (no messages for ${customerId} yet)`);
    });
}
