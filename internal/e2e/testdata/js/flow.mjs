// The seeds' cross-account flow with the AWS SDK for JavaScript v3:
// alice (account B) assumes account A's role, then lists and reads A's
// bucket with the temporary credentials. Exits non-zero on any failure.
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { S3Client, ListObjectsV2Command, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";

const endpoint = process.env.SEKISHO_ENDPOINT;
const region = "ap-northeast-1";
const alice = { accessKeyId: process.env.ALICE_KEY, secretAccessKey: process.env.ALICE_SECRET };

const sts = new STSClient({ endpoint, region, credentials: alice });
const me = await sts.send(new GetCallerIdentityCommand({}));
if (me.Arn !== "arn:aws:iam::222222222222:user/alice") throw new Error(`caller ${me.Arn}`);

const { Credentials } = await sts.send(new AssumeRoleCommand({
  RoleArn: "arn:aws:iam::111111111111:role/assume_s3_role", RoleSessionName: "js-sdk" }));
const session = { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken };
const assumed = await new STSClient({ endpoint, region, credentials: session }).send(new GetCallerIdentityCommand({}));
if (assumed.Arn !== "arn:aws:sts::111111111111:assumed-role/assume_s3_role/js-sdk") throw new Error(`assumed ${assumed.Arn}`);

// The bucket is in us-east-1: S3 refuses a request signed for another
// region (AuthorizationHeaderMalformed), which the JS SDK does not retry
// (its followRegionRedirects follows 301s only).
const s3 = new S3Client({ endpoint, region: "us-east-1", credentials: session, forcePathStyle: true });
const list = await s3.send(new ListObjectsV2Command({ Bucket: "account-a-bucket-0525" }));
const keys = (list.Contents ?? []).map((o) => o.Key);
if (!keys.includes("test.txt")) throw new Error(`keys ${keys}`);
const got = await s3.send(new GetObjectCommand({ Bucket: "account-a-bucket-0525", Key: "test.txt" }));
const body = await got.Body.transformToString();
if (body !== "hello from account A\n") throw new Error(`body ${JSON.stringify(body)}`);

let denied = false;
try {
  await s3.send(new PutObjectCommand({ Bucket: "account-a-bucket-0525", Key: "js.txt", Body: "x" }));
} catch (err) {
  denied = err.name === "AccessDenied";
}
if (!denied) throw new Error("a read-only role could write");
console.log("js-sdk flow ok");
