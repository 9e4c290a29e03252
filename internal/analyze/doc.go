// Package analyze reasons about who can reach what from the stored state,
// without any request: WhoCan lists every principal of every account that
// can perform an action on a resource, directly or through a chain of role
// assumptions, and AccessReport lists the trust and bucket policies that
// grant access to another account or to everyone.
//
// Every decision goes through authz.Evaluate with the policies the server
// would gather (identity, group, boundary, the bucket or trust policy) and
// a neutral condition context: the principal's keys are set as the server
// sets them, the request time is now, and request-specific keys such as
// aws:SourceIp, sts:ExternalId or aws:MultiFactorAuthPresent on a user are
// absent. An answer is "conditional" when a statement that decided it, or
// a Deny that could apply to it, has conditions.
package analyze
