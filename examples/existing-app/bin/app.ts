/**
 * The example's CDK app (cdk.json: `npx tsx bin/app.ts`): reads this folder's journeys/ and templates/
 * (the layout and shared strings come from the package) and adds the journeys to the shop's stack.
 * cdk-nag's AwsSolutions pack checks it at synth, as the repository's own app does.
 */
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CatalogError, loadJourneysCatalog } from 'retention-journeys';
import { ShopStack } from '../lib/shop-stack.ts';

const projectDir = fileURLToPath(new URL('../', import.meta.url));

const catalog = await loadJourneysCatalog({ projectDir, defaultLocale: 'en' }).catch((error: unknown) => {
  // Every problem in the journeys or templates at once, with file and path; no stack trace.
  if (error instanceof CatalogError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
});

const app = new App();
new ShopStack(app, 'PlantShop', {
  catalog,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
