/** Every item of a customer's partition as stored, strongly consistent: what tests assert the layout on. */
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { type DocumentSender, keys, queryAll } from '../../functions/adapters/table-keys.ts';

export async function partitionItems(
  doc: DocumentSender,
  tableName: string,
  customerId: string,
): Promise<Record<string, NativeAttributeValue>[]> {
  return queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.customer(customerId) },
    ConsistentRead: true,
  });
}
