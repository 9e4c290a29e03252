package console

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
)

// Gatekeeper is the engine's gate as the console asks it about actions
// whose API it does not serve itself (cloudtrail:LookupEvents for the
// decision log): the console resolves the signed-in identity's own
// credentials and asks as that identity, holding no privileges itself.
type Gatekeeper interface {
	Resolve(ctx context.Context, accessKeyID, token string) (*access.Caller, string, error)
	Authorize(ctx context.Context, c *access.Caller, chk access.Check) (authz.Decision, error)
}

// lookupEvents is what AWS's console needs to show CloudTrail's event
// history, and what the decision log and policy generation need here.
const lookupEvents = "cloudtrail:LookupEvents"

// authorizeAs asks the engine whether the current identity may perform
// action on its own account (CloudTrail's actions take Resource "*").
// The decision is logged under a request id, so a refusal is explained
// as any other.
func (c *Console) authorizeAs(r *http.Request, s *state, action string) *apiError {
	if c.cfg.Gate == nil {
		return &apiError{Status: http.StatusInternalServerError, Code: "ConsoleError", Message: "the console has no engine to ask"}
	}
	cred := s.current()
	caller, _, err := c.cfg.Gate.Resolve(r.Context(), cred.AccessKeyID, cred.Token)
	if err != nil {
		// The session's credentials no longer resolve (expired, or the
		// principal is gone): AWS's console shows the token error.
		return &apiError{Status: http.StatusForbidden, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}
	}
	id := awsproto.NewRequestID()
	d, err := c.cfg.Gate.Authorize(r.Context(), caller, access.Check{Action: action, Resource: "*",
		ResourceAccount: s.currentAccount(), Context: c.requestContext(r), RequestID: id})
	if err != nil {
		return &apiError{Status: http.StatusInternalServerError, Code: "ConsoleError", Message: "the engine could not decide: " + err.Error()}
	}
	if d.Effect != authz.Allowed {
		return &apiError{Status: http.StatusForbidden, Code: "AccessDeniedException", Message: d.Message(), RequestID: id}
	}
	return nil
}

// requestContext is the global condition keys of the browser's request,
// as the front door sets them for signed calls.
func (c *Console) requestContext(r *http.Request) *policy.Context {
	now := c.cfg.Now().UTC()
	ctx := policy.NewContext()
	ctx.Set("aws:CurrentTime", now.Format(time.RFC3339))
	ctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	ctx.Set("aws:SecureTransport", strconv.FormatBool(r.TLS != nil))
	ctx.Set("aws:RequestedRegion", signingRegion)
	ctx.Set("aws:ViaAWSService", "false")
	ctx.Set("aws:UserAgent", "sekisho-console")
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ctx.Set("aws:SourceIp", host)
	}
	return ctx
}
