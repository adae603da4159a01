/**
 * Email, run-time side: what Lambda handlers import. The build side (`compile.ts`, which pulls in MJML)
 * is imported separately by the CDK app and the local runtime, so bundles stay small.
 */
export { canonicalLocale, localeChain, resolveLocale } from '../core/locale.ts';
export { cleanCustomerText } from './clean.ts';
export { TemplateNotFoundError, TemplateRenderError } from './errors.ts';
export { formatMoney } from './liquid.ts';
export { createRenderer, renderTarget } from './render.ts';
export { renderData, type SendContext, unsubscribeUrl } from './render-data.ts';
export type {
  CatalogMessage,
  EmailRenderer,
  LocaleStrings,
  MessageClass,
  MoneyValue,
  RenderData,
  RenderedEmail,
  RenderRequest,
  TemplateCatalog,
  TemplateError,
} from './types.ts';
