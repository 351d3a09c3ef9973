/**
 * The pages behind an email's unsubscribe link: small, self-contained (no scripts, fonts,
 * images or stylesheets from anywhere — nothing that could leak the token in a Referer or
 * track the reader), bilingual 中文 + English since a link may reach either audience.
 */

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  'body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:30rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.6}' +
  'h1{font-size:1.4rem}p{margin:.8rem 0}.en{color:#555}button{font-size:1rem;padding:.6rem 1.4rem;cursor:pointer}';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/**
 * A GET of the link shows only this page: mail scanners that prefetch links must not
 * unsubscribe anyone. The button POSTs the same body a mail client's RFC 8058 one-click POST
 * carries, to the page's own URL: the action is relative (`./<token>`, resolved against
 * `…/u/<token>`, whatever the stage or domain prefix), and the `./` keeps any token from being
 * read as a URL scheme.
 */
export function confirmPage({ token }: { token: string }): string {
  const action = `./${encodeURIComponent(token)}`;
  return page(
    '退订邮件 / Unsubscribe',
    `<h1>退订邮件 <span class="en">/ Unsubscribe</span></h1>
<p>确认后，您将不再收到这家店铺客服发送的邮件。</p>
<p class="en">Once you confirm, you will no longer get emails from this shop's customer care.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">确认退订 / Unsubscribe</button>
</form>`,
  );
}

export function donePage(): string {
  return page(
    '已退订 / Unsubscribed',
    `<h1>已退订 <span class="en">/ Unsubscribed</span></h1>
<p>您已退订，不会再收到这家店铺客服发送的邮件。</p>
<p class="en">You are unsubscribed and will no longer get emails from this shop's customer care.</p>`,
  );
}

/** For a link that is not valid; says nothing about why (and never repeats the token). */
export function invalidPage(): string {
  return page(
    '链接无效 / Invalid link',
    `<h1>链接无效 <span class="en">/ Invalid link</span></h1>
<p>这个退订链接无效或不完整。请使用邮件中的完整链接。</p>
<p class="en">This unsubscribe link is not valid or is incomplete. Please use the complete link from the email.</p>`,
  );
}
