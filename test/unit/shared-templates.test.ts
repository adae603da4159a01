/**
 * A project's own templates folder over the package's (loadJourneysCatalog, lib/catalog.ts; the
 * `sharedDir` of functions/email/compile.ts): what the project lacks of the layout and shared strings
 * comes from the package, its own files win, and the package's other languages are not demanded.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, loadJourneysCatalog } from '../../lib/catalog.ts';

const JOURNEY = `id: hello
name: Hello
trigger: { event: customer.registered }
reentry: never
holdout: 0
messages:
  hi: { class: transactional }
steps:
  - send: hi
`;

/** A project with one journey and its message in the given locales; `files` adds or replaces files. */
function project(locales: string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rj-shared-templates-'));
  const all: Record<string, string> = {
    'journeys/hello.yaml': JOURNEY,
    'templates/hello/hi.mjml':
      '<mj-section><mj-column><mj-text>{{ t.body }}</mj-text></mj-column></mj-section>\n',
    'templates/hello/hi.txt': '{{ t.body }}\n',
    ...Object.fromEntries(
      locales.map((l) => [
        `templates/hello/hi.${l}.yaml`,
        `subject: "Hi (${l})"\npreheader: "p"\nbody: "b"\n`,
      ]),
    ),
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const catalogOf = async (dir: string) => {
  const { catalogPath } = await loadJourneysCatalog({ projectDir: dir });
  return JSON.parse(readFileSync(catalogPath, 'utf8'));
};

describe('a project templates folder over the package one', () => {
  it("takes the layout and the shared strings of the project's locales from the package, no others", async () => {
    // Act
    const catalog = await catalogOf(project(['en', 'fr']));

    // Assess
    expect(Object.keys(catalog.templates.shared).sort()).toEqual(['en', 'fr']);
    // The shipped layout around the project's body.
    expect(catalog.templates.messages['hello/hi'].html).toMatch(/<!doctype html>[\s\S]*\{\{ t\.body \}\}/i);
    expect(catalog.templates.shared.en.greetingNoName).toBe('Hi there,');
  });

  it("uses the project's own shared strings and layout where it has them", async () => {
    // Prepare
    const shippedEn = readFileSync(path.join('templates', 'locales', 'en.yaml'), 'utf8');
    const dir = project(['en'], {
      'templates/locales/en.yaml': shippedEn.replace(
        'greetingNoName: "Hi there,"',
        'greetingNoName: "Hello, friend,"',
      ),
      'templates/layout.txt': 'PLANTS\n<!-- @message-body -->\n',
    });

    // Act
    const catalog = await catalogOf(dir);

    // Assess
    expect(catalog.templates.shared.en.greetingNoName).toBe('Hello, friend,');
    expect(catalog.templates.messages['hello/hi'].text).toMatch(/^PLANTS\n/);
  });

  it("still names what the project's own files lack", async () => {
    // Prepare: German strings without a subject
    const dir = project(['en'], { 'templates/hello/hi.de.yaml': 'preheader: "p"\nbody: "b"\n' });

    // Act
    const error = await loadJourneysCatalog({ projectDir: dir }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).message).toContain('hello/hi.de.yaml');
  });
});
