/**
 * What a customer's SMS reply means: an opt-out or opt-in keyword, or a 1–5 check-in score.
 *
 * Rule: only a reply that is *essentially* the keyword counts. After normalising (NFKC, so
 * full-width ＳＴＯＰ and ４ read as STOP and 4; lower case; punctuation, symbols, emoji and
 * whitespace collapsed to single spaces and trimmed), the reply must be
 *
 *   [one courtesy word] KEYWORD [the same keyword again…] [up to three courtesy words or
 *   Chinese sentence-final particles (了 啦 吧 呀 啊 哦)]
 *
 * so "STOP", "stop.", "Stop!!", "【退订】", "TD 谢谢", "退订谢谢", "请退订", "please stop",
 * "STOP STOP", "不要再发了" count, while "please don't stop sending", "我不想退订", "stop the delivery"
 * and "退订单" (cancel an order) do not. The courtesy words are a short fixed list; anything
 * else in the reply makes it a conversation, which a person (or a later ticket flow) reads.
 * Between a courtesy word and the keyword the space is optional (Chinese writes none).
 *
 * CANCEL, END and QUIT are carrier-standard opt-out words (CTIA), so a bare "cancel" opts out
 * even though the customer might have meant the order; "cancel my order" is a sentence and
 * does not.
 */

export type OptOutIntent = 'stop' | 'start';

export interface OptOutKeywordMatch {
  intent: OptOutIntent;
  /** The canonical keyword, e.g. `STOP`, `TD`, `退订` — safe to record (never customer text). */
  keyword: string;
}

/** Spellings as they read after normalisation (lower case, single spaces). */
const STOP_WORDS = [
  'stop', 'stopall', 'stop all', 'unsubscribe', 'cancel', 'end', 'quit', 'optout', 'opt out', 'td',
  '退订', '退定', '退訂', '取消订阅', '取消訂閱', '不要再发', '不要再發',
];
const START_WORDS = ['start', 'unstop', 'subscribe', 'yes', '订阅', '訂閱', '恢复', '恢復', '恢复订阅', '恢復訂閱'];
const COURTESY_WORDS = [
  'please', 'pls', 'plz', 'thanks', 'thank you', 'thx',
  '请', '麻烦', '麻烦你', '我要', '帮我', '谢谢', '谢谢你', '谢谢您', '谢了', '多谢', '謝謝',
];

/** Chinese sentence-final particles: "不要再发了", "退订吧" are still just the keyword. */
const PARTICLES = ['了', '啦', '吧', '呀', '啊', '哦'];

const alternation = (words: string[]) =>
  [...words].sort((a, b) => b.length - a.length).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

const courtesy = `(?:${alternation(COURTESY_WORDS)})`;
const ending = `(?:${alternation([...COURTESY_WORDS, ...PARTICLES])})`;
const KEYWORD_REPLY = new RegExp(`^(?:${courtesy} ?)?(${alternation([...STOP_WORDS, ...START_WORDS])})(?: ?\\1)*(?: ?${ending}){0,3}$`, 'u');

/** Punctuation, symbols (emoji included), separators, controls and emoji joiners/variation selectors. */
const NOISE = /[\p{P}\p{S}\p{Z}\p{C}\s\u{FE0E}\u{FE0F}\u{20E3}]+/gu;

/** The reply as the rules above compare it. */
export function normalizeReply(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NOISE, ' ').trim();
}

export function matchOptOutKeyword(text: string): OptOutKeywordMatch | undefined {
  // A keyword reply is short; a long message is a conversation (and not worth a regex run).
  if (text.length > 200) return undefined;
  const word = KEYWORD_REPLY.exec(normalizeReply(text))?.[1];
  if (word === undefined) return undefined;
  return { intent: STOP_WORDS.includes(word) ? 'stop' : 'start', keyword: word.replaceAll(' ', '').toUpperCase() };
}

export function parseOptOutKeyword(text: string): OptOutIntent | undefined {
  return matchOptOutKeyword(text)?.intent;
}

export type SatisfactionScore = 1 | 2 | 3 | 4 | 5;

/**
 * A check-in reply: one digit 1–5 (full-width ５ too), optionally followed by 分 ("5分", the
 * natural Chinese answer) and surrounded by punctuation ("5!", "「4」"). "10", "4.5", "5 stars"
 * and digits inside a sentence are not scores.
 */
export function parseSatisfactionReply(text: string): SatisfactionScore | undefined {
  if (text.length > 20) return undefined;
  const match = /^([1-5]) ?分?$/u.exec(normalizeReply(text));
  return match ? (Number(match[1]) as SatisfactionScore) : undefined;
}
