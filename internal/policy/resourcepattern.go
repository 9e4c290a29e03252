package policy

import "strings"

// compileResourcePattern compiles a Resource or NotResource entry. A
// pattern of fewer than six parts whose last part ends in * is open-ended:
// that * runs on past the colons, so arn:aws:s3:* covers every S3 ARN (IAM
// UG, Resource element: "If the * wildcard is the last character of a
// resource ARN segment, it can expand to match beyond the colon
// boundaries"). The ARN condition operators compare the six parts one by
// one and get no such reading.
//
// A * ending one of the first five parts in the middle of a pattern
// (arn:aws:sqs:*:queue1) is still held within its part, as the corpus
// pins (matching.yaml): the same sentence of the guide reads otherwise.
func compileResourcePattern(s string, variables bool) (arnPattern, error) {
	ap, err := compileARNPattern(s, variables)
	if err != nil || ap.all {
		return ap, err
	}
	ap.openEnded = len(ap.parts) < 6 && ap.parts[len(ap.parts)-1].endsWithStar()
	return ap, nil
}

// endsWithStar reports whether the pattern's last token is a * wildcard
// (an escaped ${*} is literal text).
func (p *pattern) endsWithStar() bool {
	return len(p.tokens) > 0 && p.tokens[len(p.tokens)-1].kind == tokStar
}

// firstSegment is s up to its first colon.
func firstSegment(s string) string {
	if j := strings.IndexByte(s, ':'); j >= 0 {
		return s[:j]
	}
	return s
}
