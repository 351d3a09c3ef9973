import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../shared/clock.ts';
import { kpiHtml } from '../shared/reports/html.ts';
import { computeKpis, formatKpis } from '../shared/reports/kpis.ts';
import { CliError, openStores, type TargetOptions } from './target.ts';

type Target = () => TargetOptions;

/** `30d`, `12w` or `2026-11-01` → the first UTC day of the window and its length in days. */
export function parseSince(text: string, now: Date): { day: string; days: number } {
  const relative = /^(\d{1,4})([dw])$/.exec(text);
  if (relative) {
    const days = Number(relative[1]) * (relative[2] === 'w' ? 7 : 1);
    return { day: new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10), days };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text))) {
    return { day: text, days: Math.max(1, Math.round((now.getTime() - Date.parse(text)) / 86_400_000) + 1) };
  }
  throw new CliError(`--since takes 30d, 12w or a date 2026-11-01, not "${text}"`);
}

export function registerReportCommands(program: Command, target: Target): void {
  program
    .command('report <shopId>')
    .description("the shop's KPIs from its daily counters: payments, reminders and recovered revenue, parcels, care, repurchase, messages")
    .option('--since <window>', 'how far back: 30d, 12w or a date (UTC days)', '30d')
    .option('--json', 'print JSON')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .addHelpText('after', '\nExamples:\n  careline report tea-house\n  careline report tea-house --since 90d --html report.html')
    .action(async (shopId: string, options: { since: string; json?: boolean; html?: string }) => {
      const stores = await openStores(target());
      const shop = await stores.store.getShop(shopId);
      if (!shop) throw new CliError(`No shop "${shopId}": see \`careline shop show\`.`);
      const since = parseSince(options.since, systemClock.now());
      const [daily, histogram] = await Promise.all([stores.journeys.getDailyCounters(shopId, since.day), stores.journeys.getPayHistogram(shopId)]);
      const totals: Record<string, number> = {};
      for (const { counters } of daily) for (const [k, v] of Object.entries(counters)) totals[k] = (totals[k] ?? 0) + v;
      const kpis = computeKpis(totals, histogram, since.days);
      const title = `Careline report: ${shopId}, ${since.days} days from ${since.day}`;
      if (options.json) return console.log(JSON.stringify({ shopId, since: since.day, kpis, daily }, null, 2));
      if (options.html) {
        writeFileSync(options.html, kpiHtml({ title, kpis, daily, quietHours: shop.messaging.quietHours, notes: ['Time-to-pay percentiles cover all history; every other figure covers the window.'] }));
        console.log(`Wrote ${options.html}`);
        return;
      }
      console.log(formatKpis(kpis, title));
    });

  program
    .command('simulate [shopId]')
    .description("preview what Careline would send, when and why, with a shop's own settings, products and templates (or the demo shop)")
    .option('--seed <n>', 'the same seed gives the same run', '1')
    .option('--customers <n>', 'customers to simulate', '300')
    .option('--days <n>', 'days to simulate', '60')
    .option('--html <file>', 'also write a self-contained HTML report')
    .addHelpText('after', '\nExamples:\n  careline simulate                      # the demo tea shop\n  careline simulate tea-house --seed 7 --customers 100 --days 30 --html preview.html')
    .action(async (shopId: string | undefined, options: { seed: string; customers: string; days: string; html?: string }) => {
      const whole = (name: string, text: string, max: number) => {
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${name} takes a whole number from 1 to ${max}`);
        return n;
      };
      const seed = whole('seed', options.seed, 2 ** 31);
      const customers = whole('customers', options.customers, 5000);
      const days = whole('days', options.days, 365);
      let own = {};
      if (shopId) {
        const stores = await openStores(target());
        const shop = await stores.store.getShop(shopId);
        if (!shop) throw new CliError(`No shop "${shopId}": see \`careline shop show\`, or run \`careline simulate\` for the demo shop.`);
        const [products, templates] = await Promise.all([stores.journeys.listProducts(shopId), stores.store.listTemplates(shopId)]);
        if (products.length === 0) console.error(`Shop ${shopId} has no product rules: the preview uses the demo catalogue. Add yours with \`careline product set\`.`);
        own = { shop, ...(products.length ? { products } : {}), templates };
      }
      // Loaded on use: the simulator brings DynamoDB Local and the whole engine along. The
      // handlers' info lines (one per webhook) would drown the preview; warnings still show.
      process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
      const { runPreview } = await import('../local/simulate/run.ts');
      await runPreview({ seed, customers, days, ...own, ...(options.html ? { html: options.html } : {}) });
    });
}
