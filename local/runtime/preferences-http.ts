/**
 * Serves the preferences endpoint on the local HTTP server (`/preferences/…`), through the same
 * service as the Lambda Function URL handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PreferencesService } from '../../functions/services/preferences.ts';

const BODY_LIMIT = 65_536;

export async function servePreferences(
  service: PreferencesService,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<string> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) {
      res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('request body too large');
      return 'too-large';
    }
    chunks.push(chunk as Buffer);
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of url.searchParams) query[name] ??= value;
  const result = await service.handle({
    method: req.method ?? 'GET',
    path: url.pathname,
    query,
    body: Buffer.concat(chunks).toString('utf8'),
    headers,
  });
  res.writeHead(result.response.status, result.response.headers);
  res.end(req.method === 'HEAD' ? undefined : result.response.body);
  return result.action;
}
