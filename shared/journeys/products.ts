import * as z from 'zod/mini';
import type { LineItem } from '../events/canonical.ts';

/** The key of the rule every product without one of its own falls back to. */
export const DEFAULT_PRODUCT = '*';

/**
 * What a shop tells Careline about caring for a product, per SKU (`product:<id>` matches a
 * platform product id, `*` is the shop's default): `careline product set <shopId> <sku> …`.
 */
export const productRuleSchema = z.object({
  sku: z.string().check(z.minLength(1), z.maxLength(100)),
  title: z.optional(z.string().check(z.maxLength(100))),
  category: z.optional(z.string().check(z.maxLength(60))),
  /** How long one unit lasts in use, in days (informational; the cycle below drives reminders). */
  usePeriodDays: z.optional(z.int().check(z.minimum(1), z.maximum(3650))),
  /** Tips for using it, sent in the care message on delivery. */
  usageTips: z.optional(z.string().check(z.maxLength(300))),
  /** Days after delivery on which to ask how it is going (e.g. [3, 14]). */
  checkInDays: z._default(z.array(z.int().check(z.minimum(1), z.maximum(365))).check(z.maxLength(5)), []),
  /** Days one unit lasts; the repurchase reminder goes at delivery + cycle × quantity − lead days. */
  repurchaseCycleDays: z.optional(z.int().check(z.minimum(1), z.maximum(3650))),
  updatedAt: z.string(),
});
export type ProductRule = z.infer<typeof productRuleSchema>;

/** The rule for a line item: its SKU's, else its product id's, else the shop default, else none. */
export function ruleFor(item: Pick<LineItem, 'sku' | 'productId'>, rules: ReadonlyMap<string, ProductRule>): ProductRule | undefined {
  return (
    (item.sku ? rules.get(item.sku) : undefined) ??
    (item.productId ? rules.get(`product:${item.productId}`) : undefined) ??
    rules.get(DEFAULT_PRODUCT)
  );
}

/** The key a repurchase is tracked under for a customer: the SKU, else the product id, else the title. */
export function productKeyOf(item: Pick<LineItem, 'sku' | 'productId' | 'title'>): string {
  // An empty SKU (Shopify sends "") is no SKU: products without one must not share a key.
  return item.sku || (item.productId ? `product:${item.productId}` : `title:${item.title.slice(0, 60)}`);
}
