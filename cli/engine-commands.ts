import type { Command } from 'commander';
import { systemClock } from '../shared/clock.ts';
import { isMessageKind, MESSAGE_KIND_NAMES } from '../shared/messages/kinds.ts';
import { renderMessage, validateTemplate } from '../shared/messages/templates.ts';
import type { Task } from '../shared/tasks/task.ts';
import type { LedgerEntry } from '../shared/store/message-store.ts';
import { CliError, openStores, type TargetOptions } from './target.ts';
import { sampleVars } from '../shared/messages/sample-vars.ts';

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
  const template = program.command('template').description('message templates');
  template
    .command('preview <kind>')
    .description(`render a message with sample values: ${MESSAGE_KIND_NAMES.join(', ')}`)
    .option('--locale <locale>', 'zh-CN or en', 'zh-CN')
    .option('--variant <variant>', 'e.g. new / returning (payment_reminder), price_sensitive / experience (repurchase_reminder)')
    .option('--var <name=value...>', 'override a sample value')
    .option('--max-segments <n>', 'shorten the SMS to this many segments', (v) => Number(v))
    .addHelpText('after', '\nExample:\n  careline template preview payment_reminder --locale zh-CN --variant new')
    .action((kind: string, options: { locale: string; variant?: string; var?: string[]; maxSegments?: number }) => {
      if (!isMessageKind(kind)) throw new CliError(`Unknown kind "${kind}": one of ${MESSAGE_KIND_NAMES.join(', ')}.`);
      if (options.locale !== 'zh-CN' && options.locale !== 'en') throw new CliError(`--locale is zh-CN or en, not "${options.locale}".`);
      const vars = { ...sampleVars(options.locale), ...Object.fromEntries((options.var ?? []).map((pair) => pair.split(/=(.*)/s).slice(0, 2))) };
      const rendered = renderMessage({ kind, locale: options.locale, ...(options.variant ? { variant: options.variant } : {}), vars, ...(options.maxSegments ? { maxSmsSegments: options.maxSegments } : {}) });
      console.log(`${kind} · ${rendered.locale}${rendered.variant ? ` · ${rendered.variant}` : ''} · ${rendered.source} template`);
      console.log(`\nSMS (${rendered.sms.encoding}, ${rendered.sms.units} units, ${rendered.sms.segments} segment(s)${rendered.sms.truncated ? ', shortened' : ''}):\n${rendered.sms.text}`);
      console.log(`\nEmail subject: ${rendered.email.subject}\n${rendered.email.body}`);
    });

  const tasks = program
    .command('tasks')
    .description("a shop's scheduled tasks (waiting by default)")
    .argument('[shopId]')
    .option('--due', 'only tasks whose due time has come')
    .option('--dead', 'only dead tasks (failed too often; see `tasks retry`)')
    .option('--all', 'every task, finished ones included')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  careline tasks demo\n  careline tasks demo --dead\n  careline tasks retry demo msg:payment-reminder:5678901234567890123:1')
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
    .addHelpText('after', '\nExample:\n  careline tasks retry demo msg:payment-reminder:5678901234567890123:1')
    .action(async (shopId: string, taskKey: string) => {
      const { tasks: store } = await openStores(target());
      if (!(await store.retryDead(shopId, taskKey, systemClock.now()))) {
        throw new CliError(`No dead task ${taskKey} in ${shopId}: list them with \`careline tasks ${shopId} --dead\`.`);
      }
      console.log(`Task ${taskKey} is due again now; the dispatcher takes it within a minute.`);
    });

  template
    .command('set <shopId> <kind>')
    .description("set a shop's own template for a message kind (Liquid; wins over Careline's)")
    .requiredOption('--locale <locale>', 'zh-CN or en')
    .option('--variant <variant>', 'a segment variant, e.g. new / returning')
    .requiredOption('--sms <liquid>', 'the SMS text')
    .option('--subject <liquid>', 'the email subject', '{{ shop_name }}')
    .option('--body <liquid>', 'the email body (defaults to the SMS text)')
    .addHelpText('after', "\nExample:\n  careline template set demo order_shipped --locale zh-CN --sms '【{{ shop_name }}】宝贝已发出，{{ carrier }} {{ tracking_number }}'")
    .action(async (shopId: string, kind: string, options: { locale: string; variant?: string; sms: string; subject: string; body?: string }) => {
      if (!isMessageKind(kind)) throw new CliError(`Unknown kind "${kind}": one of ${MESSAGE_KIND_NAMES.join(', ')}.`);
      if (options.locale !== 'zh-CN' && options.locale !== 'en') throw new CliError('--locale must be zh-CN or en.');
      const source = { kind, locale: options.locale as 'zh-CN' | 'en', ...(options.variant ? { variant: options.variant } : {}), sms: options.sms, emailSubject: options.subject, emailBody: options.body ?? options.sms };
      for (const [part, text] of [['--sms', source.sms], ['--subject', source.emailSubject], ['--body', source.emailBody]] as const) {
        const checked = validateTemplate(text);
        if (!checked.ok) throw new CliError(`${part} is not a valid Liquid template: ${checked.error}`);
      }
      const { store } = await openStores(target());
      const shop = await store.getShop(shopId);
      if (!shop) throw new CliError(`No shop "${shopId}": add it with \`careline shop add\`.`);
      await store.putTemplate(shopId, source);
      const vars = { ...sampleVars(source.locale), shop_name: shop.messaging.shopName ?? shop.shopId };
      const preview = renderMessage({ kind, locale: source.locale, ...(source.variant ? { variant: source.variant } : {}), vars, overrides: [source], maxSmsSegments: shop.messaging.maxSmsSegments });
      console.log(`Saved. With sample values (${preview.sms.segments} segment(s), ${preview.sms.encoding}):\n${preview.sms.text}`);
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
