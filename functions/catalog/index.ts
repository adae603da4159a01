export { buildCatalog, CatalogError, writeCatalog } from './build.ts';
export { type Catalog, compiledJourneys, readCatalog } from './catalog.ts';
