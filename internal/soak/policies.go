package soak

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/policy"
)

// The run's user alternates between two identity policies. Open lets it
// read and write soak/ and list users; Closed also lets it write soak/
// but denies reading soak/secret/ and no longer allows ListUsers. So a
// stale Open after Closed was acknowledged shows as a wrong allow of a
// secret GetObject or of ListUsers, and a stale Closed as a wrong deny.
const (
	openPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::%[1]s/soak/*"},
 {"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers","sts:AssumeRole"],"Resource":"*"}]}`
	closedPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::%[1]s/soak/*"},
 {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::%[1]s/soak/secret/*"},
 {"Effect":"Allow","Action":["iam:GetUser","sts:AssumeRole"],"Resource":"*"}]}`
)

// PolicyDoc is the named policy's document for bucket.
func PolicyDoc(name, bucket string) string {
	if name == "open" {
		return fmt.Sprintf(openPolicy, bucket)
	}
	return fmt.Sprintf(closedPolicy, bucket)
}

// ParsedPolicy is PolicyDoc parsed as the engine reads it.
func ParsedPolicy(name, bucket string) (*policy.Policy, error) {
	return policy.Parse(PolicyDoc(name, bucket), policy.Identity)
}
