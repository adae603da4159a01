/**
 * `journeys simulate FILE --emails DIR`: every email of the run as files one can open — each email's
 * HTML and text part, and an index.html listing them in the order they were sent (virtual time,
 * customer, journey and message, language, subject), so a scenario's whole series can be read
 * without a mail server.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { esc } from '../preview/html.ts';
import type { SimulatedEmail } from './timeline.ts';

/** Why `dir` cannot take the emails (it holds files already), or undefined. */
export async function emailsDirProblem(dir: string): Promise<string | undefined> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? [] : Promise.reject(error),
  );
  return entries.length > 0
    ? 'the directory is not empty (the emails of one run go into an empty one)'
    : undefined;
}

/** A file name part from anything: letters, digits, dot, dash; at most 60 characters. */
const safe = (text: string) => text.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 60);

/** Writes the emails and their index; answers the index's path. */
export async function writeEmails(
  dir: string,
  emails: readonly SimulatedEmail[],
  title: string,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const width = String(emails.length).length;
  const rows: string[] = [];
  for (const [i, email] of emails.entries()) {
    const name = `${String(i + 1).padStart(width, '0')}-${safe(email.customerId)}-${safe(email.journey)}-${safe(email.message)}`;
    await writeFile(path.join(dir, `${name}.html`), email.html);
    await writeFile(path.join(dir, `${name}.txt`), email.text);
    rows.push(`<tr>
  <td class="when">${esc(email.sentAt.replace('T', ' ').replace('Z', ' UTC'))}</td>
  <td>${esc(email.customerId)}<div class="muted">${esc(email.to)}</div></td>
  <td><code>${esc(email.journey)}/${esc(email.message)}</code></td>
  <td><code>${esc(email.locale)}</code></td>
  <td><a href="${encodeURI(`${name}.html`)}">${esc(email.subject)}</a></td>
  <td><a href="${encodeURI(`${name}.txt`)}">text</a></td>
</tr>`);
  }
  const index = path.join(dir, 'index.html');
  await writeFile(
    index,
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · emails</title>
<style>
body { margin: 0; background: #f4f4f5; color: #3f3f46; font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header { padding: 22px 28px; background: linear-gradient(135deg, #0f766e 0%, #115e59 55%, #134e4a 100%); color: #f0fdfa; }
header h1 { margin: 4px 0 0; font-size: 22px; color: #fff; }
.eyebrow { font-size: 12px; letter-spacing: .06em; text-transform: uppercase; color: #99f6e4; font-weight: 600; }
main { padding: 20px 28px; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #e4e4e7; border-radius: 10px; overflow: hidden; }
th, td { text-align: left; vertical-align: top; padding: 8px 12px; border-bottom: 1px solid #e4e4e7; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #71717a; }
.when { white-space: nowrap; color: #71717a; }
.muted { color: #71717a; font-size: 12px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(0,0,0,.05); padding: 1px 5px; border-radius: 4px; }
a { color: #0f766e; }
</style></head>
<body>
<header><span class="eyebrow">journeys simulate</span><h1>${esc(title)}: ${emails.length} email${emails.length === 1 ? '' : 's'}</h1></header>
<main>
<table>
<thead><tr><th>Sent (virtual time)</th><th>Customer</th><th>Journey / message</th><th>Language</th><th>Subject (HTML)</th><th>Text</th></tr></thead>
<tbody>
${rows.join('\n') || '<tr><td colspan="6" class="muted">No emails in this run.</td></tr>'}
</tbody>
</table>
</main>
</body></html>
`,
  );
  return index;
}
