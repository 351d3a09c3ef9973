import type { TemplateSource } from './templates.ts';

/**
 * Careline's own templates, per kind × locale (× variant). Liquid, as Shopify merchants write it.
 * Variables (all strings, preformatted; any may be empty): shop_name, customer_name,
 * order_number, order_total, item_titles, pay_url, cutoff_time, carrier, tracking_number,
 * tracking_url, parcel_location, parcel_status, usage_tips, product_title, check_in_day,
 * reply_hint, review_url, repurchase_url, unsubscribe_hint, campaign_text.
 * Chinese SMS start with the 【shop】 signature, as carriers there require; care and marketing
 * SMS end with how to opt out.
 */
const inLocale =
  (locale: TemplateSource['locale']) =>
  (kind: TemplateSource['kind'], sms: string, emailSubject: string, emailBody: string, variant?: string): TemplateSource => ({
    kind,
    locale,
    ...(variant ? { variant } : {}),
    sms,
    emailSubject,
    emailBody,
  });
const zh = inLocale('zh-CN');
const en = inLocale('en');

const hi = {
  zh: '{% if customer_name %}{{ customer_name }}，{% endif %}',
  en: '{% if customer_name %}Hi {{ customer_name }}, {% else %}Hi, {% endif %}',
};
const stopZh = '{% if unsubscribe_hint %} {{ unsubscribe_hint }}{% else %} 回TD退订{% endif %}';
const stopEn = '{% if unsubscribe_hint %} {{ unsubscribe_hint }}{% else %} Reply STOP to opt out.{% endif %}';

export const DEFAULT_TEMPLATES: TemplateSource[] = [
  zh('payment_reminder', `【{{ shop_name }}】${hi.zh}您的订单{{ order_number }}还未付款。{% if cutoff_time %}{{ cutoff_time }}前付款，今天就发货{% else %}现在付款，我们马上为您安排发货{% endif %}。{% if pay_url %}付款：{{ pay_url }}{% endif %}`, '订单{{ order_number }}待付款', `${hi.zh}您的订单{{ order_number }}（{{ order_total }}）还未付款。{% if cutoff_time %}{{ cutoff_time }}前付款，今天就发货。{% endif %}\n{{ pay_url }}`, 'new'),
  zh('payment_reminder', `【{{ shop_name }}】${hi.zh}感谢您一直以来的支持！订单{{ order_number }}还在等您付款，付款后我们优先为您打包{% if cutoff_time %}，{{ cutoff_time }}前付款当天发出{% endif %}。{% if pay_url %}{{ pay_url }}{% endif %}`, '订单{{ order_number }}为您保留中', `${hi.zh}感谢您一直以来的支持！订单{{ order_number }}（{{ order_total }}）还在等您付款，付款后我们优先为您打包发货。\n{{ pay_url }}`, 'returning'),
  zh('payment_reminder', `【{{ shop_name }}】${hi.zh}您的订单{{ order_number }}还未付款{% if cutoff_time %}，{{ cutoff_time }}前付款今天发货{% endif %}。{% if pay_url %}{{ pay_url }}{% endif %}`, '订单{{ order_number }}待付款', `${hi.zh}您的订单{{ order_number }}还未付款。\n{{ pay_url }}`),
  zh('payment_last_chance', `【{{ shop_name }}】${hi.zh}订单{{ order_number }}即将自动关闭，如仍需要请尽快付款。{% if pay_url %}{{ pay_url }}{% endif %}`, '订单{{ order_number }}即将关闭', `${hi.zh}订单{{ order_number }}即将自动关闭，如仍需要请尽快付款。\n{{ pay_url }}`),
  zh('order_shipped', `【{{ shop_name }}】${hi.zh}您的订单{{ order_number }}已发货，{{ carrier }}单号{{ tracking_number }}。{% if tracking_url %}查看物流：{{ tracking_url }}{% endif %}`, '订单{{ order_number }}已发货', `${hi.zh}您的订单{{ order_number }}已发货。\n快递：{{ carrier }} {{ tracking_number }}\n{{ tracking_url }}`),
  zh('parcel_update', `【{{ shop_name }}】${hi.zh}您的包裹{% if parcel_location %}已到{{ parcel_location }}{% endif %}{% if parcel_status %}，{{ parcel_status }}{% endif %}。{{ carrier }} {{ tracking_number }}`, '包裹最新动态', `${hi.zh}您的包裹{% if parcel_location %}已到{{ parcel_location }}{% endif %}。{{ parcel_status }}\n{{ tracking_url }}`),
  zh('out_for_delivery', `【{{ shop_name }}】${hi.zh}您的包裹正在派送中，今天就能收到，请留意电话。`, '包裹派送中', `${hi.zh}您的包裹正在派送中，今天就能收到。`),
  zh('delivered', `【{{ shop_name }}】${hi.zh}您的包裹已签收，希望您喜欢！有任何问题直接回复我们。`, '包裹已签收', `${hi.zh}您的包裹已签收，希望您喜欢！有任何问题请直接回复这封邮件。`),
  zh('shipment_delay', `【{{ shop_name }}】${hi.zh}我们注意到您的包裹{{ tracking_number }}暂时没有更新，已在联系{{ carrier }}跟进，有消息第一时间告诉您，请放心。`, '我们正在跟进您的包裹', `${hi.zh}我们注意到您的包裹{{ tracking_number }}暂时没有物流更新，已联系{{ carrier }}跟进，有消息第一时间告诉您。`),
  zh('ticket_reply', `【{{ shop_name }}】${hi.zh}您的问题我们已回复，请查看邮件或回复本短信。`, '我们已回复您的问题', `${hi.zh}我们已回复您的问题。`),
  zh('delivery_care', `【{{ shop_name }}】${hi.zh}收到宝贝了吗？使用小贴士：{{ usage_tips }}${stopZh}`, '使用小贴士', `${hi.zh}希望您喜欢这次的宝贝。\n使用小贴士：{{ usage_tips }}`),
  zh('check_in', `【{{ shop_name }}】${hi.zh}{{ product_title }}用了{{ check_in_day }}天，感觉怎么样？回复1-5打分（5分最满意）。${stopZh}`, '{{ product_title }}用得还好吗？', `${hi.zh}{{ product_title }}用了{{ check_in_day }}天，感觉怎么样？回复1-5打分（5分最满意）。`),
  zh('review_request', `【{{ shop_name }}】${hi.zh}您的评价对我们很重要，欢迎分享使用感受：{{ review_url }}${stopZh}`, '说说您的使用感受', `${hi.zh}您的评价对我们很重要，欢迎分享使用感受：{{ review_url }}`),
  zh('active_window_touch', `【{{ shop_name }}】${hi.zh}最近还好吗？之前的宝贝用得顺手吗？有任何需要随时找我们。${stopZh}`, '最近还好吗？', `${hi.zh}最近还好吗？之前的宝贝用得顺手吗？有任何需要随时找我们。`),
  zh('repurchase_reminder', `【{{ shop_name }}】${hi.zh}您的{{ product_title }}快用完了吧？老客回购享优惠：{{ repurchase_url }}${stopZh}`, '{{ product_title }}该补货啦', `${hi.zh}您的{{ product_title }}快用完了吧？老客回购享优惠。\n{{ repurchase_url }}`, 'price_sensitive'),
  zh('repurchase_reminder', `【{{ shop_name }}】${hi.zh}{{ product_title }}快用完了吧？为您留好了同款，一键续上：{{ repurchase_url }}${stopZh}`, '{{ product_title }}该补货啦', `${hi.zh}{{ product_title }}快用完了吧？为您留好了同款。\n{{ repurchase_url }}`, 'experience'),
  zh('repurchase_reminder', `【{{ shop_name }}】${hi.zh}您的{{ product_title }}快用完了吧？{{ repurchase_url }}${stopZh}`, '{{ product_title }}该补货啦', `${hi.zh}您的{{ product_title }}快用完了吧？\n{{ repurchase_url }}`),
  zh('campaign', `【{{ shop_name }}】{{ campaign_text }}${stopZh}`, '{{ shop_name }}的新消息', `{{ campaign_text }}`),

  en('payment_reminder', `{{ shop_name }}: ${hi.en}your order {{ order_number }} is waiting for payment. {% if cutoff_time %}Pay before {{ cutoff_time }} and it ships today.{% else %}Pay now and we ship it right away.{% endif %} {{ pay_url }}`, 'Your order {{ order_number }} is waiting for payment', `${hi.en}\nyour order {{ order_number }} ({{ order_total }}) is waiting for payment.{% if cutoff_time %} Pay before {{ cutoff_time }} and it ships today.{% endif %}\n{{ pay_url }}`, 'new'),
  en('payment_reminder', `{{ shop_name }}: ${hi.en}thanks for coming back! Order {{ order_number }} is reserved for you; once paid we pack it first.{% if cutoff_time %} Pay before {{ cutoff_time }} to ship today.{% endif %} {{ pay_url }}`, 'We are holding order {{ order_number }} for you', `${hi.en}\nthanks for coming back! Order {{ order_number }} ({{ order_total }}) is reserved for you; once paid we pack it first.\n{{ pay_url }}`, 'returning'),
  en('payment_reminder', `{{ shop_name }}: ${hi.en}order {{ order_number }} is waiting for payment.{% if cutoff_time %} Pay before {{ cutoff_time }} to ship today.{% endif %} {{ pay_url }}`, 'Order {{ order_number }} is waiting for payment', `${hi.en}\norder {{ order_number }} is waiting for payment.\n{{ pay_url }}`),
  en('payment_last_chance', `{{ shop_name }}: ${hi.en}order {{ order_number }} will close soon. If you still want it, please pay now. {{ pay_url }}`, 'Order {{ order_number }} closes soon', `${hi.en}\norder {{ order_number }} will close soon. If you still want it, please pay now.\n{{ pay_url }}`),
  en('order_shipped', `{{ shop_name }}: ${hi.en}order {{ order_number }} is on its way with {{ carrier }}, tracking {{ tracking_number }}. {{ tracking_url }}`, 'Order {{ order_number }} has shipped', `${hi.en}\norder {{ order_number }} is on its way.\n{{ carrier }} {{ tracking_number }}\n{{ tracking_url }}`),
  en('parcel_update', `{{ shop_name }}: ${hi.en}your parcel{% if parcel_location %} is in {{ parcel_location }}{% endif %}{% if parcel_status %}: {{ parcel_status }}{% endif %}. {{ tracking_url }}`, 'Where your parcel is', `${hi.en}\nyour parcel{% if parcel_location %} is in {{ parcel_location }}{% endif %}. {{ parcel_status }}\n{{ tracking_url }}`),
  en('out_for_delivery', `{{ shop_name }}: ${hi.en}your parcel is out for delivery and arrives today.`, 'Out for delivery today', `${hi.en}\nyour parcel is out for delivery and arrives today.`),
  en('delivered', `{{ shop_name }}: ${hi.en}your parcel was delivered. We hope you love it! Just reply if anything is wrong.`, 'Delivered', `${hi.en}\nyour parcel was delivered. We hope you love it! Just reply if anything is wrong.`),
  en('shipment_delay', `{{ shop_name }}: ${hi.en}we noticed your parcel {{ tracking_number }} has not moved for a while. We are on it with {{ carrier }} and will update you.`, 'We are looking after your parcel', `${hi.en}\nwe noticed your parcel {{ tracking_number }} has not moved for a while. We are on it with {{ carrier }} and will update you as soon as we hear back.`),
  en('ticket_reply', `{{ shop_name }}: ${hi.en}we replied to your request. Check your email or reply here.`, 'We replied to your request', `${hi.en}\nwe replied to your request.`),
  en('delivery_care', `{{ shop_name }}: ${hi.en}enjoying your order? A tip: {{ usage_tips }}${stopEn}`, 'Getting the most from your order', `${hi.en}\nwe hope you enjoy your order. A tip: {{ usage_tips }}`),
  en('check_in', `{{ shop_name }}: ${hi.en}{{ check_in_day }} days with your {{ product_title }}: how is it going? Reply 1-5 (5 = love it).${stopEn}`, 'How is your {{ product_title }}?', `${hi.en}\n{{ check_in_day }} days with your {{ product_title }}: how is it going? Reply 1-5 (5 = love it).`),
  en('review_request', `{{ shop_name }}: ${hi.en}would you share how it went? {{ review_url }}${stopEn}`, 'How did we do?', `${hi.en}\nwould you share how it went? {{ review_url }}`),
  en('active_window_touch', `{{ shop_name }}: ${hi.en}just checking in. Is everything working well for you? We are here if you need anything.${stopEn}`, 'Just checking in', `${hi.en}\njust checking in. Is everything working well for you? We are here if you need anything.`),
  en('repurchase_reminder', `{{ shop_name }}: ${hi.en}running low on {{ product_title }}? Returning customers save on a refill: {{ repurchase_url }}${stopEn}`, 'Time to restock {{ product_title }}?', `${hi.en}\nrunning low on {{ product_title }}? Returning customers save on a refill.\n{{ repurchase_url }}`, 'price_sensitive'),
  en('repurchase_reminder', `{{ shop_name }}: ${hi.en}running low on {{ product_title }}? Keep your routine going: {{ repurchase_url }}${stopEn}`, 'Time to restock {{ product_title }}?', `${hi.en}\nrunning low on {{ product_title }}? Keep your routine going.\n{{ repurchase_url }}`, 'experience'),
  en('repurchase_reminder', `{{ shop_name }}: ${hi.en}running low on {{ product_title }}? {{ repurchase_url }}${stopEn}`, 'Time to restock {{ product_title }}?', `${hi.en}\nrunning low on {{ product_title }}?\n{{ repurchase_url }}`),
  en('campaign', `{{ shop_name }}: {{ campaign_text }}${stopEn}`, 'News from {{ shop_name }}', `{{ campaign_text }}`),
];
