// `npm run build`, after tsc: the files the built code reads next to itself — the KPI queries (the CLI's
// report and the monthly-report function's bundle) and DynamoDB Local's loopback launcher (simulate,
// npm start). Journeys, templates and schemas are read from the package root and are not copied.
import { cpSync } from 'node:fs';

const root = new URL('../', import.meta.url);
for (const dir of ['analytics/queries', 'local/servers/java']) {
  cpSync(new URL(dir, root), new URL(`dist/${dir}`, root), { recursive: true });
}
