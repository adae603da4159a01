/**
 * The customers of npm start's table, for "did you mean" on an unknown `--customer`: a bounded scan
 * of the profile items (a local table holds the demo's and a marketer's few customers; a large one is
 * read only up to `limit` pages, and a suggestion is then only among those).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type DocumentSender, keys } from '../../functions/adapters/table-keys.ts';

export async function customerIds(doc: DocumentSender, tableName: string, limit = 5): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < limit; page++) {
    const result = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'SK = :profile',
        ProjectionExpression: 'PK',
        ExpressionAttributeValues: { ':profile': keys.profile },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) {
      const pk = String(item.PK ?? '');
      if (pk.startsWith(keys.customer(''))) ids.push(pk.slice(keys.customer('').length));
    }
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  return ids;
}
