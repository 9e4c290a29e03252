// The JS SDK's own web identity path: a client given no credentials takes
// them from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (the default
// provider chain's fromTokenFile, which calls AssumeRoleWithWebIdentity
// unsigned). Prints the caller's ARN.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const sts = new STSClient({ endpoint: process.env.SEKISHO_ENDPOINT, region: "us-east-1" });
const me = await sts.send(new GetCallerIdentityCommand({}));
console.log(me.Arn);
