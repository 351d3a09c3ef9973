import type { MessageKind } from './kinds.ts';
import type { TemplateSource } from './templates.ts';

/**
 * Careline's English templates (variables: see default-templates.ts). Every SMS opens with the
 * shop's name so the customer knows who is writing; care and marketing SMS close with the
 * opt-out instruction. Every sentence reads whole when the customer's name is unknown.
 */

const SIGN = '{% if shop_name %}{{ shop_name }}: {% endif %}';
const HI = '{% if customer_name %}Hi {{ customer_name }}! {% endif %}';
const DEAR = '{% if customer_name %}Hi {{ customer_name }},{% else %}Hello,{% endif %}';
const ORDER = '{% if order_number %}order {{ order_number }}{% else %}your order{% endif %}';
const ORDER_CAP = '{% if order_number %}Order {{ order_number }}{% else %}Your order{% endif %}';
const PRODUCT = "{{ product_title | clip: 30 | default: 'your order' }}";
const PARCEL = '{% if tracking_number %}{{ carrier | default: "Tracking" }} {{ tracking_number }}{% endif %}';
// reply_hint says how to answer an SMS ("reply to this text"); an email never borrows it.
const CONTACT = "{{ reply_hint | default: 'just let us know' }}";
const CONTACT_EMAIL = 'just get in touch';
const STOP = ' {{ unsubscribe_hint }}';
const SIGN_OFF = '\n\n{{ shop_name }}';

const en = (kind: MessageKind, variant: string | undefined, sms: string, emailSubject: string, emailBody: string[]): TemplateSource => ({
  kind,
  locale: 'en',
  ...(variant ? { variant } : {}),
  sms,
  emailSubject,
  emailBody: emailBody.join('\n') + SIGN_OFF,
});

export const EN_TEMPLATES: TemplateSource[] = [
  // Payment reminders: to a first-time buyer, what paying now gets them, and the cut-off only
  // when it can still be made; to a returning customer, thanks and priority.
  en(
    'payment_reminder',
    'new',
    `${SIGN}${HI}${ORDER_CAP} is waiting for payment. {% if cutoff_time %}Pay before {{ cutoff_time }} and it ships today.{% else %}Pay now and we'll pack it right away.{% endif %} {{ pay_url }}`,
    'Your order {{ order_number }} is one step away',
    [
      DEAR,
      '',
      `${ORDER_CAP}{% if item_titles %} ({{ item_titles }}){% endif %} is waiting for payment{% if order_total %}: {{ order_total }}{% endif %}.`,
      "{% if cutoff_time %}Pay before {{ cutoff_time }} and it ships today.{% else %}Pay now and we'll pack it right away.{% endif %}",
      '{% if pay_url %}\nPay here: {{ pay_url }}{% endif %}',
    ],
  ),
  en(
    'payment_reminder',
    'returning',
    `${SIGN}${HI}Thanks for coming back! ${ORDER_CAP} is waiting for payment; as a valued customer, yours is packed first.{% if cutoff_time %} Pay before {{ cutoff_time }} to ship today.{% endif %} {{ pay_url }}`,
    'Thanks for coming back: we are holding your order {{ order_number }}',
    [
      DEAR,
      '',
      'Thanks for shopping with us again!',
      `${ORDER_CAP}{% if item_titles %} ({{ item_titles }}){% endif %} is waiting for payment{% if order_total %}: {{ order_total }}{% endif %}. As a valued customer, we'll prioritise your order and pack it first{% if cutoff_time %}; pay before {{ cutoff_time }} and it ships today{% endif %}.`,
      '{% if pay_url %}\nPay here: {{ pay_url }}{% endif %}',
    ],
  ),
  en(
    'payment_reminder',
    undefined,
    `${SIGN}${HI}${ORDER_CAP} is waiting for payment.{% if cutoff_time %} Pay before {{ cutoff_time }} and it ships today.{% endif %} {{ pay_url }}`,
    'Your order {{ order_number }} is waiting for payment',
    [
      DEAR,
      '',
      `${ORDER_CAP}{% if item_titles %} ({{ item_titles }}){% endif %} is waiting for payment{% if order_total %}: {{ order_total }}{% endif %}.{% if cutoff_time %} Pay before {{ cutoff_time }} and it ships today.{% endif %}`,
      '{% if pay_url %}\nPay here: {{ pay_url }}{% endif %}',
    ],
  ),
  en(
    'payment_last_chance',
    undefined,
    `${SIGN}${HI}${ORDER_CAP} will close soon as it hasn't been paid. If you still want it, you can still pay{% if pay_url %}: {{ pay_url }}{% else %}.{% endif %}`,
    'Your order {{ order_number }} closes soon',
    [
      DEAR,
      '',
      `${ORDER_CAP}{% if item_titles %} ({{ item_titles }}){% endif %} will close soon as it hasn't been paid. If you still want it, you can pay any time before then. If something is holding you back, just reply and tell us.`,
      '{% if pay_url %}\nPay here: {{ pay_url }}{% endif %}',
    ],
  ),

  // Shipping and the parcel's way: what the customer would otherwise look up themselves.
  en(
    'order_shipped',
    undefined,
    `${SIGN}${HI}${ORDER_CAP} is on its way{% if carrier %} with {{ carrier }}{% endif %}{% if tracking_number %}, tracking {{ tracking_number }}{% endif %}. {{ tracking_url }}`,
    'Your order {{ order_number }} has shipped',
    [
      DEAR,
      '',
      `${ORDER_CAP}{% if item_titles %} ({{ item_titles }}){% endif %} is on its way.`,
      '{% if carrier %}Carrier: {{ carrier }}\n{% endif %}{% if tracking_number %}Tracking number: {{ tracking_number }}\n{% endif %}{% if tracking_url %}Track it: {{ tracking_url }}{% endif %}',
      '',
      "We'll keep an eye on it until it reaches you.",
    ],
  ),
  en(
    'parcel_update',
    undefined,
    `${SIGN}${HI}Your parcel {% if parcel_location %}is now at {{ parcel_location | clip: 40 }}{% else %}is on its way{% endif %}{% if parcel_status %} ({{ parcel_status | clip: 40 }}){% endif %}. We're keeping an eye on it. {{ tracking_url }}`,
    'Your parcel today: {{ parcel_location | default: "on its way" }}',
    [
      DEAR,
      '',
      'Your parcel {% if parcel_location %}is now at {{ parcel_location }}{% else %}is on its way{% endif %}.{% if parcel_status %}\nLatest status: {{ parcel_status }}{% endif %}',
      `{% if tracking_number %}${PARCEL}\n{% endif %}{% if tracking_url %}Track it: {{ tracking_url }}{% endif %}`,
      '',
      "We'll tell you how it's getting on each day, so you don't have to check.",
    ],
  ),
  en(
    'out_for_delivery',
    undefined,
    `${SIGN}${HI}Your parcel is out for delivery and should arrive today. ${PARCEL} {{ tracking_url }}`,
    'Arriving today',
    [DEAR, '', 'Your parcel is out for delivery and should arrive today.', `{% if tracking_number %}${PARCEL}\n{% endif %}{% if tracking_url %}Track it: {{ tracking_url }}{% endif %}`],
  ),
  en(
    'delivered',
    undefined,
    `${SIGN}${HI}Your parcel has been delivered. We hope you love it! If it didn't reach you or anything's wrong, ${CONTACT}.`,
    'Delivered: we hope you love it',
    [DEAR, '', `${ORDER_CAP} has been delivered. We hope you love it!`, `If it didn't reach you, or anything isn't right, ${CONTACT_EMAIL} and we'll sort it out.`],
  ),
  en(
    'shipment_delay',
    undefined,
    `${SIGN}${HI}We noticed your parcel{% if tracking_number %} ({{ carrier | default: 'tracking' }} {{ tracking_number }}){% endif %} hasn't moved for a while. We're already on it with {{ carrier | default: 'the carrier' }} and will update you as soon as we hear back.`,
    "We're looking after your parcel",
    [
      DEAR,
      '',
      `We noticed ${ORDER} hasn't moved for a while, so we're already chasing {{ carrier | default: 'the carrier' }}. There's nothing you need to do; we'll update you as soon as we hear back. Sorry for the wait.`,
      `{% if tracking_number %}\n${PARCEL}{% endif %}{% if tracking_url %}\nTrack it: {{ tracking_url }}{% endif %}`,
    ],
  ),
  en(
    'ticket_reply',
    undefined,
    `${SIGN}${HI}We've replied to your request{% if order_number %} about order {{ order_number }}{% endif %}. {% if reply_hint %}If anything's still unclear, {{ reply_hint }}.{% else %}Please check your email.{% endif %}`,
    "We've replied to your request{% if order_number %} about order {{ order_number }}{% endif %}",
    [DEAR, '', `We've replied to your request{% if order_number %} about order {{ order_number }}{% endif %}.`, `If anything is still unclear, ${CONTACT_EMAIL}; the same person will stay with it until it's solved.`],
  ),

  // Care: about using what was bought, never selling. Each SMS ends with how to opt out.
  en(
    'delivery_care',
    undefined,
    `${SIGN}${HI}Settling in with {{ item_titles | clip: 30 | default: 'your order' }}? {% if usage_tips %}A tip: {{ usage_tips | clip: 120 | sentence }}{% else %}If anything's unclear, we're here to help.{% endif %}${STOP}`,
    'Getting the most from {{ item_titles | default: "your order" }}',
    [DEAR, '', "We hope you're enjoying {{ item_titles | default: 'your order' }}.", '{% if usage_tips %}\nA few tips:\n{{ usage_tips }}\n{% endif %}', `If anything's unclear, ${CONTACT_EMAIL}.`],
  ),
  en(
    'check_in',
    undefined,
    `${SIGN}${HI}{% if check_in_day %}{{ check_in_day }} days with {{ product_title | clip: 30 | default: 'your order' }}{% else %}A quick check on ${PRODUCT}{% endif %}: how is it going? Reply 1-5 (5 = love it). If anything's off, we'll fix it.${STOP}`,
    'How is {{ product_title | default: "your order" }} going?',
    [
      DEAR,
      '',
      `{% if check_in_day %}It's been {{ check_in_day }} days with {{ product_title | default: 'your order' }}{% else %}A quick check on {{ product_title | default: 'your order' }}{% endif %}: how is it going?`,
      "Reply with a number from 1 to 5 (5 = love it). If anything isn't right, we'll fix it.",
    ],
  ),
  en(
    'review_request',
    undefined,
    `${SIGN}${HI}We hope ${PRODUCT} is treating you well. Would you share an honest word for other shoppers? {{ review_url }}${STOP}`,
    'How is {{ product_title | default: "your order" }} working out?',
    [DEAR, '', "We hope {{ product_title | default: 'your order' }} is treating you well.", 'Would you share an honest word about it? Good or bad, it helps other shoppers choose and helps us do better.', '{% if review_url %}\n{{ review_url }}{% endif %}'],
  ),
  en(
    'active_window_touch',
    undefined,
    `${SIGN}${HI}Just checking in: is ${PRODUCT} working well for you? If you need anything, we're here.${STOP}`,
    'Just checking in',
    [DEAR, '', "Just checking in: is {{ product_title | default: 'your order' }} working well for you?", `If you need anything, ${CONTACT_EMAIL}. We're here.`],
  ),

  // Marketing: only to customers who agreed to it, and only when it is useful to them.
  en(
    'repurchase_reminder',
    'price_sensitive',
    `${SIGN}${HI}Running low{% if product_title %} on {{ product_title | clip: 30 }}{% endif %}? {% if campaign_text %}{{ campaign_text | clip: 80 | sentence }} {% endif %}{% if repurchase_url %}Restock here: {{ repurchase_url }}{% else %}Restock whenever suits you.{% endif %}${STOP}`,
    'Running low on {{ product_title | default: "your favourites" }}?',
    [DEAR, '', "By our count you may be running low on {{ product_title | default: 'your order' }}.", '{% if campaign_text %}{{ campaign_text | sentence }}{% else %}You can restock any time, no need to wait until it runs out.{% endif %}', '{% if repurchase_url %}\n{{ repurchase_url }}{% endif %}'],
  ),
  en(
    'repurchase_reminder',
    'experience',
    `${SIGN}${HI}Running low{% if product_title %} on {{ product_title | clip: 30 }}{% endif %}? Restock the same one before it runs out and keep your routine going{% if repurchase_url %}: {{ repurchase_url }}{% else %}.{% endif %}${STOP}`,
    'Running low on {{ product_title | default: "your favourites" }}?',
    [DEAR, '', "By our count you may be running low on {{ product_title | default: 'your order' }}.", 'Restock the same one before it runs out and keep your routine going.', '{% if repurchase_url %}\n{{ repurchase_url }}{% endif %}'],
  ),
  en(
    'repurchase_reminder',
    undefined,
    `${SIGN}${HI}Running low{% if product_title %} on {{ product_title | clip: 30 }}{% endif %}? Restock whenever suits you{% if repurchase_url %}: {{ repurchase_url }}{% else %}.{% endif %}${STOP}`,
    'Running low on {{ product_title | default: "your favourites" }}?',
    [DEAR, '', "By our count you may be running low on {{ product_title | default: 'your order' }}. Restock whenever suits you.", '{% if repurchase_url %}\n{{ repurchase_url }}{% endif %}'],
  ),
  en('campaign', undefined, `${SIGN}${HI}{{ campaign_text | sentence }}${STOP}`, '{% if campaign_text %}{{ campaign_text | clip: 60 }}{% else %}News from {{ shop_name }}{% endif %}', [DEAR, '', '{{ campaign_text | sentence }}']),
];
