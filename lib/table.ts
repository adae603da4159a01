/**
 * The single table, built from the same constants as the local runtime's DynamoDB Local table
 * (functions/adapters/table-schema.ts), so the table that is tested is the table that is deployed.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { createTableInput, TABLE } from '../functions/adapters/table-schema.ts';

const ATTRIBUTE_TYPES: Record<string, AttributeType> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
};

/** Attribute types exactly as the local table declares them. */
function attributeType(name: string): AttributeType {
  const definition = createTableInput('schema').AttributeDefinitions?.find((d) => d.AttributeName === name);
  const type = definition?.AttributeType && ATTRIBUTE_TYPES[definition.AttributeType];
  if (!type) throw new Error(`table-schema.ts declares no attribute type for key attribute "${name}"`);
  return type;
}

export class JourneysTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: attributeType(TABLE.partitionKey) },
      sortKey: { name: TABLE.sortKey, type: attributeType(TABLE.sortKey) },
      billing: Billing.onDemand(),
      // The dispatcher consumes outbox inserts from the stream; old images let it see what changed.
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TABLE.ttlAttribute,
      globalSecondaryIndexes: [
        {
          indexName: TABLE.timerIndex.name,
          partitionKey: {
            name: TABLE.timerIndex.partitionKey,
            type: attributeType(TABLE.timerIndex.partitionKey),
          },
          sortKey: { name: TABLE.timerIndex.sortKey, type: attributeType(TABLE.timerIndex.sortKey) },
          projectionType: ProjectionType.KEYS_ONLY,
        },
      ],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Customer, consent and referral state: never deleted by a stack operation.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
