package sts

import (
	"context"
	"net/http"

	"github.com/sekisho/sekisho/internal/awsproto"
)

// servedUnsigned lists the STS operations that take their caller from a
// token in the request rather than from a signature.
func servedUnsigned(action string) bool {
	return action == "AssumeRoleWithWebIdentity" || action == "AssumeRoleWithSAML"
}

// webIdentityInput is AssumeRoleWithWebIdentity's validated parameters.
type webIdentityInput struct {
	assumeRoleInput
	token, providerID string
}

func parseWebIdentity(p awsproto.Params) (*webIdentityInput, *awsproto.Error) {
	in := &webIdentityInput{}
	var e *awsproto.Error
	if in.roleARN, e = p.Required("RoleArn"); e != nil {
		return nil, e
	}
	if in.sessionName, e = p.Required("RoleSessionName"); e != nil {
		return nil, e
	}
	if in.token, e = p.Required("WebIdentityToken"); e != nil {
		return nil, e
	}
	return in, nil
}

func (s *Service) assumeRoleWithWebIdentity(_ context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	if _, e := parseWebIdentity(call.Params); e != nil {
		return nil, e
	}
	return nil, awsproto.Errorf(http.StatusNotImplemented, "NotImplemented", "Sekisho does not implement %s yet", call.Action)
}

// assumeRoleWithSAML checks the operation's required parameters and
// answers NotImplemented: SAML federation is not served yet.
func assumeRoleWithSAML(call *awsproto.Call) *awsproto.Error {
	for _, name := range []string{"RoleArn", "PrincipalArn", "SAMLAssertion"} {
		if _, e := call.Params.Required(name); e != nil {
			return e
		}
	}
	return awsproto.Errorf(http.StatusNotImplemented, "NotImplemented", "Sekisho does not implement %s yet", call.Action)
}
