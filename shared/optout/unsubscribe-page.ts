/** Small self-contained pages for the unsubscribe link (no external resources). */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`;
}

/** A GET only shows this; link scanners that prefetch GETs do not unsubscribe anyone. */
export function confirmPage(): string {
  return page('退订 / Unsubscribe', `<h1>退订邮件 / Unsubscribe</h1><p>不再接收这家店铺的营销与关怀邮件？<br>Stop receiving care and marketing emails from this shop?</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">确认退订 / Unsubscribe</button></form>`);
}

export function donePage(): string {
  return page('已退订 / Unsubscribed', '<h1>已退订 / Unsubscribed</h1><p>您不会再收到这类邮件。订单相关的通知（如发货）仍会发送。<br>You will not get these emails any more. Order notices (such as shipping) still arrive.</p>');
}

export function invalidPage(): string {
  return page('链接无效 / Invalid link', '<h1>链接无效 / Invalid link</h1><p>这个退订链接无效或不完整。<br>This unsubscribe link is not valid or is incomplete.</p>');
}
