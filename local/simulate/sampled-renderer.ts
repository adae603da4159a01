/**
 * The renderer of a simulation that is not asked for email bodies (`bodies: false`: the benchmark,
 * `journeys backtest`): every send still makes the checks that depend on its data (renderTarget), and
 * each (message, locale) is rendered in full once, with the first send's data, so a template that
 * cannot render fails its sends as it would in AWS. The others carry no content: rendering every
 * email of a year of a shop was a sixth of the simulation's time and nobody reads them.
 */
import {
  createRenderer,
  type EmailRenderer,
  type RenderedEmail,
  renderTarget,
  type TemplateCatalog,
} from '../../functions/email/index.ts';

export function sampledRenderer(catalog: TemplateCatalog): EmailRenderer {
  const full = createRenderer(catalog);
  const sampled = new Map<string, Promise<RenderedEmail>>();
  return {
    async render(req) {
      const { key, locale } = renderTarget(catalog, req);
      const sample = `${key}|${locale}`;
      let rendered = sampled.get(sample);
      if (!rendered) {
        rendered = full.render(req);
        sampled.set(sample, rendered);
      }
      // A sample that failed fails every send of its (message, locale).
      await rendered;
      return { locale, subject: '', preheader: '', html: '', text: '' };
    },
  };
}
