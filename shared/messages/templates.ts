import { Liquid, type Template } from 'liquidjs';
import { DEFAULT_TEMPLATES } from './default-templates.ts';
import type { MessageKind } from './kinds.ts';
import { type SmsLength, smsSegments, truncateToSegments } from './segments.ts';

export type TemplateLocale = 'zh-CN' | 'en';

export interface TemplateSource {
  kind: MessageKind;
  locale: TemplateLocale;
  variant?: string;
  sms: string;
  emailSubject: string;
  emailBody: string;
}

export interface RenderRequest {
  kind: MessageKind;
  locale: string;
  variant?: string;
  vars: Record<string, unknown>;
  /** The shop's own templates; they win over Careline's. */
  overrides?: TemplateSource[];
  maxSmsSegments?: number;
}

export interface RenderedMessage {
  kind: MessageKind;
  locale: TemplateLocale;
  variant?: string;
  source: 'shop' | 'default';
  sms: { text: string; truncated: boolean } & SmsLength;
  email: { subject: string; body: string };
}

// Syntax errors are errors; a variable a merchant forgot renders empty. Output is plain text.
const engine = new Liquid({ strictFilters: true, strictVariables: false, outputEscape: undefined });
const parsed = new Map<string, Template[]>();

function parse(source: string): Template[] {
  let templates = parsed.get(source);
  if (!templates) {
    templates = engine.parse(source);
    parsed.set(source, templates);
  }
  return templates;
}

export function validateTemplate(source: string): { ok: true } | { ok: false; error: string } {
  try {
    engine.parse(source);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] ?? 'invalid template' };
  }
}

/** zh, zh-TW, zh-Hans… → zh-CN; anything else → en. */
export function templateLocale(locale: string): TemplateLocale {
  return locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * Finds the template for a kind: the shop's for the exact variant, Careline's for it, then the
 * shop's and Careline's without a variant — in the customer's locale, then in the other one.
 */
export function findTemplate(kind: MessageKind, locale: string, variant: string | undefined, overrides: TemplateSource[] = []) {
  const first = templateLocale(locale);
  const locales: TemplateLocale[] = [first, first === 'zh-CN' ? 'en' : 'zh-CN'];
  for (const loc of locales) {
    for (const v of variant ? [variant, undefined] : [undefined]) {
      const match = (t: TemplateSource) => t.kind === kind && t.locale === loc && t.variant === v;
      const own = overrides.find(match);
      if (own) return { template: own, source: 'shop' as const };
      const builtIn = DEFAULT_TEMPLATES.find(match);
      if (builtIn) return { template: builtIn, source: 'default' as const };
    }
  }
  throw new Error(`no template for message kind ${kind}`);
}

const render = (source: string, vars: Record<string, unknown>) => engine.renderSync(parse(source), vars).replace(/[ \t]+\n/g, '\n').trim();

export function renderMessage(request: RenderRequest): RenderedMessage {
  const { template, source } = findTemplate(request.kind, request.locale, request.variant, request.overrides);
  const full = render(template.sms, request.vars);
  const text = request.maxSmsSegments ? truncateToSegments(full, request.maxSmsSegments) : full;
  return {
    kind: request.kind,
    locale: template.locale,
    ...(template.variant ? { variant: template.variant } : {}),
    source,
    sms: { text, truncated: text !== full, ...smsSegments(text) },
    email: { subject: render(template.emailSubject, request.vars), body: render(template.emailBody, request.vars) },
  };
}
