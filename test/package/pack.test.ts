/**
 * `npm install retention-journeys`, checked without the registry: `npm pack` (its prepack builds dist/),
 * the tarball unpacked into a fresh project's node_modules as npm would, its bin linked, and only the
 * package's declared dependencies and peer dependencies made available there (symlinks into this
 * repository's node_modules, so nothing is downloaded; a missing declaration fails the import). The
 * project is examples/existing-app with its own development dependencies (tsx, cdk-nag, @types/node).
 * It does what a consumer does: type-checks the app and an import of the construct, its props and the
 * event contract; runs the app as `cdk synth` would, bundling every function from the installed package
 * and checking it with cdk-nag; runs `journeys --version`, `validate` and `simulate` from the installed bin.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = path.join(ROOT, 'examples', 'existing-app');
const run = promisify(execFile);

interface PackedManifest {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

let project: string;
let manifest: PackedManifest;
let files: string[];

beforeAll(async () => {
  const packDir = mkdtempSync(path.join(tmpdir(), 'rj-pack-'));
  await run('npm', ['pack', '--pack-destination', packDir, '--silent'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const tarball = path.join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 64 * 1024 * 1024 });
  files = stdout.split('\n').filter(Boolean);

  // The consumer: a project of its own, with a lock file (NodejsFunction finds the project by it).
  project = mkdtempSync(path.join(tmpdir(), 'rj-consumer-'));
  const modules = path.join(project, 'node_modules');
  mkdirSync(path.join(modules, '.bin'), { recursive: true });
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  writeFileSync(
    path.join(project, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages: {} }),
  );
  const unpacked = mkdtempSync(path.join(tmpdir(), 'rj-unpack-'));
  await run('tar', ['-xzf', tarball, '-C', unpacked]);
  const installed = path.join(modules, 'retention-journeys');
  renameSync(path.join(unpacked, 'package'), installed);
  manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as PackedManifest;
  // The example app's own development dependencies (tsx, cdk-nag, @types/node) are the consumer's too.
  const example = JSON.parse(readFileSync(path.join(EXAMPLE, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const consumerDevDependencies = Object.keys(example.devDependencies).filter(
    (name) => name !== 'typescript',
  );
  for (const name of [
    ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }),
    ...consumerDevDependencies,
  ]) {
    const link = path.join(modules, name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', name), link, 'dir');
  }
  for (const [name, file] of Object.entries(manifest.bin)) {
    chmodSync(path.join(installed, file), 0o755);
    symlinkSync(path.join('..', 'retention-journeys', file), path.join(modules, '.bin', name));
  }
  // The consumer is examples/existing-app: its app, stack, journey, templates, cdk.json and tsconfig.json.
  for (const entry of ['bin', 'lib', 'journeys', 'templates', 'cdk.json', 'tsconfig.json'])
    cpSync(path.join(EXAMPLE, entry), path.join(project, entry), { recursive: true });
}, 240_000);

describe('the packed package', () => {
  it('holds the build, the bin, the schemas and the shipped journeys and templates, and no sources or tests', () => {
    // Assess
    const has = (file: string) => files.includes(`package/${file}`);
    expect(has('dist/lib/index.js')).toBe(true);
    expect(has('dist/lib/index.d.ts')).toBe(true);
    expect(has('dist/functions/core/events.d.ts')).toBe(true);
    expect(has('dist/functions/handlers/journey.js')).toBe(true);
    expect(has('dist/analytics/queries/overview.sql')).toBe(true);
    expect(has('bin/journeys.js')).toBe(true);
    expect(has('schemas/journey.schema.json')).toBe(true);
    expect(has('journeys/onboarding.yaml')).toBe(true);
    expect(has('templates/layout.mjml')).toBe(true);
    expect(has('CHANGELOG.md')).toBe(true);
    expect(has('LICENSE')).toBe(true);
    expect(
      files.filter((f) => /\.test\.|^package\/(test|lib|functions|bench|faults|examples)\//.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(manifest.peerDependencies).toMatchObject({
      'aws-cdk-lib': expect.any(String),
      constructs: expect.any(String),
    });
  });

  it('type-checks the example app and a consumer of the construct, its props and the event contract', async () => {
    // Prepare
    writeFileSync(
      path.join(project, 'check.ts'),
      [
        "import { App, Stack } from 'aws-cdk-lib';",
        "import { RetentionJourneys, type RetentionJourneysProps, loadJourneysCatalog } from 'retention-journeys';",
        "import { type ShopEvent, SHOP_EVENT_TYPES, parseShopEvent } from 'retention-journeys/events';",
        "const props: Omit<RetentionJourneysProps, 'journeys' | 'catalogPath'> = { senderAddress: 'news@shop.example' };",
        "const catalog = await loadJourneysCatalog({ projectDir: '.' });",
        "new RetentionJourneys(new Stack(new App(), 'S'), 'J', { ...catalog, ...props });",
        "const parsed = parseShopEvent({ id: '1', source: 'shop', time: '2026-12-01T10:00:00Z', detailType: SHOP_EVENT_TYPES[0], detail: {} });",
        'export const event: ShopEvent | undefined = parsed.ok ? parsed.event : undefined;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          types: ['node'],
        },
        files: ['check.ts', 'bin/app.ts', 'lib/shop-stack.ts'],
      }),
    );

    // Act
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

    // Assess
    expect(result).toEqual({ code: 0, stdout: '' });
  });

  it("synthesises the example app's stack as cdk synth runs it, bundling every function from the installed package", async () => {
    // Prepare: what the CDK CLI hands an app — an output directory and the context of cdk.json.
    const cdkJson = JSON.parse(readFileSync(path.join(project, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    };
    const env = {
      ...process.env,
      CDK_OUTDIR: path.join(project, 'cdk.out'),
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, 'aws:cdk:enable-asset-metadata': true }),
      CDK_DEFAULT_ACCOUNT: '123456789012',
      CDK_DEFAULT_REGION: 'eu-central-1',
    };

    // Act: cdk.json's app, `npx tsx bin/app.ts`, with the consumer's tsx
    await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: project,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });

    // Assess
    const out = path.join(project, 'cdk.out');
    const template = JSON.parse(readFileSync(path.join(out, 'PlantShop.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const bundles = functions.map((f) => f.Metadata?.['aws:asset:path']).filter((p) => p !== undefined);
    expect(bundles.length).toBeGreaterThanOrEqual(6);
    for (const bundle of bundles) expect(existsSync(path.join(out, bundle, 'index.mjs'))).toBe(true);
    const withCatalog = bundles.filter((b) => existsSync(path.join(out, b, 'catalog.json')));
    const journeyCatalog = withCatalog
      .map((b) => JSON.parse(readFileSync(path.join(out, b, 'catalog.json'), 'utf8')))
      .find((c) => c.journeys?.length === 1);
    expect(journeyCatalog?.journeys[0].definition.id).toBe('plant-care');
  }, 180_000);

  it('runs journeys --version, validate and simulate --store memory from the installed bin', async () => {
    // Prepare
    const scenario = path.join(project, 'onboarding.yaml');
    cpSync(path.join(ROOT, 'test', 'scenarios', 'onboarding-german-never-orders.yaml'), scenario);

    // Act
    const bin = path.join(project, 'node_modules', '.bin', 'journeys');
    const version = await run(bin, ['--version'], { cwd: project });
    const validate = await run(bin, ['validate'], { cwd: project });
    const simulate = await run(bin, ['simulate', scenario, '--store', 'memory', '--check'], { cwd: project });

    // Assess
    expect(version.stdout.trim()).toBe(manifest.version);
    expect(validate.stdout).toContain('plant-care.yaml');
    expect(validate.stdout).toContain('1 journey valid');
    // The shipped onboarding journey, as the scenario expects it.
    expect(simulate.stdout).toContain('onboarding/first-order-offer [de]');
  });
});
