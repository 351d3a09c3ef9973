import type { Command } from 'commander';
import { profileView } from '../shared/profiles/profile.ts';
import { customerTimeline } from '../shared/profiles/timeline.ts';
import { MessageStore } from '../shared/store/message-store.ts';
import { orderView } from '../shared/orders/order-state.ts';
import { formatOrder, formatProfile, formatTimeline } from './format.ts';
import { CliError, openStore, type TargetOptions } from './target.ts';

type Target = () => TargetOptions;

export function registerReadCommands(program: Command, target: Target): void {
  program
    .command('timeline <shopId> <customerId>')
    .description("a customer's timeline, newest first")
    .option('--json', 'print JSON')
    .option('--limit <n>', 'entries per page', (v) => Number(v), 50)
    .option('--cursor <cursor>', 'continue from an earlier page')
    .addHelpText('after', '\nExample:\n  careline timeline demo 7012345678901234567')
    .action(async (shopId: string, customerId: string, options: { json?: boolean; limit: number; cursor?: string }) => {
      const store = await openStore(target());
      const [shop, profile, page] = await Promise.all([
        store.getShop(shopId),
        store.getProfile(shopId, customerId),
        customerTimeline({ store, messages: new MessageStore(store.siblingOptions) }, shopId, customerId, { limit: options.limit, ...(options.cursor ? { cursor: options.cursor } : {}) }),
      ]);
      if (!profile && page.entries.length === 0) {
        throw new CliError(`No customer ${customerId} in shop ${shopId}: customer ids are the platform's (guests: the guest-… id shown by \`careline order\`).`);
      }
      if (options.json) return console.log(JSON.stringify(page, null, 2));
      if (!shop) throw new CliError(`No shop "${shopId}": see \`careline shop show\`.`);
      console.log(`${formatProfile(profile && profileView(profile, shop), customerId)}\n\n${formatTimeline(page)}`);
    });

  program
    .command('order <shopId> <orderId>')
    .description('an order: status, items, milestones, shipments and checkpoints')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  careline order demo 5678901234567890123')
    .action(async (shopId: string, orderId: string, options: { json?: boolean }) => {
      const store = await openStore(target());
      const item = await store.getOrder(shopId, orderId);
      if (!item) throw new CliError(`No order ${orderId} in shop ${shopId}: has its webhook arrived? Check the platform's webhook delivery log.`);
      const order = orderView(item);
      console.log(options.json ? JSON.stringify(order, null, 2) : formatOrder(order));
    });
}
