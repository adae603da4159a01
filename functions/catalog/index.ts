export { buildCatalog, writeCatalog } from './build.ts';
export { type Catalog, compiledJourneys, readCatalog } from './catalog.ts';
export { CatalogError } from './errors.ts';
