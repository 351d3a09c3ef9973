import { parseArgs } from 'node:util';

// `npm run demo [-- --seed 7 --customers 300 --days 60 --html demo.html]`: the preview with the demo tea shop.
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    customers: { type: 'string', default: '300' },
    days: { type: 'string', default: '60' },
    html: { type: 'string' },
  },
});
const number = (name: string, text: string, max: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`demo: --${name} takes a whole number from 1 to ${max}`);
    process.exit(1);
  }
  return n;
};
// The handlers' own log lines (one per webhook) would drown the preview; warnings still show.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { runPreview } = await import('./simulate/run.ts');
await runPreview({
  seed: number('seed', values.seed, 2 ** 31),
  customers: number('customers', values.customers, 5000),
  days: number('days', values.days, 365),
  ...(values.html ? { html: values.html } : {}),
});
