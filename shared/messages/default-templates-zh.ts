import type { MessageKind } from './kinds.ts';
import type { TemplateSource } from './templates.ts';

/**
 * Careline's zh-CN templates (variables: see default-templates.ts). Every SMS opens with the
 * 【店铺名】 signature Chinese carriers require and stays within two 67-character segments with
 * ordinary values; care and marketing SMS close with the opt-out instruction.
 */

const SIGN = '{% if shop_name %}【{{ shop_name }}】{% endif %}';
const HI = '{% if customer_name %}{{ customer_name }}，{% endif %}';
const DEAR = '{% if customer_name %}{{ customer_name }}{% endif %}您好：';
const ITEMS = '{% if item_titles %}{{ item_titles | clip: 12 }}{% else %}宝贝{% endif %}';
const PRODUCT = '{% if product_title %}{{ product_title | clip: 12 }}{% else %}宝贝{% endif %}';
const ORDER = '{% if order_number %}（订单{{ order_number }}）{% endif %}';
const PARCEL = '{% if carrier or tracking_number %}{{ carrier }}{% if tracking_number %}单号{{ tracking_number }}{% endif %}{% endif %}';
// reply_hint says how to answer an SMS (直接回复本短信); an email never borrows it.
const CONTACT = '{% if reply_hint %}{{ reply_hint }}{% else %}随时联系我们{% endif %}';
const CONTACT_EMAIL = '随时联系我们';
const STOP = ' {{ unsubscribe_hint }}';
const SIGN_OFF = '\n\n{{ shop_name }}';

const zh = (kind: MessageKind, variant: string | undefined, sms: string, emailSubject: string, emailBody: string[]): TemplateSource => ({
  kind,
  locale: 'zh-CN',
  ...(variant ? { variant } : {}),
  sms,
  emailSubject,
  emailBody: emailBody.join('\n') + SIGN_OFF,
});

export const ZH_CN_TEMPLATES: TemplateSource[] = [
  // Payment reminders: to a first-time buyer, what paying now gets them (今天付款今天发货), and the
  // cut-off only when it can still be made; to a returning customer, thanks and priority.
  zh(
    'payment_reminder',
    'new',
    `${SIGN}${HI}您拍下的${ITEMS}还未付款{% if cutoff_time %}，{{ cutoff_time }}前付款，今天就发货{% else %}，付款后我们马上为您打包发货{% endif %}。{% if pay_url %}付款：{{ pay_url }}{% endif %}`,
    '您的订单{{ order_number }}还差一步：完成付款',
    [
      DEAR,
      '',
      `您拍下的{{ item_titles | default: '宝贝' }}${ORDER}还未付款{% if order_total %}，应付{{ order_total }}{% endif %}。`,
      '{% if cutoff_time %}{{ cutoff_time }}前付款，今天就能发货。{% else %}付款后我们马上为您打包发货。{% endif %}',
      '{% if pay_url %}\n付款链接：{{ pay_url }}{% endif %}',
    ],
  ),
  zh(
    'payment_reminder',
    'returning',
    `${SIGN}${HI}谢谢您又一次选择我们！您拍下的${ITEMS}还未付款，付款后我们优先为您打包{% if cutoff_time %}，{{ cutoff_time }}前付款当天发出{% endif %}。{% if pay_url %}付款：{{ pay_url }}{% endif %}`,
    '谢谢您又一次选择我们：订单{{ order_number }}为您保留中',
    [
      DEAR,
      '',
      '谢谢您又一次选择我们！',
      `您拍下的{{ item_titles | default: '宝贝' }}${ORDER}还未付款{% if order_total %}，应付{{ order_total }}{% endif %}。作为老朋友，付款后我们会优先为您打包发货{% if cutoff_time %}，{{ cutoff_time }}前付款当天就能发出{% endif %}。`,
      '{% if pay_url %}\n付款链接：{{ pay_url }}{% endif %}',
    ],
  ),
  zh(
    'payment_reminder',
    undefined,
    `${SIGN}${HI}您拍下的${ITEMS}还未付款{% if cutoff_time %}，{{ cutoff_time }}前付款今天就能发货{% endif %}。{% if pay_url %}付款：{{ pay_url }}{% endif %}`,
    '您的订单{{ order_number }}还未付款',
    [
      DEAR,
      '',
      `您拍下的{{ item_titles | default: '宝贝' }}${ORDER}还未付款{% if order_total %}，应付{{ order_total }}{% endif %}。{% if cutoff_time %}{{ cutoff_time }}前付款，今天就能发货。{% endif %}`,
      '{% if pay_url %}\n付款链接：{{ pay_url }}{% endif %}',
    ],
  ),
  zh(
    'payment_last_chance',
    undefined,
    `${SIGN}${HI}您拍下的${ITEMS}快要因超时未付款自动关闭了，如果还需要，记得尽快付款哦。{% if pay_url %}付款：{{ pay_url }}{% endif %}`,
    '订单{{ order_number }}即将关闭',
    [
      DEAR,
      '',
      `您拍下的{{ item_titles | default: '宝贝' }}${ORDER}快要因超时未付款自动关闭了。如果还需要，记得尽快付款；如果有什么顾虑，也欢迎告诉我们。`,
      '{% if pay_url %}\n付款链接：{{ pay_url }}{% endif %}',
    ],
  ),

  // Shipping and the parcel's way: what the customer would otherwise look up themselves.
  zh(
    'order_shipped',
    undefined,
    `${SIGN}${HI}您的${ITEMS}已经发货啦{% if carrier or tracking_number %}，${PARCEL}{% endif %}。{% if tracking_url %}查看物流：{{ tracking_url }}{% endif %}`,
    '您的订单{{ order_number }}已发货',
    [
      DEAR,
      '',
      `您的{{ item_titles | default: '宝贝' }}${ORDER}已经发货啦。`,
      '{% if carrier %}快递公司：{{ carrier }}\n{% endif %}{% if tracking_number %}快递单号：{{ tracking_number }}\n{% endif %}{% if tracking_url %}查看物流：{{ tracking_url }}{% endif %}',
      '',
      '路上有任何情况，我们都会帮您盯着。',
    ],
  ),
  zh(
    'parcel_update',
    undefined,
    `${SIGN}${HI}您的包裹{% if parcel_location %}现在到{{ parcel_location | clip: 16 }}了{% else %}正在路上{% endif %}{% if parcel_status %}（{{ parcel_status | clip: 20 }}）{% endif %}，我们一直帮您盯着。{% if tracking_url %}物流：{{ tracking_url }}{% elsif tracking_number %}${PARCEL}{% endif %}`,
    '包裹最新位置：{{ parcel_location | default: "运输途中" }}',
    [
      DEAR,
      '',
      '您的包裹{% if parcel_location %}现在到{{ parcel_location }}了{% else %}正在路上{% endif %}。{% if parcel_status %}\n最新状态：{{ parcel_status }}{% endif %}',
      `{% if tracking_number %}${PARCEL}\n{% endif %}{% if tracking_url %}查看物流：{{ tracking_url }}{% endif %}`,
      '',
      '每天的进展我们都会告诉您，不用自己查。',
    ],
  ),
  zh(
    'out_for_delivery',
    undefined,
    `${SIGN}${HI}您的包裹今天派送，快递员正在路上，请留意电话。{% if tracking_number %}${PARCEL}{% endif %}`,
    '您的包裹今天派送',
    [DEAR, '', '您的包裹今天派送，快递员正在路上，请留意电话。', `{% if tracking_number %}${PARCEL}\n{% endif %}{% if tracking_url %}查看物流：{{ tracking_url }}{% endif %}`],
  ),
  zh(
    'delivered',
    undefined,
    `${SIGN}${HI}您的包裹已签收，希望您喜欢！如果不是本人签收或有任何问题，${CONTACT}。`,
    '您的包裹已签收',
    [DEAR, '', `您的包裹${ORDER}已签收，希望您喜欢！`, `如果不是本人签收，或者有任何问题，${CONTACT_EMAIL}，我们马上处理。`],
  ),
  zh(
    'shipment_delay',
    undefined,
    `${SIGN}${HI}我们注意到您的包裹{% if tracking_number %}（${PARCEL}）{% endif %}暂时没有新的物流动态，已经在联系{{ carrier | default: '快递' }}跟进，有进展第一时间告诉您，让您久等了。`,
    '我们正在跟进您的包裹',
    [
      DEAR,
      '',
      `我们注意到您的包裹${ORDER}暂时没有新的物流动态，已经在联系{{ carrier | default: '快递公司' }}跟进。`,
      '有进展我们会第一时间告诉您，不需要您自己催。让您久等了，非常抱歉。',
      `{% if tracking_number %}\n${PARCEL}{% endif %}{% if tracking_url %}\n查看物流：{{ tracking_url }}{% endif %}`,
    ],
  ),
  zh(
    'ticket_reply',
    undefined,
    `${SIGN}${HI}您反馈的问题${ORDER}我们已经回复了，请留意查看。{% if reply_hint %}还有疑问的话，{{ reply_hint }}。{% endif %}`,
    '您反馈的问题我们已回复{% if order_number %}（订单{{ order_number }}）{% endif %}',
    [DEAR, '', `您反馈的问题${ORDER}我们已经回复了。`, `还有疑问的话，${CONTACT_EMAIL}，同一位客服会继续跟进到底。`],
  ),

  // Care: about using what was bought, never selling. Each ends with how to opt out.
  zh(
    'delivery_care',
    undefined,
    `${SIGN}${HI}${ITEMS}收到了吗？{% if usage_tips %}使用小贴士：{{ usage_tips | clip: 50 | sentence }}{% else %}使用中有任何疑问，${CONTACT}。{% endif %}${STOP}`,
    '{{ item_titles | default: "宝贝" }}的使用小贴士',
    [DEAR, '', `{{ item_titles | default: '宝贝' }}收到了吗？希望您喜欢。`, '{% if usage_tips %}\n整理了几个使用小贴士：\n{{ usage_tips }}\n{% endif %}', `使用中有任何疑问，${CONTACT_EMAIL}。`],
  ),
  zh(
    'check_in',
    undefined,
    `${SIGN}${HI}${PRODUCT}{% if check_in_day %}用了{{ check_in_day }}天{% else %}用了一段时间{% endif %}，感觉怎么样？回复数字1-5告诉我们（5为很满意），有不满意的地方我们马上帮您解决。${STOP}`,
    '{{ product_title | default: "宝贝" }}用得还好吗？',
    [
      DEAR,
      '',
      `{{ product_title | default: '宝贝' }}{% if check_in_day %}用了{{ check_in_day }}天{% else %}用了一段时间{% endif %}，感觉怎么样？`,
      '回复一个数字1-5告诉我们（5为很满意）。有任何不满意的地方，我们马上帮您解决。',
    ],
  ),
  zh(
    'review_request',
    undefined,
    `${SIGN}${HI}希望${PRODUCT}没有让您失望。方便的话，说说您的真实感受，帮更多人做选择{% if review_url %}：{{ review_url }}{% else %}。{% endif %}${STOP}`,
    '说说您对{{ product_title | default: "宝贝" }}的感受',
    [DEAR, '', `希望{{ product_title | default: '宝贝' }}没有让您失望。`, '方便的话，说说您的真实感受，好的坏的都欢迎，能帮更多人做选择，也帮我们做得更好。', '{% if review_url %}\n{{ review_url }}{% endif %}'],
  ),
  zh(
    'active_window_touch',
    undefined,
    `${SIGN}${HI}好久不见，最近还好吗？${PRODUCT}用得顺手吗？有任何需要，${CONTACT}。${STOP}`,
    '最近还好吗？',
    [DEAR, '', `好久不见，最近还好吗？{{ product_title | default: '宝贝' }}用得顺手吗？`, `有任何需要，${CONTACT_EMAIL}，我们一直都在。`],
  ),

  // Marketing: only to customers who agreed to it, and only when it is useful to them.
  zh(
    'repurchase_reminder',
    'price_sensitive',
    `${SIGN}${HI}算算日子，${PRODUCT}快用完了吧？{% if campaign_text %}{{ campaign_text | clip: 24 }}，现在补货更划算{% else %}需要的话可以提前补货{% endif %}{% if repurchase_url %}：{{ repurchase_url }}{% else %}。{% endif %}${STOP}`,
    '{{ product_title | default: "宝贝" }}快用完了吧？',
    [DEAR, '', `算算日子，{{ product_title | default: '宝贝' }}快用完了吧？`, '{% if campaign_text %}{{ campaign_text }}，现在补货更划算。{% else %}需要的话可以提前补货，不用等到用完。{% endif %}', '{% if repurchase_url %}\n{{ repurchase_url }}{% endif %}'],
  ),
  zh(
    'repurchase_reminder',
    'experience',
    `${SIGN}${HI}算算日子，${PRODUCT}快用完了吧？为了不打断您的使用，可以提前补上同一款{% if repurchase_url %}：{{ repurchase_url }}{% else %}。{% endif %}${STOP}`,
    '{{ product_title | default: "宝贝" }}快用完了吧？',
    [DEAR, '', `算算日子，{{ product_title | default: '宝贝' }}快用完了吧？`, '为了不打断您的使用，可以提前补上同一款，还是您熟悉的那一款。', '{% if repurchase_url %}\n{{ repurchase_url }}{% endif %}'],
  ),
  zh(
    'repurchase_reminder',
    undefined,
    `${SIGN}${HI}算算日子，${PRODUCT}快用完了吧？需要的话可以提前补货{% if repurchase_url %}：{{ repurchase_url }}{% else %}。{% endif %}${STOP}`,
    '{{ product_title | default: "宝贝" }}快用完了吧？',
    [DEAR, '', `算算日子，{{ product_title | default: '宝贝' }}快用完了吧？需要的话可以提前补货。`, '{% if repurchase_url %}\n{{ repurchase_url }}{% endif %}'],
  ),
  zh('campaign', undefined, `${SIGN}${HI}{{ campaign_text | sentence }}${STOP}`, '{% if campaign_text %}{{ shop_name }}：{{ campaign_text | clip: 20 }}{% else %}{{ shop_name }}的新消息{% endif %}', [DEAR, '', '{{ campaign_text | sentence }}']),
];
