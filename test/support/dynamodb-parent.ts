/**
 * A parent process for the crash tests: starts DynamoDB Local (in memory, or with the data directory
 * given as the first argument), prints `{"pid":…,"port":…}` and then idles until it is killed.
 */
import { startDynamoDbLocal } from '../../local/servers/dynamodb-local.ts';

const dynamo = await startDynamoDbLocal(process.argv[2] ? { dbPath: process.argv[2] } : {});
process.stdout.write(`${JSON.stringify({ pid: dynamo.pid, port: dynamo.port })}\n`);
setInterval(() => undefined, 60_000);
