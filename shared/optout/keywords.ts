/**
 * Replies customers send to an SMS. Only a message that is essentially the keyword counts
 * ("STOP", "stop.", "退订", "TD 谢谢"): "please don't stop" is not an opt-out.
 */
const STOP = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'TD', '退订', '退定', '取消订阅', '不要再发'];
const START = ['START', 'UNSTOP', 'SUBSCRIBE', 'YES', '订阅', '恢复'];
const POLITE = /^(谢谢|thanks|thank you|pls|please)$/i;

function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .trim()
    .replace(/[.!！。,，?？~～]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

export function parseOptOutKeyword(text: string): 'stop' | 'start' | undefined {
  const [first, ...rest] = words(text);
  if (!first || rest.some((word) => !POLITE.test(word))) return undefined;
  const word = first.toUpperCase();
  if (STOP.includes(word)) return 'stop';
  if (START.includes(word)) return 'start';
  return undefined;
}

/** A one-digit check-in reply, 1 to 5 (full-width digits too). */
export function parseSatisfactionReply(text: string): 1 | 2 | 3 | 4 | 5 | undefined {
  const match = /^([1-5])(分)?$/.exec(text.normalize('NFKC').trim());
  return match ? (Number(match[1]) as 1 | 2 | 3 | 4 | 5) : undefined;
}
