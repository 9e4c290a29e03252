package awsproto

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// JSONContentType is the AWS JSON 1.1 protocol's media type.
const JSONContentType = "application/x-amz-json-1.1"

// JSONRequest is a decoded AWS JSON 1.1 request: the X-Amz-Target header
// names the service ("AWSOrganizationsV20161128") and the operation, and
// the body is one JSON object (an empty body counts as {}).
type JSONRequest struct {
	Service   string
	Operation string
	Input     json.RawMessage
}

// DecodeJSONRequest checks the target and the body of a JSON 1.1 request.
func DecodeJSONRequest(target string, body []byte) (JSONRequest, *Error) {
	service, op, ok := strings.Cut(target, ".")
	if !ok || service == "" || op == "" || strings.ContainsAny(target, " \t\r\n") {
		return JSONRequest{}, Errorf(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %q", target)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		trimmed = []byte("{}")
	}
	if trimmed[0] != '{' || !json.Valid(trimmed) {
		return JSONRequest{}, Errorf(http.StatusBadRequest, "SerializationException", "Start of structure or map found where not expected, or the body is not valid JSON.")
	}
	return JSONRequest{Service: service, Operation: op, Input: json.RawMessage(trimmed)}, nil
}

// WriteJSON writes a JSON 1.1 result (nil: an empty object).
func WriteJSON(w http.ResponseWriter, requestID string, result any) {
	if result == nil {
		result = struct{}{}
	}
	out, err := json.Marshal(result)
	if err != nil {
		WriteJSONError(w, requestID, InternalError())
		return
	}
	setResponseHeaders(w.Header(), JSONContentType, requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// jsonCodes are the JSON protocols' names of the errors the front door
// raises before a service sees the request.
var jsonCodes = map[string]string{
	"InvalidClientTokenId":       "UnrecognizedClientException",
	"SignatureDoesNotMatch":      "InvalidSignatureException",
	"MissingAuthenticationToken": "MissingAuthenticationTokenException",
	"IncompleteSignature":        "IncompleteSignatureException",
	"ExpiredToken":               "ExpiredTokenException",
	"AccessDenied":               "AccessDeniedException",
	"InternalFailure":            "ServiceException",
	"ServiceUnavailable":         "ServiceUnavailableException",
}

// WriteJSONError writes e as AWS JSON 1.1 does: {"__type": code,
// "Message": text} plus the error's extra members (such as Reason).
func WriteJSONError(w http.ResponseWriter, requestID string, e *Error) {
	code := e.Code
	if c, ok := jsonCodes[code]; ok {
		code = c
	}
	doc := map[string]string{"__type": code, "Message": e.Message}
	for k, v := range e.Extra {
		doc[k] = v
	}
	out, _ := json.Marshal(doc)
	setResponseHeaders(w.Header(), JSONContentType, requestID)
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(out)
}
