package caller

import (
	"strconv"
	"time"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
)

// addMFAContext sets aws:MultiFactorAuthPresent for a session and, when it
// authenticated with MFA at a known time, aws:MultiFactorAuthAge: the
// seconds since then at the request's time (its aws:EpochTime, which the
// server sets for every request; the key is left out without it).
func addMFAContext(ctx *policy.Context, s *creds.Session) {
	ctx.Set("aws:multifactorauthpresent", strconv.FormatBool(s.MFA))
	if !s.MFA || s.MFAAuthAt.IsZero() {
		return
	}
	epoch, ok := ctx.Get("aws:epochtime")
	if !ok || len(epoch) != 1 {
		return
	}
	sec, err := strconv.ParseInt(epoch[0], 10, 64)
	if err != nil {
		return
	}
	age := time.Unix(sec, 0).Sub(s.MFAAuthAt.Truncate(time.Second)) / time.Second
	ctx.Set("aws:multifactorauthage", strconv.FormatInt(max(int64(age), 0), 10))
}
