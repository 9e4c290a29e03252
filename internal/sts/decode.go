package sts

import (
	"context"
	"encoding/xml"
	"net/http"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authmsg"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
)

// maxEncodedMessage is EncodedMessage's length limit.
const maxEncodedMessage = 10240

type decodeResult struct {
	XMLName        xml.Name `xml:"DecodeAuthorizationMessageResult"`
	DecodedMessage string   `xml:"DecodedMessage"`
}

// decodeAuthorizationMessage opens an encoded authorization message for a
// caller allowed sts:DecodeAuthorizationMessage. Messages are sealed with
// the server's session-token keys, so they cannot be forged or read
// without this call, and stop opening once their key is retired.
func (s *Service) decodeAuthorizationMessage(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	msg, e := call.Params.Required("EncodedMessage")
	if e != nil {
		return nil, e
	}
	if len(msg) > maxEncodedMessage {
		return nil, validationError("...", "encodedMessage", "Member must have length less than or equal to 10240")
	}
	d, err := s.gate.Authorize(ctx, call.Caller, access.Check{Action: "sts:DecodeAuthorizationMessage", Resource: "*",
		Context: call.Context.Clone(), RequestID: call.RequestID})
	if err != nil {
		return nil, s.internal(err)
	}
	if d.Effect != authz.Allowed {
		return nil, awsproto.AccessDenied(d.Message())
	}
	doc, err := authmsg.Decode(s.gate.Sealer(), msg)
	if err != nil {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAuthorizationMessageException", "Message is invalid or has expired.")
	}
	return decodeResult{DecodedMessage: doc}, nil
}
