package server

import (
	"context"
	"net/http"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/sigv4"
)

// JSONService is an AWS JSON 1.1 service (Organizations).
type JSONService interface {
	Handle(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error)
}

// JSONEndpoint is a JSON service and the SigV4 service name its requests
// are signed for.
type JSONEndpoint struct {
	Service     JSONService
	SigningName string
}

// isJSONRequest recognizes the JSON protocols: POST with X-Amz-Target.
func isJSONRequest(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") != ""
}

// serveJSON handles a JSON 1.1 request: the target picks the service, the
// signature must be for that service, and errors are JSON documents.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, requestID string, auth *sigv4.Auth, authErr error) {
	fail := func(e *awsproto.Error) { awsproto.WriteJSONError(w, requestID, e) }
	body, e := readBody(r)
	if e != nil {
		fail(e)
		return
	}
	req, e := awsproto.DecodeJSONRequest(r.Header.Get("X-Amz-Target"), body)
	if e != nil {
		fail(e)
		return
	}
	if authErr != nil {
		fail(queryAuthError(authErr))
		return
	}
	endpoint, ok := s.cfg.JSON[req.Service]
	if !ok {
		fail(awsproto.Errorf(http.StatusBadRequest, "UnknownOperationException", "Sekisho does not serve %s", req.Service))
		return
	}
	if auth.Service != endpoint.SigningName {
		fail(awsproto.Errorf(http.StatusForbidden, "InvalidSignatureException", "Credential should be scoped to correct service: '%s'.", endpoint.SigningName))
		return
	}
	caller, e := s.authenticate(r, auth, body)
	if e != nil {
		fail(e)
		return
	}
	call := &awsproto.Call{Action: req.Operation, Input: req.Input, Caller: caller, RequestID: requestID,
		Region: auth.Region, Context: s.requestContext(r, auth, 0)}
	result, e := endpoint.Service.Handle(r.Context(), call)
	if e != nil {
		s.cfg.Log.Info("request failed", "request_id", requestID, "service", auth.Service, "action", call.Action,
			"principal", caller.Principal.ARN, "code", e.Code, "status", e.Status)
		fail(e)
		return
	}
	s.cfg.Log.Debug("request", "request_id", requestID, "service", auth.Service, "action", call.Action, "principal", caller.Principal.ARN)
	awsproto.WriteJSON(w, requestID, result)
}
