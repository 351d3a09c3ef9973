/** Believable variables for every default template: what a tea shop in Hangzhou would pass in. Used by previews and tests. */
export const SAMPLE_VARS: Readonly<Record<string, string>> = {
  shop_name: '茶韵',
  customer_name: '晓雨',
  order_number: '#1001',
  order_total: '¥434.00',
  item_titles: '西湖龙井、白瓷盖碗',
  pay_url: 'https://shop.example/pay/1001',
  cutoff_time: '16:00',
  carrier: '顺丰速运',
  tracking_number: 'SF1456789012345',
  tracking_url: 'https://shop.example/t/SF1456789012345',
  parcel_location: '杭州转运中心',
  parcel_status: '运输中',
  usage_tips: '90度水温，第一泡10秒出汤',
  product_title: '西湖龙井',
  check_in_day: '3',
  reply_hint: '直接回复本短信',
  review_url: 'https://shop.example/review',
  repurchase_url: 'https://shop.example/buy-again',
  unsubscribe_hint: '回TD退订',
  campaign_text: '双十一老客专享，全场8折',
};

/** The same for a shop in Chicago writing in English. */
export const SAMPLE_VARS_EN: Readonly<Record<string, string>> = {
  ...SAMPLE_VARS,
  shop_name: 'Leaf & Cup',
  customer_name: 'Amy',
  order_total: '$43.40',
  item_titles: 'Dragon Well tea, white gaiwan',
  carrier: 'UPS',
  tracking_number: '1Z999AA10123456784',
  parcel_location: 'Chicago, IL',
  parcel_status: 'In transit',
  usage_tips: 'Brew at 80C and pour the first infusion after 10 seconds.',
  product_title: 'Dragon Well tea',
  reply_hint: 'reply to this text',
  unsubscribe_hint: 'Reply STOP to opt out.',
  campaign_text: 'Our spring harvest is in: 20% off for returning customers this week',
};

/** Sample values for a locale's preview. */
export function sampleVars(locale: string): Readonly<Record<string, string>> {
  return locale === 'en' ? SAMPLE_VARS_EN : SAMPLE_VARS;
}
