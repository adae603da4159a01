/**
 * The email preview behind `journeys preview` (cli.ts): customers (fixtures.ts), each message's data
 * from running the engine (sample-data.ts; members of the loyalty program: loyalty-sample.ts), rendering and the gallery (render.ts, gallery.ts), the
 * journey in words (words.ts, flow.ts) and finding a message and a locale (messages.ts).
 */
export {
  type CustomerFixture,
  customerCurrency,
  PREVIEW_NOW,
  PREVIEW_PREFERENCES_URL,
  PREVIEW_SECRET,
  parseCustomerFixture,
  readCustomerFixture,
  sampleCustomer,
} from './fixtures.ts';
export { galleryIndexHtml } from './gallery.ts';
export { memberStory, previewProgram } from './loyalty-sample.ts';
export { checkLocale, findMessage, journeyMessages, type LocaleCheck, type MessageRef } from './messages.ts';
export { buildGallery, type Gallery, type GalleryCell, renderOne, writeGallery } from './render.ts';
export {
  PREVIEW_ENGINE,
  previewJourney,
  type SampleSend,
  sampleRenderData,
  sampleSend,
} from './sample-data.ts';
export { conditionWords, durationWords, triggerWords } from './words.ts';
