// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests:
// the Authorization header form, the presigned query form, and the
// aws-chunked streaming bodies S3 clients send.
//
// Verification is two-phase so the server can route on the scope and look
// up the secret between the phases. How the body is then read depends on
// how the client bound it to the signature:
//
//	a, err := v.Parse(r)            // no secret needed: access key, scope, dates
//	secret := lookup(a.AccessKeyID) // the server's credential store
//	switch {
//	case a.Streaming(): // aws-chunked S3 upload
//		err = v.Verify(r, a, secret, "")
//		body = v.NewChunkedReader(r.Body, a, secret)
//	case a.Service == "s3": // header hash, UNSIGNED-PAYLOAD or presigned
//		err = v.Verify(r, a, secret, "")
//		if isHex(a.PayloadHash) { body = sigv4.NewPayloadHashReader(r.Body, a.PayloadHash) }
//	default: // IAM, STS: small form bodies, hashed up front
//		b, _ := io.ReadAll(r.Body)
//		err = v.Verify(r, a, secret, hexSHA256(b))
//	}
//
// Every failure is an *Error whose Kind the service layer maps to its
// protocol's error code. The intended mapping (HTTP status, then code):
//
//	Kind                      S3 (REST-XML)                          Query APIs (IAM, STS)
//	KindMissingAuth           anonymous request; 403 AccessDenied    403 MissingAuthenticationToken
//	KindAmbiguousAuth         400 InvalidArgument                    400 IncompleteSignature
//	KindUnsupportedAlgorithm  400 InvalidRequest                     400 IncompleteSignature
//	KindIncompleteSignature   400 AuthorizationHeaderMalformed       400 IncompleteSignature
//	KindMalformedHeader       400 AuthorizationHeaderMalformed       400 IncompleteSignature
//	KindMalformedQuery        400 AuthorizationQueryParametersError  400 IncompleteSignature
//	KindMissingDate           403 AccessDenied                       400 IncompleteSignature
//	KindInvalidContentSHA256  400 InvalidArgument                    (never returned: only checked for s3)
//	KindSignatureMismatch     403 SignatureDoesNotMatch              403 SignatureDoesNotMatch
//	KindSkew                  403 RequestTimeTooSkewed               403 SignatureDoesNotMatch ("Signature expired: ...")
//	KindPresignExpired        403 AccessDenied ("Request has expired")      403 SignatureDoesNotMatch
//	KindPresignNotYetValid    403 AccessDenied ("Request is not valid yet") 403 SignatureDoesNotMatch
//	KindContentSHA256Mismatch 400 XAmzContentSHA256Mismatch          403 SignatureDoesNotMatch
//	KindBadChunk              400 InvalidRequest                     400 InvalidRequest
//	KindIncompleteBody        400 IncompleteBody                     400 IncompleteBody
//	KindHeadersNotSigned      403 AccessDenied (+ <HeadersNotSigned>) 403 AccessDenied (list in the message)
//	KindMissingContentSHA256  400 InvalidRequest                     (never returned: only checked for s3)
//
// Error.Message is worded like AWS's message for the Query API (and for S3
// where the two agree); it never contains a secret. For KindSkew,
// KindPresignExpired and KindPresignNotYetValid, Error.RequestTime and
// Error.ServerTime carry the values S3 puts in its error document.
//
// What this package leaves to the service layer: checking that the scope's
// region and service are ones it serves, looking up the access key and
// session token, the unsigned STS actions (AssumeRoleWithWebIdentity,
// AssumeRoleWithSAML), and checking trailer checksums (see
// ChunkedReader.Trailers).
package sigv4
