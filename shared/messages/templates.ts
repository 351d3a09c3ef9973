import { Liquid, type Template } from 'liquidjs';
import { formatMoney } from '../money.ts';
import { DEFAULT_TEMPLATES } from './default-templates.ts';
import { isMessageKind, kindSpec, type MessageKind } from './kinds.ts';
import { graphemes, preferGsm7, type SmsLength, smsSegments, truncateToSegments } from './segments.ts';

export const TEMPLATE_LOCALES = ['zh-CN', 'en'] as const;
export type TemplateLocale = (typeof TEMPLATE_LOCALES)[number];

/** One message kind's words in one locale (and, optionally, for one segment of customers). Liquid. */
export interface TemplateSource {
  kind: MessageKind;
  locale: TemplateLocale;
  /** A segment variant, e.g. `new` / `returning` (payment_reminder), `price_sensitive` / `experience` (repurchase_reminder). */
  variant?: string;
  sms: string;
  emailSubject: string;
  emailBody: string;
}

export interface RenderRequest {
  kind: MessageKind;
  /** The customer's locale as known (`zh`, `zh-TW`, `en-GB`…); mapped to a template locale. */
  locale: string;
  variant?: string;
  /** Preformatted values (see default-templates.ts for the names); a missing one renders empty. */
  vars: Record<string, unknown>;
  /** The shop's own templates; they win over Careline's. */
  overrides?: TemplateSource[];
  /** The shop's cap on SMS segments; a longer SMS is shortened, keeping its closing link and opt-out. */
  maxSmsSegments?: number;
  /** Render the email subject and body as well as the SMS (default); false when no email can be sent. */
  email?: boolean;
}

export interface RenderedMessage {
  kind: MessageKind;
  /** The locale of the template used. */
  locale: TemplateLocale;
  /** The variant of the template used (absent for the kind's general template). */
  variant?: string;
  source: 'shop' | 'default';
  sms: { text: string; truncated: boolean } & SmsLength;
  email: { subject: string; body: string };
  /** Why a shop template that matched was passed over (it failed to parse or render). */
  overrideError?: string;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** What care and marketing SMS end with when the shop gives no `unsubscribe_hint` of its own. */
export const DEFAULT_UNSUBSCRIBE_HINT: Record<TemplateLocale, string> = { 'zh-CN': '回TD退订', en: 'Reply STOP to opt out.' };

/**
 * One engine for Careline's templates and shops' own. Strict where a mistake is the author's
 * (syntax, a misspelt filter: caught when a shop saves its template), lenient where it is the
 * data's (a variable nobody filled in renders empty). Output is plain text: no HTML escaping.
 * Made on first use: building it takes about 10 ms, which a dispatcher run with nothing to send
 * need not spend.
 */
function makeEngine(): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    strictVariables: false,
    // JavaScript truthiness, so that `{% if cutoff_time %}` is false for an empty string (in
    // Shopify's Liquid '' is true, and "Pay before  to ship today" would go out).
    jsTruthy: true,
    ownPropertyOnly: true,
    // Shop templates are untrusted input: no file system behind include/render/layout (also
    // refused at parse time below), and bounds on size, time and memory.
    templates: {},
    parseLimit: 50_000,
    renderLimit: 1_000,
    memoryLimit: 1_000_000,
  });
  for (const tag of ['include', 'render', 'layout']) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not available in message templates`);
      },
      render() {
        return '';
      },
    });
  }
  /** `{{ 43400 | money: 'CNY' }}` → ¥434.00 from minor units; a preformatted string passes through. */
  liquid.registerFilter('money', function money(value: unknown, currency: unknown = 'CNY') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return value ?? '';
    const locale = (this.context.globals as { locale?: string }).locale ?? 'en';
    try {
      return formatMoney(value, String(currency), locale);
    } catch {
      return String(value); // an unknown currency code
    }
  });
  /**
   * `{{ item_titles | clip: 20 }}`: at most 20 characters (a Chinese character or an emoji counts
   * one), the last of them "…" when cut; Latin text is cut between words where it can be.
   */
  liquid.registerFilter('clip', (value: unknown, max: unknown = 20) => clip(value === undefined || value === null ? '' : String(value), Math.max(1, Math.floor(Number(max)) || 20)));
  /** `{{ campaign_text | sentence }}`: ends the text with a full stop ("。" after Chinese) unless it has one. */
  liquid.registerFilter('sentence', (value: unknown) => {
    const text = value === undefined || value === null ? '' : String(value).trim();
    if (!text || /[.!?。！？…)）"'”」]$/u.test(text)) return text;
    return /\p{Script=Han}$/u.test(text) ? `${text}。` : `${text}.`;
  });
  return liquid;
}

let made: Liquid | undefined;
const engine = (): Liquid => (made ??= makeEngine());

function clip(text: string, max: number): string {
  const pieces = graphemes(text);
  if (pieces.length <= max) return text;
  let kept = pieces.slice(0, max - 1).join('');
  const word = /[\p{Script=Latin}\d]/u;
  if (word.test(pieces[max - 2] ?? '') && word.test(pieces[max - 1] ?? '')) {
    const space = kept.lastIndexOf(' ');
    if (space > kept.length / 2) kept = kept.slice(0, space);
  }
  return `${kept.replace(/[\s,，、;；:：]+$/u, '')}…`;
}

// Parsed once per source string. Shops' templates are few, but a bound keeps a long-lived
// process from growing with every edit ever made.
const PARSED_LIMIT = 1_000;
const parsed = new Map<string, Template[] | Error>();

function parse(source: string): Template[] {
  let entry = parsed.get(source);
  if (entry === undefined) {
    try {
      entry = engine().parse(source);
    } catch (error) {
      entry = error instanceof Error ? error : new Error(String(error));
    }
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(source, entry);
  }
  if (entry instanceof Error) throw entry;
  return entry;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'invalid template';
}

/** Checks a shop's template before it is saved: syntax, known filters and tags, and a trial render. */
export function validateTemplate(source: string): { ok: true } | { ok: false; error: string } {
  try {
    engine().renderSync(parse(source), {}, { globals: { locale: 'en' } });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: firstLine(error) };
  }
}

/** zh, zh-CN, zh-TW, zh_Hant… → zh-CN; anything else → en. */
export function templateLocale(locale: string): TemplateLocale {
  return /^zh(?:[-_]|$)/i.test(locale.trim()) ? 'zh-CN' : 'en';
}

interface Candidate {
  template: TemplateSource;
  source: 'shop' | 'default';
}

/**
 * The templates that could speak for a kind, best first: the shop's for the exact variant,
 * Careline's for it, then the shop's and Careline's without a variant — in the customer's locale,
 * then in the other one.
 */
function* candidates(kind: MessageKind, locale: string, variant: string | undefined, overrides: readonly TemplateSource[]): Generator<Candidate> {
  const first = templateLocale(locale);
  const wanted = variant || undefined;
  for (const loc of [first, first === 'zh-CN' ? 'en' : 'zh-CN'] as const) {
    for (const v of wanted ? [wanted, undefined] : [undefined]) {
      const match = (t: TemplateSource) => t.kind === kind && t.locale === loc && (t.variant || undefined) === v;
      const own = overrides.find(match);
      if (own) yield { template: own, source: 'shop' };
      const builtIn = DEFAULT_TEMPLATES.find(match);
      if (builtIn) yield { template: builtIn, source: 'default' };
    }
  }
}

/** The template `renderMessage` would start from (before any fallback past a broken shop template). */
export function findTemplate(kind: MessageKind, locale: string, variant?: string, overrides: readonly TemplateSource[] = []): Candidate {
  const found = candidates(kind, locale, variant, overrides).next();
  if (found.done) throw new TemplateError(`no template for message kind ${kind}`);
  return found.value;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Whitespace an empty variable leaves behind: doubled spaces, blank line ends, runs of blank lines. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function renderPart(source: string, scope: Record<string, unknown>, locale: TemplateLocale): string {
  return tidy(String(engine().renderSync(parse(source), scope, { globals: { locale } })));
}

/** A care or marketing SMS always says how to opt out, whoever wrote it. */
function withOptOut(text: string, hint: string): string {
  if (text.includes(hint) || /退订|\bSTOP\b/.test(text) || /unsubscribe|opt[ -]?out/i.test(text)) return text;
  return `${text} ${hint}`;
}

/** The end of an SMS a cut must spare: its closing link and opt-out instruction. */
function closingTail(text: string, hint: string | undefined): string | undefined {
  const optOut = hint ? `(?:\\s*${hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})?` : '';
  const match = new RegExp(`(?:https?://\\S+)?${optOut}$`, 'u').exec(text);
  return match?.[0].trim() || undefined;
}

/**
 * Renders a message for a customer: pure and synchronous. A shop template that fails (saved
 * before validation, or broken at render time) is passed over for the next in line, so the
 * customer still gets Careline's words; `overrideError` says why.
 */
export function renderMessage(request: RenderRequest & { email?: true }): RenderedMessage;
export function renderMessage(request: RenderRequest): Omit<RenderedMessage, 'email'> & { email?: RenderedMessage['email'] };
export function renderMessage(request: RenderRequest): Omit<RenderedMessage, 'email'> & { email?: RenderedMessage['email'] } {
  if (!isMessageKind(request.kind)) throw new TemplateError(`unknown message kind ${String(request.kind)}`);
  const transactional = kindSpec(request.kind).class === 'transactional';
  let overrideError: string | undefined;
  for (const { template, source } of candidates(request.kind, request.locale, request.variant, request.overrides ?? [])) {
    const hint = stringOrUndefined(request.vars.unsubscribe_hint) ?? DEFAULT_UNSUBSCRIBE_HINT[template.locale];
    const scope = { ...request.vars, unsubscribe_hint: hint };
    let sms: string;
    let email: RenderedMessage['email'] | undefined;
    try {
      sms = renderPart(template.sms, scope, template.locale);
      if (request.email !== false) {
        email = {
          subject: renderPart(template.emailSubject, scope, template.locale).replace(/\s+/g, ' '),
          body: renderPart(template.emailBody, scope, template.locale),
        };
      }
    } catch (error) {
      if (source === 'default') throw new TemplateError(`default template ${request.kind}/${template.locale} failed to render`, { cause: error });
      overrideError ??= `${template.locale}${template.variant ? `/${template.variant}` : ''}: ${firstLine(error)}`;
      continue;
    }
    if (!transactional) sms = withOptOut(sms, hint);
    sms = preferGsm7(sms);
    const text = request.maxSmsSegments ? truncateToSegments(sms, request.maxSmsSegments, { keepTail: closingTail(sms, transactional ? undefined : hint) }) : sms;
    return {
      kind: request.kind,
      locale: template.locale,
      ...(template.variant ? { variant: template.variant } : {}),
      source,
      sms: { text, truncated: text !== sms, ...smsSegments(text) },
      ...(email ? { email } : {}),
      ...(overrideError ? { overrideError } : {}),
    };
  }
  throw new TemplateError(`no template for message kind ${request.kind}`);
}
