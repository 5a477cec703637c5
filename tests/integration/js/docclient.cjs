// docclient.cjs -- the AWS SDK for JavaScript v3 DocumentClient against
// ddbd: put, get, batchWrite, query, the paginateQuery helper, scan, update
// with conditions (passing and failing). Prints one JSON object with what
// the SDK returned; test_js_sdk.py compares it with DynamoDB's answers.
//
//   node docclient.cjs <endpoint> <table>     (modules found through NODE_PATH)
"use strict";
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const {
  DynamoDBDocumentClient, PutCommand, GetCommand, BatchWriteCommand, QueryCommand,
  ScanCommand, UpdateCommand, paginateQuery,
} = require("@aws-sdk/lib-dynamodb");

const [endpoint, table] = process.argv.slice(2);

// Sets and binaries as JSON: sorted arrays and base64.
function plain(v) {
  if (v instanceof Set) return { set: [...v].map(plain).sort() };
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString("base64") };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = plain(v[k]);
    return o;
  }
  return v;
}

async function main() {
  const client = new DynamoDBClient({
    region: "ap-southeast-1",
    endpoint,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    maxAttempts: 1,
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const out = {};

  const user = {
    pk: "user#1", sk: 0, name: "Ada", visits: 1, tags: new Set(["b", "a"]),
    scores: new Set([3, 1, 2]), blob: new Uint8Array([0, 1, 254, 255]),
    nested: { xs: [1, "two", true, null, { deep: [1.5] }], empty: {} },
    skipped: undefined,
  };
  out.put = (await doc.send(new PutCommand({ TableName: table, Item: user }))).$metadata.httpStatusCode;
  out.get = plain((await doc.send(new GetCommand({
    TableName: table, Key: { pk: "user#1", sk: 0 }, ConsistentRead: true,
  }))).Item);

  const writes = [];
  for (let i = 1; i <= 24; i++) {
    writes.push({ PutRequest: { Item: { pk: "user#1", sk: i, kind: i % 2 ? "odd" : "even", n: i * 10 } } });
  }
  writes.push({ PutRequest: { Item: { pk: "user#2", sk: 1, kind: "odd", n: 7 } } });
  out.batchWrite = plain(await doc.send(new BatchWriteCommand({ RequestItems: { [table]: writes } }))
    .then((r) => ({ UnprocessedItems: r.UnprocessedItems })));
  out.batchDelete = plain(await doc.send(new BatchWriteCommand({
    RequestItems: { [table]: [{ DeleteRequest: { Key: { pk: "user#1", sk: 24 } } }] },
  })).then((r) => ({ UnprocessedItems: r.UnprocessedItems })));

  const q = await doc.send(new QueryCommand({
    TableName: table,
    KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
    FilterExpression: "kind = :k",
    ExpressionAttributeValues: { ":p": "user#1", ":lo": 3, ":hi": 20, ":k": "odd" },
    ScanIndexForward: false,
    Limit: 6,
  }));
  out.query = { items: q.Items.map((i) => i.sk), count: q.Count, scanned: q.ScannedCount,
                lastKey: plain(q.LastEvaluatedKey) };

  const pages = [];
  for await (const page of paginateQuery({ client: doc, pageSize: 7 }, {
    TableName: table, KeyConditionExpression: "pk = :p AND sk > :z",
    ExpressionAttributeValues: { ":p": "user#1", ":z": 0 },
    ProjectionExpression: "sk, n",
  })) {
    pages.push({ sks: page.Items.map((i) => i.sk), more: page.LastEvaluatedKey !== undefined,
                 first: plain(page.Items[0]) });
  }
  out.paginateQuery = pages;

  const s = await doc.send(new ScanCommand({
    TableName: table, FilterExpression: "kind = :k AND n >= :n",
    ExpressionAttributeValues: { ":k": "odd", ":n": 100 }, Select: "COUNT",
  }));
  out.scan = { count: s.Count, scanned: s.ScannedCount, items: s.Items === undefined ? null : s.Items };

  const u = await doc.send(new UpdateCommand({
    TableName: table, Key: { pk: "user#1", sk: 0 },
    UpdateExpression: "SET #n = :name, nested.xs[1] = :two ADD visits :one, tags :t REMOVE #b",
    ConditionExpression: "attribute_exists(pk) AND visits < :max AND contains(tags, :a)",
    ExpressionAttributeNames: { "#n": "name", "#b": "blob" },
    ExpressionAttributeValues: { ":name": "Ada L.", ":two": 2, ":one": 1, ":t": new Set(["c"]),
                                 ":max": 5, ":a": "a" },
    ReturnValues: "UPDATED_NEW",
  }));
  out.update = plain(u.Attributes);

  try {
    await doc.send(new UpdateCommand({
      TableName: table, Key: { pk: "user#1", sk: 0 },
      UpdateExpression: "SET visits = :v", ConditionExpression: "visits > :v",
      ExpressionAttributeValues: { ":v": 100 }, ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }));
    out.conditionFailed = "no error";
  } catch (e) {
    out.conditionFailed = { name: e.name, message: e.message, status: e.$metadata.httpStatusCode,
                            itemKeys: e.Item ? Object.keys(e.Item).sort() : null,
                            visits: e.Item ? e.Item.visits : null };
  }
  try {
    await doc.send(new PutCommand({
      TableName: table, Item: { pk: "user#1", sk: 0 }, ConditionExpression: "attribute_not_exists(pk)",
    }));
    out.putIfAbsent = "no error";
  } catch (e) {
    out.putIfAbsent = { name: e.name, message: e.message };
  }
  try {
    await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: "sk = :s",
                                      ExpressionAttributeValues: { ":s": 1 } }));
    out.badQuery = "no error";
  } catch (e) {
    out.badQuery = { name: e.name, message: e.message };
  }
  out.final = plain((await doc.send(new GetCommand({ TableName: table, Key: { pk: "user#1", sk: 0 } }))).Item);
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`docclient.cjs: ${e.name}: ${e.message}\n${e.stack}\n`);
  process.exit(1);
});
