import type { Command } from 'commander';
import { systemClock } from '../shared/clock.ts';
import { CALL_OUTCOMES, type CallOutcome } from '../shared/journeys/calls.ts';
import { recordCallOutcome } from '../shared/journeys/journey-runtime.ts';
import { productRuleSchema } from '../shared/journeys/products.ts';
import { applySettings, SettingsError } from '../shared/shops/settings-change.ts';
import { CliError, openStores, type TargetOptions } from './target.ts';

type Target = () => TargetOptions;

const days = (text: string) =>
  text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1) throw new CliError(`"${text}" is not a list of days, e.g. 3,14`);
    return n;
  });
const positive = (name: string) => (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} takes a whole number of days, e.g. 30`);
  return n;
};

export function registerJourneyCommands(program: Command, target: Target): void {
  program
    .command('calls <shopIdOrDone> [callId]')
    .description('phone calls staff should make about large unpaid orders; `calls done <shopId>/<orderId> --outcome …` records one')
    .option('--all', 'also list calls that are done or no longer needed')
    .option('--outcome <outcome>', `with done: ${CALL_OUTCOMES.join(' | ')} (paid and declined stop the payment reminders)`)
    .option('--note <text>', 'with done: what the customer said')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  careline calls tea-house\n  careline calls done tea-house/5678901234 --outcome paid --note "paid by bank transfer"')
    .action(async (first: string, callId: string | undefined, options: { all?: boolean; outcome?: string; note?: string; json?: boolean }) => {
      const stores = await openStores(target());
      if (first === 'done') {
        const [shopId, orderId] = (callId ?? '').split('/');
        if (!shopId || !orderId) throw new CliError('Name the call as <shopId>/<orderId>, as `careline calls <shopId>` lists it.');
        if (!options.outcome || !(CALL_OUTCOMES as readonly string[]).includes(options.outcome)) throw new CliError(`Say how it went: --outcome ${CALL_OUTCOMES.join('|')}.`);
        const result = await recordCallOutcome(shopId, orderId, options.outcome as CallOutcome, options.note, { ...stores, clock: systemClock });
        if (!result.closed) throw new CliError(`No open call ${shopId}/${orderId}: see \`careline calls ${shopId} --all\`.`);
        console.log(`Call ${shopId}/${orderId} done: ${options.outcome}.${result.remindersStopped ? ' Payment reminders for the order are stopped.' : ''}`);
        return;
      }
      const calls = (await stores.journeys.listCalls(first)).filter((call) => options.all || call.status === 'open');
      if (options.json) return console.log(JSON.stringify(calls, null, 2));
      if (calls.length === 0) return console.log(`No ${options.all ? '' : 'open '}calls for ${first}.`);
      const now = systemClock.now().toISOString();
      for (const call of calls) {
        const when = call.status === 'open' ? (call.dueAt <= now ? 'due now' : `from ${call.localDue}`) : `${call.status}${call.outcome ? `: ${call.outcome}` : ''}`;
        console.log(`  ${call.shopId}/${call.orderId}  order ${call.orderNumber ?? call.orderId}  ${call.total ?? ''}  customer ${call.customerId}  ${when}`);
      }
    });

  const product = program.command('product').description("the shop's product care rules: tips, check-in days, repurchase cycle");
  product
    .command('set <shopId> <sku>')
    .description('set the care rule of a SKU (`*` is the default for products without one; `product:<id>` matches a platform product id)')
    .option('--title <text>', 'how messages name it')
    .option('--category <text>', 'e.g. tea, skincare')
    .option('--use-days <n>', 'how long one unit lasts in use', positive('use-days'))
    .option('--tips <text>', 'usage tips for the care message on delivery')
    .option('--check-in <days>', 'days after delivery to ask how it is going, e.g. 3,14', days)
    .option('--repurchase-days <n>', 'days one unit lasts: the repurchase reminder goes at delivery + n × quantity − lead days', positive('repurchase-days'))
    .addHelpText('after', '\nExample:\n  careline product set tea-house LJ-250 --title 西湖龙井 --tips "90度水温，第一泡10秒出汤" --check-in 3,14 --repurchase-days 30')
    .action(async (shopId: string, sku: string, options: { title?: string; category?: string; useDays?: number; tips?: string; checkIn?: number[]; repurchaseDays?: number }) => {
      const stores = await openStores(target());
      if (!(await stores.store.getShop(shopId))) throw new CliError(`No shop "${shopId}": add it with \`careline shop add\`.`);
      const parsed = productRuleSchema.safeParse({
        sku,
        ...(options.title ? { title: options.title } : {}),
        ...(options.category ? { category: options.category } : {}),
        ...(options.useDays ? { usePeriodDays: options.useDays } : {}),
        ...(options.tips ? { usageTips: options.tips } : {}),
        checkInDays: options.checkIn ?? [],
        ...(options.repurchaseDays ? { repurchaseCycleDays: options.repurchaseDays } : {}),
        updatedAt: systemClock.now().toISOString(),
      });
      if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
      await stores.journeys.putProduct(shopId, parsed.data);
      console.log(`Product ${sku} of ${shopId} saved. It applies to orders delivered from now on.`);
    });
  product
    .command('list <shopId>')
    .description('list the care rules')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  careline product list tea-house')
    .action(async (shopId: string, options: { json?: boolean }) => {
      const rules = await (await openStores(target())).journeys.listProducts(shopId);
      if (options.json) return console.log(JSON.stringify(rules, null, 2));
      if (rules.length === 0) return console.log(`No product rules for ${shopId}: add one with \`careline product set ${shopId} <sku> …\`.`);
      for (const r of rules) {
        console.log(`  ${r.sku.padEnd(16)} ${r.title ?? ''}  check-ins ${r.checkInDays.join(',') || '—'}  repurchase ${r.repurchaseCycleDays ? `${r.repurchaseCycleDays} d/unit` : '—'}${r.usageTips ? `  tips: ${r.usageTips.slice(0, 40)}` : ''}`);
      }
    });
}

/** `careline shop set` and `careline shop changes`, registered under the shop command. */
export function registerShopSettingsCommands(shop: Command, target: Target): void {
  shop
    .command('set <shopId> <assignments...>')
    .description('change settings, key=value (dotted keys; JSON values; empty unsets); every change is logged with old and new value')
    .addHelpText(
      'after',
      '\nExamples:\n  careline shop set tea-house journeys.stallAfterHours=72 journeys.dispatchCutoff=16:00\n  careline shop set tea-house messaging.quietHours.start=22:00 journeys.defaultCheckInDays=[3,14]\n  careline shop set tea-house trackingSecrets.kuaidi100=my-salt-value',
    )
    .action(async (shopId: string, assignments: string[]) => {
      const stores = await openStores(target());
      const found = await stores.store.getShop(shopId);
      if (!found) throw new CliError(`No shop "${shopId}": add it with \`careline shop add\`.`);
      let result;
      try {
        result = applySettings(found, assignments);
      } catch (error) {
        if (error instanceof SettingsError) throw new CliError(error.message);
        throw error;
      }
      if (result.changes.length === 0) return console.log('Nothing changed.');
      await stores.store.saveShop(result.shop);
      const at = systemClock.now().toISOString();
      const by = process.env.USER ?? 'cli';
      for (const change of result.changes) {
        await stores.journeys.recordSettingsChange(shopId, { at, key: change.key, old: change.old, new: change.new, by });
        console.log(`  ${change.key}: ${change.old} → ${change.new}`);
      }
      console.log(`Saved. Lambda containers pick up shop settings within 30 s.`);
    });
  shop
    .command('changes <shopId>')
    .description('the log of settings changes, newest first')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  careline shop changes tea-house')
    .action(async (shopId: string, options: { json?: boolean }) => {
      const changes = await (await openStores(target())).journeys.listSettingsChanges(shopId);
      if (options.json) return console.log(JSON.stringify(changes, null, 2));
      if (changes.length === 0) return console.log(`No settings changes for ${shopId} yet.`);
      for (const c of changes) console.log(`  ${c.at}  ${c.by.padEnd(10)} ${c.key}: ${c.old} → ${c.new}`);
    });
}
