import { EN_TEMPLATES } from './default-templates-en.ts';
import { ZH_CN_TEMPLATES } from './default-templates-zh.ts';
import type { TemplateSource } from './templates.ts';

/**
 * Careline's own templates: every message kind in zh-CN and en, some with segment variants
 * (payment_reminder: `new` / `returning`; repurchase_reminder: `price_sensitive` / `experience`),
 * each kind also with a general template that an unknown variant falls back to. Shops override
 * any of them (`careline template set`); theirs are checked with `validateTemplate` first.
 *
 * Liquid, as Shopify merchants write it, rendered as plain text. Values arrive preformatted as
 * strings (dates, times and money are formatted by the caller, in the customer's locale and
 * time zone), and any of them may be empty: an empty value is false in `{% if %}`, and every
 * template reads whole without it.
 *
 * | variable           | what it holds                                                    | example                        |
 * |--------------------|------------------------------------------------------------------|--------------------------------|
 * | `shop_name`        | the name customers know the shop by; the zh-CN 【signature】     | 茶韵                           |
 * | `customer_name`    | how to greet the customer; often unknown                         | 晓雨 / Amy                     |
 * | `order_number`     | the order number the customer sees                               | #1001                          |
 * | `order_total`      | the amount due, formatted                                        | ¥434.00                        |
 * | `item_titles`      | what was ordered, joined and shortened                           | 西湖龙井、白瓷盖碗             |
 * | `pay_url`          | where to pay for an unpaid order                                 | https://shop.example/pay/1001  |
 * | `cutoff_time`      | today's dispatch cut-off, local; empty when it cannot be made    | 16:00                          |
 * | `carrier`          | the carrier's name                                               | 顺丰速运 / UPS                 |
 * | `tracking_number`  | the parcel's tracking number                                     | SF1456789012345                |
 * | `tracking_url`     | where to follow the parcel                                       | https://shop.example/t/SF14…   |
 * | `parcel_location`  | where the parcel is now                                          | 杭州转运中心                   |
 * | `parcel_status`    | the carrier's latest status, short                               | 运输中 / In transit            |
 * | `usage_tips`       | how to get the most from the whole order                         | 90度水温，第一泡10秒出汤       |
 * | `product_title`    | the product a check-in, review or repurchase is about            | 西湖龙井                       |
 * | `check_in_day`     | days since delivery, for a check-in                              | 3                              |
 * | `reply_hint`       | how the customer can answer or reach the shop                    | 直接回复本短信 / reply to this text |
 * | `review_url`       | where to leave a review                                          | https://shop.example/review    |
 * | `repurchase_url`   | where to buy the same again                                      | https://shop.example/again     |
 * | `unsubscribe_hint` | how to opt out, for care and marketing SMS; a default per locale | 回TD退订 / Reply STOP to opt out. |
 * | `campaign_text`    | a campaign's own words (or a returning-customer offer)           | 双十一老客专享，全场8折        |
 *
 * Filters besides Liquid's own: `clip: n` keeps at most n characters (a Chinese character or an
 * emoji counts one) and ends a cut with "…", so a long title cannot push an SMS into another
 * segment; `money: 'CNY'` formats an amount given in minor units (a string passes through).
 */
export const DEFAULT_TEMPLATES: readonly TemplateSource[] = [...ZH_CN_TEMPLATES, ...EN_TEMPLATES];
