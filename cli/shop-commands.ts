import type { Command } from 'commander';
import { systemClock } from '../shared/clock.ts';
import { LOCALES, MAX_SECRETS, PLATFORMS, type Shop, shopSchema } from '../shared/shops/shop.ts';
import { AlreadyExistsError } from '../shared/store/errors.ts';
import { formatShop, shopView } from './format.ts';
import { registerShopSettingsCommands } from './journey-commands.ts';
import { CliError, openStore, type TargetOptions } from './target.ts';

type Target = () => TargetOptions;

function validShop(candidate: unknown): Shop {
  const parsed = shopSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new CliError(parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n'));
  }
  return parsed.data;
}

async function requireShop(target: TargetOptions, shopId: string) {
  const store = await openStore(target);
  const shop = await store.getShop(shopId);
  if (!shop) throw new CliError(`No shop "${shopId}": create it with \`careline shop add ${shopId} --platform shopify --secret <secret>\`.`);
  return { store, shop };
}

export function registerShopCommands(program: Command, target: Target): void {
  const shop = program.command('shop').description('add and show shops, change their settings (with a change log), rotate their secrets');

  shop
    .command('add <shopId>')
    .description('register a shop and the secret its platform signs webhooks with')
    .requiredOption('--platform <platform>', `one of ${PLATFORMS.join(', ')}`)
    .requiredOption('--secret <secret>', 'the webhook signing secret (Shopify: the app client secret; WooCommerce: the webhook secret)')
    .option('--timezone <zone>', 'IANA time zone of the shop', 'Asia/Shanghai')
    .option('--locale <locale>', `default message locale: ${LOCALES.join(' or ')}`, 'zh-CN')
    .option('--currency <code>', 'ISO 4217 currency', 'CNY')
    .option('--country <code>', 'ISO 3166 country for phone numbers without a country code', 'CN')
    .option('--vip-threshold <minor>', 'total spent (minor units) from which a customer is VIP', (v) => Number(v), 200_000)
    .addHelpText('after', '\nExample:\n  careline shop add tea-house --platform shopify --secret shpss_0123456789abcdef --timezone Asia/Shanghai')
    .action(async (shopId: string, options) => {
      const now = systemClock.now().toISOString();
      const shop = validShop({
        shopId,
        platform: options.platform,
        secrets: [{ value: options.secret, addedAt: now }],
        timezone: options.timezone,
        locale: options.locale,
        currency: String(options.currency).toUpperCase(),
        country: String(options.country).toUpperCase(),
        vipThresholdMinor: options.vipThreshold,
        createdAt: now,
      });
      const store = await openStore(target());
      try {
        await store.createShop(shop);
      } catch (error) {
        if (error instanceof AlreadyExistsError) throw new CliError(`Shop ${shopId} already exists: see it with \`careline shop show ${shopId}\`.`);
        throw error;
      }
      console.log(`Added shop ${shopId}. Point its ${shop.platform} webhooks at /webhooks/${shop.platform}/${shopId}.`);
    });

  shop
    .command('show <shopId>')
    .description('show a shop (secrets masked)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  careline shop show demo')
    .action(async (shopId: string, options: { json?: boolean }) => {
      const { shop: found } = await requireShop(target(), shopId);
      console.log(options.json ? JSON.stringify(shopView(found), null, 2) : formatShop(found));
    });

  registerShopSettingsCommands(shop, target);

  const secret = shop.command('secret').description(`rotate webhook secrets (a shop holds at most ${MAX_SECRETS} at once)`);
  secret
    .command('add <shopId>')
    .description('add a second secret; both are accepted until the old one is removed')
    .requiredOption('--secret <secret>', 'the new secret')
    .addHelpText('after', '\nExample:\n  careline shop secret add demo --secret new-secret-0123456789')
    .action(async (shopId: string, options: { secret: string }) => {
      const { store, shop: found } = await requireShop(target(), shopId);
      if (found.secrets.length >= MAX_SECRETS) {
        throw new CliError(`Shop ${shopId} already has ${MAX_SECRETS} secrets: remove the old one first with \`careline shop secret remove ${shopId} --ending <last 4>\`.`);
      }
      const next = validShop({ ...found, secrets: [...found.secrets, { value: options.secret, addedAt: systemClock.now().toISOString() }] });
      await store.saveShop(next);
      console.log(`Shop ${shopId} now accepts ${next.secrets.length} secrets. Remove the old one once the platform uses the new one.`);
    });
  secret
    .command('remove <shopId>')
    .description('remove the secret ending in the given characters')
    .requiredOption('--ending <chars>', 'the last characters of the secret to remove (as `shop show` prints them)')
    .addHelpText('after', '\nExample:\n  careline shop secret remove demo --ending 9f3a')
    .action(async (shopId: string, options: { ending: string }) => {
      const { store, shop: found } = await requireShop(target(), shopId);
      const matching = found.secrets.filter((s) => s.value.endsWith(options.ending));
      if (matching.length !== 1) throw new CliError(`Exactly one secret must end in "${options.ending}" (found ${matching.length}).`);
      if (found.secrets.length === 1) throw new CliError('That is the only secret: add the new one first with `careline shop secret add`.');
      await store.saveShop({ ...found, secrets: found.secrets.filter((s) => s !== matching[0]) });
      console.log(`Removed the secret ending in ${options.ending} from ${shopId}.`);
    });
}

